"""The revenue KPI page's filters (in the URL): the scope, its team, member or
pool id or its segment, the month of the KPI tree; and a movement for the
drill-down. The API reads the same names (`api/revenue.py`)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from journeys import revenue as journey_revenue

from ..selectors import revenue

SCOPE_LABELS = {
    revenue.ORGANISATION: _("Organisation"),
    revenue.SEGMENT: _("Segment"),
    revenue.TEAM: _("Team"),
    revenue.MEMBER: _("Member"),
    revenue.POOL: _("Pool"),
}


def month_value(value: str):
    """A month as written in a filter (2026-04), not in the future. Raises
    ValidationError."""
    try:
        month = journey_revenue.parse_month(value)
    except ValueError as error:
        raise ValidationError(str(error), code="invalid") from error
    if problem := journey_revenue.month_problem(month):
        raise ValidationError(problem, code="invalid")
    return month


class RevenueScopeForm(forms.Form):
    """`scope` is a kind (`team`, with `id`) or, from the page's picker, a kind
    and its owner at once (`team:5`, `segment:SMB`)."""

    scope = forms.CharField(label=_("Scope"), required=False)
    id = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    segment = forms.CharField(label=_("Segment"), required=False, max_length=100)
    month = forms.CharField(
        label=pgettext_lazy("revenue KPIs", "Month"), required=False
    )
    movement = forms.CharField(required=False)

    def clean_scope(self):
        value = (self.cleaned_data.get("scope") or "").strip()
        kind, _sep, owner = value.partition(":")
        if kind and kind not in revenue.SCOPES:
            raise ValidationError(
                _("Unknown scope “%(value)s”: use %(scopes)s.")
                % {"value": kind, "scopes": ", ".join(revenue.SCOPES)},
                code="invalid",
            )
        self.picked_owner = owner
        return kind

    def clean_month(self):
        value = self.cleaned_data.get("month")
        return month_value(value) if value else None

    def clean_movement(self):
        value = self.cleaned_data.get("movement") or ""
        if value and value not in revenue.MOVEMENTS:
            raise ValidationError(_("Unknown movement type."), code="invalid")
        return value

    def owner(self):
        """The owner the filters name: an id for a team, member or pool, the
        segment's name, None for the organisation (or when none is given)."""
        scope = self.cleaned_data.get("scope")
        picked = getattr(self, "picked_owner", "")
        if scope == revenue.SEGMENT:
            return picked or self.cleaned_data.get("segment") or None
        if scope in revenue.STORED:
            if picked:
                return int(picked) if picked.isdigit() else None
            return self.cleaned_data.get("id")
        return None
