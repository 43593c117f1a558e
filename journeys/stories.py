"""Success stories: the rules, and the reads of the library, the playbook and
training pages and the sharing meeting.

- **A transition** is a step of a journey and the step after it (the next current
  step by position), as a playbook bridges them (`Playbook.from_step`). A story
  tells how one account of the journey moved along one transition; both steps are
  kept, so a later reordering of the journey does not rewrite the story.
- **Who reads what** is in `journeys.permissions` (drafts: their author and admins;
  published stories: every member of the organisation; the account and the
  author's name: only those who see them, `permissions.story_disclosure`).
- **Real examples**: a playbook's page and the training modules of its step list
  the published stories of that transition, newest first (`EXAMPLES` of them).
- **Featured**: a manager features a published story at the sharing meeting of a
  month; it counts for the team its author belongs to on the day of the meeting
  page (the first of their current teams, as the meeting credits outcomes).
"""

from datetime import date

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import TeamMembership
from config.api import IdFilter

from . import permissions
from .filters import StrictBooleanForm
from .models import Playbook, Step, StoryStatus, SuccessStory

# How many real examples a playbook or a training module shows.
EXAMPLES = 5

_RELATED = (
    "author",
    "account",
    "from_step__journey",
    "to_step",
    "featured_by",
)


def next_step(step: Step) -> Step | None:
    """The step a transition from `step` leads to: the next current step of its
    journey (None for the last step, or a retired one)."""
    if step.retired_at is not None or step.position is None:
        return None
    return (
        Step.objects.filter(
            journey_id=step.journey_id,
            retired_at__isnull=True,
            position__gt=step.position,
        )
        .order_by("position")
        .first()
    )


def transitions(journeys: QuerySet) -> list[tuple[Step, Step]]:
    """Every transition (from step, to step) of the current steps of `journeys`,
    by journey name then position. One query."""
    steps = (
        Step.objects.filter(journey__in=journeys, retired_at__isnull=True)
        .select_related("journey")
        .order_by("journey__name", "journey_id", "position")
    )
    pairs, previous = [], None
    for step in steps:
        if previous is not None and previous.journey_id == step.journey_id:
            pairs.append((previous, step))
        previous = step
    return pairs


def story_library(viewer) -> QuerySet:
    """The library as the viewer reads it: their own drafts first, then the
    published stories, newest first (an admin reads others' drafts through their
    links and the API, not in the library), with what a row shows."""
    return (
        permissions.visible_stories(viewer)
        .filter(Q(status=StoryStatus.PUBLISHED) | Q(author=viewer))
        .select_related(*_RELATED)
        .order_by("status", "-published_at", "-updated_at", "-id")
    )


def story_list(viewer) -> QuerySet:
    """Every story the viewer may open (the API's list), newest first."""
    return (
        permissions.visible_stories(viewer)
        .select_related(*_RELATED)
        .order_by("-published_at", "-updated_at", "-id")
    )


def real_examples(viewer, from_step: Step, *, limit: int = EXAMPLES) -> list:
    """The newest published stories of the transition from `from_step` that the
    viewer reads, disclosed to them (`permissions.story_disclosure`)."""
    stories = list(
        permissions.visible_stories(viewer)
        .filter(status=StoryStatus.PUBLISHED, from_step=from_step)
        .select_related(*_RELATED)
        .order_by("-published_at", "-id")[:limit]
    )
    permissions.story_disclosure(viewer, stories)
    return stories


def featured_by_team(
    viewer, *, month: date, team_ids: list[int], today: date | None = None
) -> dict[int, list]:
    """The stories featured for `month` (its first day) whose author belongs
    today to one of `team_ids`, by team id (the first of the author's current
    teams), disclosed to the viewer. Three queries at most."""
    today = today or timezone.localdate()
    if not team_ids:
        return {}
    memberships = (
        TeamMembership.objects.active_on(today)
        .filter(team_id__in=team_ids)
        .order_by("user_id", "team_id")
        .values_list("user_id", "team_id")
    )
    team_of = {}
    for user_id, team_id in memberships:
        team_of.setdefault(user_id, team_id)
    stories = list(
        SuccessStory.objects.filter(
            status=StoryStatus.PUBLISHED,
            featured_month=month,
            author_id__in=list(team_of),
        )
        .select_related(*_RELATED)
        .order_by("-featured_at", "-id")
    )
    permissions.story_disclosure(viewer, stories)
    by_team: dict[int, list] = {}
    for story in stories:
        by_team.setdefault(team_of[story.author_id], []).append(story)
    return by_team


# --- Filters: the library's and the API's ------------------------------------------


class StoryFilter(django_filters.FilterSet):
    """Filters of the story library and the API. They narrow the viewer's stories:
    `account` and `author` only match accounts the viewer sees and people they
    know, so that a filter never tells whose (or which account's) a story is."""

    journey = IdFilter(field_name="from_step__journey_id", label=_("Journey (id)"))
    from_step = IdFilter(
        field_name="from_step_id", label=_("Transition: its from step (id)")
    )
    playbook = IdFilter(method="by_playbook", label=_("Playbook (id)"))
    account = IdFilter(method="by_account", label=_("Account (id)"))
    author = IdFilter(method="by_author", label=_("Author (id)"))
    status = django_filters.ChoiceFilter(choices=StoryStatus.choices)
    featured = django_filters.BooleanFilter(
        field_name="featured_month",
        lookup_expr="isnull",
        exclude=True,
        label=_("Featured at a sharing meeting"),
    )
    mine = django_filters.BooleanFilter(method="by_mine", label=_("Mine"))

    class Meta:
        model = SuccessStory
        fields = [
            "journey",
            "from_step",
            "playbook",
            "account",
            "author",
            "status",
            "featured",
            "mine",
        ]
        form = StrictBooleanForm

    @property
    def viewer(self):
        return self.request.user

    def by_playbook(self, queryset, name, value):
        return queryset.filter(
            from_step__in=Playbook.objects.filter(pk=value).values("from_step_id")
        )

    def by_account(self, queryset, name, value):
        seen = permissions.visible_accounts(self.viewer).filter(pk=value)
        return queryset.filter(account__in=seen.values("pk"))

    def by_author(self, queryset, name, value):
        if value == self.viewer.pk:
            return queryset.filter(author_id=value)
        known = permissions.known_people(self.viewer)
        return queryset.filter(author_id=value, author__in=known)

    def by_mine(self, queryset, name, value):
        mine = Q(author=self.viewer)
        return queryset.filter(mine) if value else queryset.exclude(mine)
