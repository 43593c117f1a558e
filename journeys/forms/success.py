"""Forms of account success plans: the plan, a measure, a progress entry, and the
at-risk list's filters (`filters.SuccessPlanFilter`'s form, with menus)."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row, Submit
from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ..models import OutcomeKind, Step

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _helper(form_id: str) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.form_id = form_id
    return helper


class SuccessPlanForm(forms.Form):
    outcome = forms.CharField(
        label=_("Business outcome, in the customer's words"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What they bought the product for; what success means to them."),
    )
    outcome_kind = forms.ChoiceField(
        label=_("Kind of outcome"), choices=OutcomeKind.choices
    )
    customer_owner = forms.CharField(
        label=_("Customer-side owner"),
        max_length=200,
        help_text=_("The person at the customer who owns the outcome."),
    )
    customer_owner_title = forms.CharField(
        label=_("Their role"), max_length=200, required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper("success-plan-form")


class _ValuePointField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Step) -> str:
        return f"{obj.position}. {obj.name}"


class SuccessMeasureForm(forms.Form):
    name = forms.CharField(label=_("Measure"), max_length=200)
    unit = forms.CharField(
        label=_("Unit"),
        max_length=50,
        required=False,
        help_text=_("For example: %, hours, ¥"),
    )
    baseline = forms.DecimalField(label=_("Baseline"), max_digits=18, decimal_places=4)
    baseline_on = forms.DateField(label=_("Baseline measured on"), widget=DATE_INPUT)
    target = forms.DecimalField(label=_("Target"), max_digits=18, decimal_places=4)
    target_on = forms.DateField(label=_("Target date"), widget=DATE_INPUT)
    value_points = _ValuePointField(
        label=_("Value points"),
        queryset=Step.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The journey's value points that move this measure."),
    )

    def __init__(self, *args, value_points=None, **kwargs):
        super().__init__(*args, **kwargs)
        if value_points is not None:
            self.fields["value_points"].queryset = value_points
        self.helper = _helper("success-measure-form")
        self.helper.layout = Layout(
            Row(Column("name", css_class="col-md-8"), Column("unit")),
            Row(Column("baseline"), Column("baseline_on")),
            Row(Column("target"), Column("target_on")),
            "value_points",
        )


class SuccessProgressForm(forms.Form):
    measured_on = forms.DateField(label=_("Measured on"), widget=DATE_INPUT)
    value = forms.DecimalField(
        label=pgettext_lazy("measured value", "Value"), max_digits=18, decimal_places=4
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Where the figure comes from; what the customer said."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper("success-progress-form")


def present_at_risk_filters(form: forms.Form, *, teams, owners) -> forms.Form:
    """The at-risk page's look of `filters.SuccessPlanFilter`'s form: the team
    and owner as menus of what the viewer sees."""
    fields = form.fields
    menus = {
        "team": (_("Team"), _("All teams"), [(t.pk, t.name) for t in teams]),
        "owner": (
            _("Owner"),
            _("All owners"),
            [(u.pk, u.display_name) for u in owners],
        ),
    }
    for name, (label, empty, pairs) in menus.items():
        fields[name].label = label
        fields[name].widget = forms.Select(
            choices=[("", empty)] + [(str(value), text) for value, text in pairs]
        )
    form.helper = FormHelper()
    form.helper.form_method = "get"
    form.helper.disable_csrf = True
    form.helper.form_id = "at-risk-filters"
    form.helper.layout = Layout(
        Row(Column("team", css_class="col-md"), Column("owner", css_class="col-md"))
    )
    form.helper.add_input(Submit("", _("Filter"), css_class="btn-secondary"))
    return form
