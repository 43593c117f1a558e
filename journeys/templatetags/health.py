"""Account health on pages: a badge that says the score and the band in words,
coloured as well (never by colour alone)."""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext

from ..models import HealthBand

register = template.Library()

_BADGE_CLASSES = {
    HealthBand.HEALTHY: "text-bg-success",
    HealthBand.AT_RISK: "text-bg-warning",
    HealthBand.CRITICAL: "text-bg-danger",
}


@register.simple_tag
def health_badge(score, band):
    """`72 Healthy` in a green badge; a dash when there is no score."""
    if score is None or not band:
        return format_html(
            '<span class="text-secondary" title="{}">—</span>',
            gettext("No health score"),
        )
    return format_html(
        '<span class="badge {}" data-band="{}">{} <span class="fw-normal">{}</span>'
        "</span>",
        _BADGE_CLASSES.get(band, "text-bg-secondary"),
        band,
        score,
        HealthBand(band).label,
    )
