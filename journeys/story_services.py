"""Writes of success stories: writing (a draft, or published at once), publishing,
deleting a draft, featuring at the sharing meeting. Each checks who may
(`journeys.permissions`, else PermissionError), validates (a ValidationError by
field, nothing written) and writes in one transaction. The rules that read stories
are in `journeys.stories`."""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User

from . import permissions, revenue
from .models import CustomerAccount, Step, StoryStatus, SuccessStory
from .stories import next_step

# A story is featured at the meeting of the month it was published or later, and
# at most a month ahead (the meeting being prepared).
FEATURE_MONTHS_AHEAD = 1


def story_problems(
    *,
    by: User,
    account: CustomerAccount | None,
    from_step: Step | None,
    to_step: Step | None,
    outcome_on: date | None,
    account_changed: bool,
    today: date,
    transition_changed: bool = True,
) -> tuple[dict[str, str], Step | None]:
    """What is wrong with a story's account, transition and date, by field; and
    the step the transition leads to (None when the transition is unchanged: its
    steps are kept as they were written)."""
    problems = {}
    if (
        account is not None
        and account_changed
        and not permissions.can_write_story_on(by, account)
    ):
        problems["account"] = _(
            "Choose one of the accounts you work on: you may not record on this one."
        )
    following = None
    if from_step is not None and account is not None and transition_changed:
        following = next_step(from_step)
        if from_step.journey_id != account.journey_id:
            problems["from_step"] = _(
                "Choose a transition of this account's journey (%(journey)s)."
            ) % {"journey": account.journey.name}
        elif following is None:
            problems["from_step"] = _(
                "“%(step)s” leads to no next step: choose a transition of the "
                "journey's current steps."
            ) % {"step": from_step.name}
        elif to_step is not None and to_step.pk != following.pk:
            problems["to_step"] = _(
                "A transition goes to the next step: after “%(from)s” comes “%(to)s”."
            ) % {"from": from_step.name, "to": following.name}
    if outcome_on is not None and outcome_on > today:
        problems["outcome_on"] = _("The outcome cannot be dated in the future.")
    return problems, following


def story_save(
    *,
    by: User,
    account: CustomerAccount,
    from_step: Step,
    title: str,
    what_we_did: str,
    customer_outcome: str,
    outcome_on: date | None = None,
    to_step: Step | None = None,
    story: SuccessStory | None = None,
    publish: bool = False,
    now: datetime | None = None,
) -> SuccessStory:
    """Write a new story (a draft, by `by`), or change `story` (its author's).
    With `publish`, a draft is published in the same write."""
    if story is None:
        if not permissions.writes_stories(by):
            raise PermissionError("may not write success stories")
        story = SuccessStory(author=by)
    elif not permissions.can_edit_story(by, story):
        raise PermissionError("may not edit this story")
    now = now or timezone.now()
    # A story keeps the steps it was written with: a later reordering of the
    # journey (a step inserted, its from step retired) does not rewrite it, nor
    # refuse an edit of its text.
    transition_changed = (
        story.pk is None
        or from_step.pk != story.from_step_id
        or from_step.journey_id != account.journey_id
        or (to_step is not None and to_step.pk != story.to_step_id)
    )
    problems, following = story_problems(
        by=by,
        account=account,
        from_step=from_step,
        to_step=to_step,
        outcome_on=outcome_on,
        account_changed=story.pk is None or story.account_id != account.pk,
        today=timezone.localdate(now),
        transition_changed=transition_changed,
    )
    story.account = account
    if transition_changed:
        story.from_step = from_step
        story.to_step = following or to_step or from_step
    story.title = (title or "").strip()
    story.what_we_did = (what_we_did or "").strip()
    story.customer_outcome = (customer_outcome or "").strip()
    story.outcome_on = outcome_on
    if publish and story.is_draft:
        story.status = StoryStatus.PUBLISHED
        story.published_at = now
    try:
        story.full_clean(
            exclude=["author", "account", "from_step", "to_step", "featured_by"],
            validate_constraints=False,
        )
    except ValidationError as error:
        problems = {**error.message_dict, **problems}
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        story.save()
    return story


def story_update(*, story: SuccessStory, by: User, **changes) -> SuccessStory:
    """Change some of the story's fields (the API's PATCH); the rest stay."""
    fields = {
        name: changes.get(name, getattr(story, name))
        for name in (
            "account",
            "from_step",
            "title",
            "what_we_did",
            "customer_outcome",
            "outcome_on",
        )
    }
    if "from_step" in changes or "to_step" in changes:
        fields["to_step"] = changes.get("to_step")
    return story_save(story=story, by=by, **fields)


def story_publish(
    *, story: SuccessStory, by: User, now: datetime | None = None
) -> SuccessStory:
    """Publish the author's draft: every member of the organisation reads it from
    now on. Publishing a published story changes nothing."""
    if not permissions.can_edit_story(by, story):
        raise PermissionError("may not publish this story")
    if not story.is_draft:
        return story
    story.status = StoryStatus.PUBLISHED
    story.published_at = now or timezone.now()
    with transaction.atomic():
        story.save(update_fields=["status", "published_at", "updated_at"])
    return story


def story_delete(*, story: SuccessStory, by: User) -> None:
    """Delete the author's draft (a published story stays: others may have
    learnt from it, and it may be featured)."""
    if not permissions.can_delete_story(by, story):
        raise PermissionError("may not delete this story")
    with transaction.atomic():
        story.delete()


def story_feature(
    *,
    story: SuccessStory,
    by: User,
    month: date | None = None,
    now: datetime | None = None,
) -> SuccessStory:
    """Feature a published story at the sharing meeting of `month` (the month in
    progress by default): not before the month it was published, at most a month
    ahead. Featuring it again moves it to the new month."""
    if not permissions.can_feature_story(by, story):
        raise PermissionError("may not feature this story")
    now = now or timezone.now()
    this_month = revenue.current_month(now)
    month = revenue.month_start(month) if month else this_month
    published = revenue.month_start(timezone.localdate(story.published_at))
    latest = revenue.add_months(this_month, FEATURE_MONTHS_AHEAD)
    if month < published:
        raise ValidationError(
            {
                "month": _("Choose %(month)s or later: the story was published then.")
                % {"month": f"{published:%Y-%m}"}
            }
        )
    if month > latest:
        raise ValidationError(
            {
                "month": _("Choose %(month)s at the latest.")
                % {"month": f"{latest:%Y-%m}"}
            }
        )
    story.featured_month = month
    story.featured_by = by
    story.featured_at = now
    return _save_featuring(story)


def story_unfeature(*, story: SuccessStory, by: User) -> SuccessStory:
    """Take the story out of the sharing meeting."""
    if not permissions.can_feature_story(by, story):
        raise PermissionError("may not feature this story")
    story.featured_month = None
    story.featured_by = None
    story.featured_at = None
    return _save_featuring(story)


def _save_featuring(story: SuccessStory) -> SuccessStory:
    """Write whether and when the story is featured (its other fields untouched)."""
    with transaction.atomic():
        story.save(
            update_fields=["featured_month", "featured_by", "featured_at", "updated_at"]
        )
    return story
