"""Template filters of the journeys pages."""

from decimal import Decimal

from django import template
from django.utils.formats import number_format
from django.utils.translation import pgettext

from ..models import CoverageModel

register = template.Library()


@register.filter
def yen(amount) -> str:
    """An amount of yen for reading, grouped as the language writes numbers:
    ¥12,000,000. Empty stays empty."""
    if amount in (None, ""):
        return ""
    try:
        whole = Decimal(amount).quantize(Decimal(1))
    except (ArithmeticError, TypeError, ValueError):
        return str(amount)
    figure = number_format(whole, decimal_pos=0, use_l10n=True, force_grouping=True)
    return pgettext("money", "¥%(amount)s") % {"amount": figure}


@register.filter
def yen_change(amount) -> str:
    """A change of yen with its sign: +¥500,000, −¥200,000; nothing for none."""
    if amount in (None, "") or Decimal(amount) == 0:
        return ""
    sign = "+" if Decimal(amount) > 0 else "−"
    return f"{sign}{yen(abs(Decimal(amount)))}"


@register.filter
def measured(value) -> str:
    """A measured figure (a success measure's baseline, target or reading, kept
    to 4 decimal places) as written: 600.6, 7.8, 12,000, not 600.6000. Empty
    stays empty."""
    if value in (None, ""):
        return ""
    try:
        number = Decimal(value)
    except (ArithmeticError, TypeError, ValueError):
        return str(value)
    places = max(0, -number.normalize().as_tuple().exponent)
    return number_format(number, decimal_pos=places, use_l10n=True, force_grouping=True)


@register.filter
def coverage_labels(codes: str) -> str:
    """A journey's stored coverage models ("dedicated,pooled") as the reader's
    words; an unknown code is shown as it is."""
    labels = dict(CoverageModel.choices)
    return ", ".join(
        str(labels.get(code.strip(), code.strip()))
        for code in (codes or "").split(",")
        if code.strip()
    )
