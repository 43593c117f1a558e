from django import template

from hiring.models import Application
from hiring.selectors import display_score

register = template.Library()


@register.filter
def tr(obj, field: str) -> str:
    """The English or Japanese text of a bilingual field, by the page language."""
    return obj.tr(field) if obj is not None else ""


@register.filter
def fit(score) -> str:
    """A fit score (a Fraction) to one decimal, or an em dash when there is none."""
    value = display_score(score)
    return "—" if value is None else str(value)


@register.filter
def stage_label(stage: str) -> str:
    """An application stage's label: for `shown_stage`, the stage as the viewer may
    see it (`permissions.applications_as_seen`)."""
    return Application.Stage(stage).label
