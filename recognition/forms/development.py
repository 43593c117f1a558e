"""Forms of assessments and development plans: validation and layout only (the
services hold the rules). Percentages are typed as 0–100 and handed to the services
as fractions, the way figures are stored."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Field, Layout, Row, Submit
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hiring.models import Competency

from .. import metrics
from ..models import PlanStatus

RATING_CHOICES = [
    (1, _("1 · Not yet")),
    (2, _("2 · Developing")),
    (3, _("3 · Proficient")),
    (4, _("4 · Role model")),
]
RATING_ERROR = _("A rating is a whole number from 1 to 4.")


class DateInput(forms.DateInput):
    input_type = "date"


# --- Assessments ---------------------------------------------------------------------


class RatingForm(forms.Form):
    """One competency's row: its rating and the evidence behind it."""

    rating = forms.TypedChoiceField(
        label=_("Rating"),
        choices=RATING_CHOICES,
        coerce=int,
        empty_value=None,
        widget=forms.RadioSelect(attrs={"class": "btn-check", "autocomplete": "off"}),
        error_messages={
            "required": _("Choose a rating from 1 to 4."),
            "invalid_choice": RATING_ERROR,
        },
    )
    evidence = forms.CharField(
        label=_("Evidence"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=5000,
        error_messages={"required": _("Write what you observed.")},
        help_text=_("What you saw the member do: situations, customers, results."),
    )

    def __init__(self, *args, competency: Competency, **kwargs):
        super().__init__(*args, **kwargs)
        self.competency = competency


class BaseRatingFormSet(forms.BaseFormSet):
    """One row per active competency, in a fixed order: the rows never depend on
    the management form's counts."""

    def __init__(self, *args, competencies: list[Competency], **kwargs):
        self.competencies = competencies
        super().__init__(*args, **kwargs)

    def total_form_count(self):
        return len(self.competencies)

    def initial_form_count(self):
        return len(self.competencies)

    def get_form_kwargs(self, index):
        return {"competency": self.competencies[index]}

    def ratings(self) -> list[dict]:
        return [
            {
                "competency": form.competency,
                "rating": form.cleaned_data["rating"],
                "evidence": form.cleaned_data["evidence"],
            }
            for form in self.forms
        ]


RatingFormSet = forms.formset_factory(RatingForm, formset=BaseRatingFormSet, extra=0)


class AssessmentNoteForm(forms.Form):
    note = forms.CharField(
        label=_("Overall note"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=5000,
    )


# --- Plans ---------------------------------------------------------------------------


class _CompetencyChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, competency):
        return str(competency)


class PlanForm(forms.Form):
    summary = forms.CharField(
        label=_("Summary"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=5000,
        help_text=_("Where the member wants to grow, in a few sentences."),
    )
    status = forms.ChoiceField(label=_("Status"), choices=PlanStatus.choices)
    focus_competencies = _CompetencyChoice(
        label=_("Focus competencies"),
        queryset=Competency.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["focus_competencies"].queryset = Competency.objects.filter(
            is_active=True
        ).order_by("category", "name")
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Save the plan")))


def metric_choices() -> list[tuple[str, str]]:
    return [(m.key, str(m.label)) for m in metrics.catalogue()]


def value_for_display(metric: metrics.Metric | None, value: float | None):
    """A stored value as typed in a form: percentages as 0–100."""
    if value is None:
        return None
    if metric is not None and metric.unit == metrics.Unit.PERCENT:
        return round(value * 100, 2)
    return value


def value_from_input(form: forms.Form, metric, field_name: str):
    """The typed value as stored (a fraction for percentages), or None with the
    error added on the field."""
    typed = form.cleaned_data.get(field_name)
    if typed is None or metric is None:
        return None
    typed = float(typed)
    if metric.unit == metrics.Unit.PERCENT:
        # NRR may pass 100 % (`Metric.max_value` is None for it).
        if not 0 <= typed <= 100 and not (metric.max_value is None and typed > 0):
            form.add_error(field_name, _("A percentage is from 0 to 100."))
            return None
        return typed / 100
    if typed < 0:
        form.add_error(field_name, _("The value cannot be negative."))
        return None
    return typed


class TargetForm(forms.Form):
    """A target metric; the value is typed as shown (a percentage for rates)."""

    metric = forms.ChoiceField(
        label=_("Metric"),
        error_messages={"invalid_choice": _("Choose a metric of the catalogue.")},
    )
    target_value = forms.DecimalField(
        label=_("Target value"),
        max_digits=12,
        decimal_places=2,
        help_text=_("For a rate, a percentage from 0 to 100 (75 for 75 %)."),
    )
    by_date = forms.DateField(label=_("By"), widget=DateInput)

    def __init__(self, *args, fixed_metric: metrics.Metric | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fixed_metric = fixed_metric
        if fixed_metric is not None:
            self.fields["metric"].choices = [
                (fixed_metric.key, str(fixed_metric.label))
            ]
            self.fields["metric"].initial = fixed_metric.key
            self.fields["metric"].disabled = True
        else:
            self.fields["metric"].choices = [("", "---------"), *metric_choices()]
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field("metric"), Row(Column("target_value"), Column("by_date"))
        )
        self.helper.add_input(Submit("submit", _("Save the target")))

    def clean(self):
        cleaned = super().clean()
        key = cleaned.get("metric")
        metric = self.fixed_metric or (
            metrics.metric_by_key(key, metrics=metrics.catalogue()) if key else None
        )
        cleaned["value"] = value_from_input(self, metric, "target_value")
        return cleaned


class ActionForm(forms.Form):
    text = forms.CharField(label=_("Action"), max_length=500)
    due_date = forms.DateField(label=_("Due date"), widget=DateInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Row(Column("text", css_class="col-md-8"), Column("due_date"))
        )
        self.helper.add_input(Submit("submit", _("Add the action")))


class CheckInForm(forms.Form):
    held_on = forms.DateField(label=_("Date"), widget=DateInput)
    status = forms.ChoiceField(label=_("Status"), choices=PlanStatus.choices)
    text = forms.CharField(
        label=_("Notes"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        error_messages={"required": _("Write what was discussed.")},
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"held_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Row(Column("held_on"), Column("status")), Field("text")
        )
        self.helper.add_input(Submit("submit", _("Add the check-in")))

    def clean_held_on(self):
        held_on = self.cleaned_data["held_on"]
        if held_on > timezone.localdate():
            raise forms.ValidationError(_("A check-in is dated today or earlier."))
        return held_on


class TransitionForm(forms.Form):
    """Closing the loop: the target on a transition's conversion and when its
    training is due."""

    target_value = forms.DecimalField(
        label=_("Target conversion (%)"),
        max_digits=5,
        decimal_places=1,
        min_value=0,
        max_value=100,
        error_messages={
            "min_value": _("A percentage is from 0 to 100."),
            "max_value": _("A percentage is from 0 to 100."),
        },
    )
    by_date = forms.DateField(label=_("By"), widget=DateInput)
    training_due_date = forms.DateField(
        label=_("Training due"),
        widget=DateInput,
        help_text=_("For modules that are not assigned to the member yet."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Row(Column("target_value"), Column("by_date"), Column("training_due_date"))
        )
        self.helper.add_input(Submit("submit", _("Add to the plan")))

    def clean(self):
        cleaned = super().clean()
        today = timezone.localdate()
        for name in ("by_date", "training_due_date"):
            if cleaned.get(name) and cleaned[name] < today:
                self.add_error(name, _("The date is in the past."))
        if cleaned.get("target_value") is not None:
            cleaned["value"] = float(cleaned["target_value"]) / 100
        return cleaned
