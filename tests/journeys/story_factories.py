"""Success stories for tests: a story on an account, a draft or published."""

from django.utils import timezone

from journeys.models import StoryStatus, SuccessStory


def story_for(
    author,
    account,
    from_step,
    to_step,
    *,
    title="二週間で設定完了",
    published=True,
    **fields,
) -> SuccessStory:
    """A story of `author` on `account`, moving `from_step` → `to_step`
    (published now unless `published=False`)."""
    return SuccessStory.objects.create(
        author=author,
        account=account,
        from_step=from_step,
        to_step=to_step,
        title=title,
        what_we_did=fields.pop("what_we_did", "キックオフで目標を合意した"),
        customer_outcome=fields.pop("customer_outcome", "問い合わせが半分に"),
        status=StoryStatus.PUBLISHED if published else StoryStatus.DRAFT,
        published_at=fields.pop("published_at", timezone.now() if published else None),
        **fields,
    )
