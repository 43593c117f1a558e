"""Forms of the career ladder, promotion criteria and promotions. The criteria
forms serve the ladder pages and the Django admin alike; thresholds on rates are
typed as percentages (0–100) and stored as fractions."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Field, Layout, Row, Submit
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hiring.models import Competency
from journeys.models import TrainingModule

from .. import metrics
from ..models import (
    CareerLevel,
    CareerTrack,
    CompetencyCriterion,
    MetricCriterion,
    PromotionStep,
)
from ..selectors.promotion import level_name
from ..services import promotion as services
from .development import RATING_CHOICES, DateInput, value_for_display


class _LevelChoice(forms.ModelChoiceField):
    def label_from_instance(self, level):
        return level_name(level)


class LevelForm(forms.ModelForm):
    class Meta:
        model = CareerLevel
        fields = ["name", "name_en", "position", "description"]
        help_texts = {
            "position": _("Order on the ladder: 1 is the first level."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Row(Column("name"), Column("name_en")), Field("position"), "description"
        )
        self.helper.add_input(Submit("submit", _("Save the level")))


class TrackForm(forms.ModelForm):
    """A track: a team's or a journey's ladder (one of the two at most)."""

    class Meta:
        model = CareerTrack
        fields = ["name", "team", "journey"]
        help_texts = {
            "team": _("Its members (and those of its sub-teams) climb this ladder."),
            "journey": _(
                "Members with no team track whose accounts are mostly on this "
                "journey climb this ladder."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = self.fields["team"].queryset.order_by("name")
        self.fields["journey"].queryset = self.fields["journey"].queryset.order_by(
            "name"
        )
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field("name"), Row(Column("team"), Column("journey"))
        )
        self.helper.add_input(Submit("submit", _("Save the track")))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("team") and cleaned.get("journey"):
            self.add_error(
                "journey", _("A track belongs to a team or to a journey, not both.")
            )
        return cleaned


class StepForm(forms.ModelForm):
    track = forms.ModelChoiceField(
        label=_("Track"),
        queryset=CareerTrack.objects.order_by("-is_default", "name"),
        empty_label=None,
        required=False,
        help_text=_("Whose ladder these criteria belong to."),
    )
    from_level = _LevelChoice(label=_("From level"), queryset=CareerLevel.objects.all())
    to_level = _LevelChoice(label=_("To level"), queryset=CareerLevel.objects.all())
    required_modules = forms.ModelMultipleChoiceField(
        label=_("Required training modules"),
        queryset=TrainingModule.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Passed (quiz included) before the promotion."),
    )

    class Meta:
        model = PromotionStep
        fields = ["track", "from_level", "to_level", "required_modules"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        levels = CareerLevel.objects.order_by("position")
        self.fields["from_level"].queryset = levels
        self.fields["to_level"].queryset = levels
        modules = TrainingModule.objects.filter(is_active=True)
        if self.instance.pk:
            # A module retired since it was required stays listed until removed.
            modules = modules | TrainingModule.objects.filter(
                pk__in=self.instance.required_modules.values("pk")
            )
        self.fields["required_modules"].queryset = modules.select_related(
            "from_step__journey"
        ).order_by("from_step__journey__name", "from_step__position", "title")
        self.fields["required_modules"].label_from_instance = lambda module: (
            f"{module.title} ({module.from_step.journey.name})"
        )

    def clean(self):
        cleaned = super().clean()
        try:
            services.check_levels(cleaned.get("from_level"), cleaned.get("to_level"))
        except ValidationError as error:
            self.add_error(None, error)
        return cleaned


class MetricCriterionForm(forms.ModelForm):
    """A threshold on a metric of the catalogue."""

    metric = forms.ChoiceField(
        label=_("Metric"),
        error_messages={"invalid_choice": _("Choose a metric of the catalogue.")},
    )
    value = forms.DecimalField(
        label=_("Threshold"),
        max_digits=12,
        decimal_places=2,
        help_text=_("Rates as a percentage (65 for 65 %)."),
    )

    class Meta:
        model = MetricCriterion
        fields = ["metric", "comparison", "value", "months"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        catalogue = metrics.catalogue()
        self._catalogue = {m.key: m for m in catalogue}
        choices = [("", "---------")] + [(m.key, str(m.label)) for m in catalogue]
        if self.instance.pk and self.instance.metric not in self._catalogue:
            choices.append((self.instance.metric, self.instance.metric))
        self.fields["metric"].choices = choices
        if self.instance.pk:
            metric = self._catalogue.get(self.instance.metric)
            self.initial["value"] = value_for_display(metric, self.instance.value)

    def clean(self):
        cleaned = super().clean()
        metric = self._catalogue.get(cleaned.get("metric") or "")
        typed = cleaned.get("value")
        if cleaned.get("metric") and metric is None:
            self.add_error("metric", _("Choose a metric of the catalogue."))
        elif metric is not None and typed is not None:
            typed = float(typed)
            if metric.unit == metrics.Unit.PERCENT:
                # NRR may pass 100 % (`Metric.max_value` is None for it).
                if not 0 <= typed <= 100 and not (
                    metric.max_value is None and typed > 0
                ):
                    self.add_error("value", _("A percentage is from 0 to 100."))
                else:
                    cleaned["value"] = typed / 100
            elif typed < 0:
                self.add_error("value", _("The value cannot be negative."))
            else:
                cleaned["value"] = typed
        return cleaned

    def criterion(self) -> dict:
        return {
            name: self.cleaned_data[name]
            for name in ("metric", "comparison", "value", "months")
        }


class CompetencyCriterionForm(forms.ModelForm):
    minimum_rating = forms.TypedChoiceField(
        label=_("Minimum rating"),
        choices=[("", "---------"), *RATING_CHOICES],
        coerce=int,
        empty_value=None,
    )

    class Meta:
        model = CompetencyCriterion
        fields = ["competency", "minimum_rating"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        competencies = Competency.objects.filter(is_active=True)
        if self.instance.pk:
            competencies = competencies | Competency.objects.filter(
                pk=self.instance.competency_id
            )
        self.fields["competency"].queryset = competencies.order_by("category", "name")

    def validate_unique(self):
        # The criteria are replaced as a set: the formset checks duplicates.
        pass

    def validate_constraints(self):
        pass

    def criterion(self) -> dict:
        return {
            "competency": self.cleaned_data["competency"],
            "minimum_rating": self.cleaned_data["minimum_rating"],
        }


class _CriteriaFormSet(forms.BaseInlineFormSet):
    def kept_forms(self):
        return [
            form
            for form in self.forms
            if form.has_changed()
            and form.cleaned_data
            and not self._should_delete_form(form)
        ]

    def criteria(self) -> list[dict]:
        return [form.criterion() for form in self.kept_forms()]


class MetricCriterionFormSet(_CriteriaFormSet):
    def clean(self):
        super().clean()
        if any(form.errors for form in self.forms):
            return
        seen = set()
        for form in self.kept_forms():
            key = (form.cleaned_data["metric"], form.cleaned_data["comparison"])
            if key in seen:
                raise ValidationError(
                    _("The same metric has two thresholds of the same kind.")
                )
            seen.add(key)


class CompetencyCriterionFormSet(_CriteriaFormSet):
    def clean(self):
        super().clean()
        if any(form.errors for form in self.forms):
            return
        seen = set()
        for form in self.kept_forms():
            competency = form.cleaned_data["competency"]
            if competency.pk in seen:
                raise ValidationError(
                    _("“%(competency)s” appears twice.") % {"competency": competency}
                )
            seen.add(competency.pk)


# A step has a few criteria. The cap is also what the server builds at most: a
# posted TOTAL_FORMS of 10**20 would otherwise build and render 1,000 forms.
MAX_CRITERIA = 50

MetricCriteria = forms.inlineformset_factory(
    PromotionStep,
    MetricCriterion,
    form=MetricCriterionForm,
    formset=MetricCriterionFormSet,
    extra=2,
    can_delete=True,
    max_num=MAX_CRITERIA,
    absolute_max=MAX_CRITERIA,
    validate_max=True,
)
CompetencyCriteria = forms.inlineformset_factory(
    PromotionStep,
    CompetencyCriterion,
    form=CompetencyCriterionForm,
    formset=CompetencyCriterionFormSet,
    extra=2,
    can_delete=True,
    max_num=MAX_CRITERIA,
    absolute_max=MAX_CRITERIA,
    validate_max=True,
)


class PromotionForm(forms.Form):
    level = _LevelChoice(label=_("New level"), queryset=CareerLevel.objects.none())
    since = forms.DateField(label=_("From"), widget=DateInput)
    note = forms.CharField(
        label=_("Why (the decision in a few words)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=5000,
    )

    def __init__(self, *args, next_level: CareerLevel | None = None, **kwargs):
        kwargs.setdefault(
            "initial", {"level": next_level, "since": timezone.localdate()}
        )
        super().__init__(*args, **kwargs)
        self.fields["level"].queryset = CareerLevel.objects.order_by("position")
        self.helper = FormHelper()
        self.helper.layout = Layout(Row(Column("level"), Column("since")), "note")
        self.helper.add_input(Submit("submit", _("Record the level")))
