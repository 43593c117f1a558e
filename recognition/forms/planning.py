"""Forms of capacity plans: the plan's inputs and its rows (one per segment and
coverage model). Validation and layout only: the rules are in
`recognition.planning`, the writes in `recognition.services.planning`."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Column, Field, Fieldset, Layout, Row
from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import CapacityPlan, CapacityPlanSegment
from ..services.planning import MOST_SEGMENTS, PLAN_FIELDS, SEGMENT_FIELDS

AUTOMATION_ERROR = _("The automation factor is at least 0 and below 100.")
SPAN_ERROR = _("An experienced leader has 8 to 12 direct reports.")
HOURS_ERROR = _("Available hours are from 1 to 744 a month.")
SHARE_ERROR = _("The share kept dedicated is more than 0 and at most 100.")
POSITIVE_HOURS_ERROR = _("Hours per account are more than 0 and at most 744.")
WHOLE_YEN = _("In yen, a whole amount.")


class DateInput(forms.DateInput):
    input_type = "date"


def _messages(field, text) -> None:
    for key in ("min_value", "max_value", "max_digits", "max_decimal_places"):
        field.error_messages[key] = text


class CapacityPlanForm(forms.ModelForm):
    """The plan's inputs: name, CSM hours, automation, leaders, other roles and
    the pooled what-if."""

    class Meta:
        model = CapacityPlan
        fields = list(PLAN_FIELDS)
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "target_date": DateInput(),
            "leader_experience": forms.RadioSelect,
            "whatif_rule": forms.RadioSelect,
        }
        help_texts = {
            "target_date": _("The day the plan is for (optional)."),
            "available_hours": _(
                "Hours a CSM spends on accounts a month, after meetings and "
                "internal work."
            ),
            "automation_percent": _(
                "The share of each account's work that tech-touch programs remove, "
                "from 0 to less than 100 %."
            ),
            "span_of_control": _(
                "8 to 12; new leaders have at most 6 whatever is chosen here."
            ),
            "operations_headcount": _(
                "People in CS operations (a team of more than five needs one)."
            ),
            "marketing_headcount": _("People in customer marketing."),
            "whatif_threshold": _(
                "Dedicated segments whose ARR per account is below this move "
                "into their segment's pool (in yen)."
            ),
            "whatif_share": _(
                "The most complex share of each dedicated segment's accounts stays "
                "dedicated; the rest moves into the pool."
            ),
            "pool_hours_per_account": _(
                "What a moved account needs from the pool a month."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        fields = self.fields
        _messages(fields["automation_percent"], AUTOMATION_ERROR)
        _messages(fields["span_of_control"], SPAN_ERROR)
        _messages(fields["available_hours"], HOURS_ERROR)
        _messages(fields["whatif_share"], SHARE_ERROR)
        _messages(fields["pool_hours_per_account"], POSITIVE_HOURS_ERROR)
        fields["whatif_threshold"].error_messages["min_value"] = _(
            "The threshold is more than ¥0."
        )
        fields["automation_percent"].widget.attrs.update(min=0, max=99.9, step=0.1)
        fields["available_hours"].widget.attrs.update(min=1, max=744, step=0.1)
        fields["span_of_control"].widget.attrs.update(min=8, max=12)
        fields["whatif_threshold"].widget.attrs.update(min=1, step=1)
        fields["whatif_share"].widget.attrs.update(min=0.1, max=100, step=0.1)
        fields["pool_hours_per_account"].widget.attrs.update(min=0.01, step=0.01)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Row(
                Column("name", css_class="col-md-8"),
                Column("target_date", css_class="col-md-4"),
            ),
            Field("description"),
            Fieldset(
                _("Capacity of a CSM"),
                Row(
                    Column("available_hours", css_class="col-md-6"),
                    Column("automation_percent", css_class="col-md-6"),
                ),
            ),
            Fieldset(
                _("Leaders and other roles"),
                Row(
                    Column("leader_experience", css_class="col-md-6"),
                    Column("span_of_control", css_class="col-md-6"),
                ),
                Row(
                    Column("operations_headcount", css_class="col-md-6"),
                    Column("marketing_headcount", css_class="col-md-6"),
                ),
            ),
            Fieldset(
                _("Pooled what-if"),
                HTML(
                    '<p class="small text-secondary">{% load i18n %}{% translate '
                    '"Try moving dedicated accounts into a pool: the results show '
                    'the CSMs before and after." %}</p>'
                ),
                Row(
                    Column("whatif_rule", css_class="col-md-6"),
                    Column("pool_hours_per_account", css_class="col-md-6"),
                ),
                Row(
                    Column("whatif_share", css_class="col-md-6"),
                    Column("whatif_threshold", css_class="col-md-6"),
                ),
            ),
        )

    def clean(self):
        data = super().clean()
        if data.get("whatif_rule") == "threshold" and data.get("whatif_threshold") in (
            None,
            "",
        ):
            self.add_error(
                "whatif_threshold",
                _("Give the ARR per account below which a segment moves into a pool."),
            )
        return data

    def plan_fields(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in PLAN_FIELDS}


WIDGET_CLASSES = {
    "segment": "form-control form-control-sm planner-segment",
    "coverage_model": "form-select form-select-sm planner-model",
    "accounts": "form-control form-control-sm planner-number",
    "arr": "form-control form-control-sm planner-money",
    "arr_per_csm": "form-control form-control-sm planner-money",
    "hours_per_account": "form-control form-control-sm planner-number",
}


class SegmentForm(forms.ModelForm):
    """One row: a segment and coverage model, its accounts and ARR, the benchmark
    and the hours per account."""

    class Meta:
        model = CapacityPlanSegment
        fields = list(SEGMENT_FIELDS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        fields = self.fields
        fields["segment"].error_messages["required"] = _("Name the segment.")
        fields["coverage_model"].error_messages["required"] = _(
            "Choose a coverage model."
        )
        fields["accounts"].error_messages["required"] = _(
            "Give the number of accounts (0 or more)."
        )
        fields["arr"].error_messages["required"] = _("Give the ARR (0 or more).")
        _messages(fields["arr"], _("ARR is a whole amount of yen, 0 or more."))
        fields["arr_per_csm"].error_messages["required"] = _(
            "Give the ARR one CSM carries."
        )
        _messages(
            fields["arr_per_csm"], _("The benchmark is a whole amount of yen over 0.")
        )
        fields["hours_per_account"].error_messages["required"] = _(
            "Give the hours an account needs a month."
        )
        _messages(fields["hours_per_account"], POSITIVE_HOURS_ERROR)
        fields["accounts"].error_messages["min_value"] = _("0 or more accounts.")
        fields["accounts"].widget.attrs.update(min=0)
        for name in ("arr", "arr_per_csm"):
            fields[name].widget.attrs.update(min=0, step=1)
            fields[name].help_text = WHOLE_YEN
        fields["hours_per_account"].widget.attrs.update(min=0.01, step=0.01)
        for name, field in fields.items():
            field.widget.attrs["class"] = WIDGET_CLASSES[name]
            field.widget.attrs["aria-label"] = str(field.label)

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["class"] += " is-invalid"
                attrs["aria-invalid"] = "true"

    def row(self) -> dict:
        return {name: self.cleaned_data[name] for name in SEGMENT_FIELDS}


class BaseSegmentFormSet(forms.BaseFormSet):
    """Every row may be left empty (it is ignored) or removed; at least one is
    filled, and a segment and coverage model come once."""

    def initial_form_count(self):
        # Bound, no row is an "initial" one that must be filled: an emptied row
        # is a removed row.
        return 0 if self.is_bound else super().initial_form_count()

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Remove")
            form.fields["DELETE"].widget.attrs["class"] = "form-check-input"

    def _kept(self):
        return [
            form
            for form in self.forms
            if form.has_changed() and not self._should_delete_form(form)
        ]

    def clean(self):
        if any(self.errors):
            return
        kept = self._kept()
        if not kept:
            raise forms.ValidationError(_("Add at least one segment to the plan."))
        seen = set()
        for form in kept:
            key = (form.cleaned_data["segment"].strip().casefold(),)
            key += (form.cleaned_data["coverage_model"],)
            if key in seen:
                form.add_error(
                    "segment",
                    _("This segment and coverage model is in the plan already."),
                )
            seen.add(key)

    def rows(self) -> list[dict]:
        return [form.row() for form in self._kept()]


SegmentFormSet = forms.formset_factory(
    SegmentForm,
    formset=BaseSegmentFormSet,
    extra=2,
    can_delete=True,
    max_num=MOST_SEGMENTS,
    validate_max=True,
)


def segment_initial(rows) -> list[dict]:
    """Rows (CapacityPlanSegment objects or dicts) as the formset's initial values."""
    return [
        {
            name: row.get(name) if isinstance(row, dict) else getattr(row, name)
            for name in SEGMENT_FIELDS
        }
        for row in rows
    ]
