"""Forms of the pages where admins do in Kata what they did in the Django admin:
a journey with its steps, a training module with its quiz, a customer account, and
a pool's members. Validation is the services' (`journeys.services`), shown on the
fields; these forms only shape the input."""

from crispy_forms.bootstrap import InlineRadios
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Field, Layout, Row
from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User

from .. import services
from ..models import CoverageModel, CustomerAccount, Journey, TrainingModule
from .accounts import CoverageFields
from .journeys import StepForm


def _no_tag(layout: Layout | None = None) -> FormHelper:
    """The `<form>` tag and buttons are in the template (several forms in one)."""
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    if layout is not None:
        helper.layout = layout
    return helper


class _UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.display_name


class JourneyForm(forms.ModelForm):
    coverage_models = forms.MultipleChoiceField(
        label=_("Coverage models"),
        choices=CoverageModel.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("None ticked: every coverage model."),
    )

    class Meta:
        model = Journey
        fields = [
            "name",
            "description",
            "segments",
            "coverage_models",
            "conversion_window_days",
            "is_active",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.coverage_models and not self.is_bound:
            self.initial["coverage_models"] = self.instance.coverage_models.split(",")
        self.helper = _no_tag(
            Layout(
                Field("name"),
                Field("description"),
                Row(Column("segments"), Column("coverage_models")),
                Row(Column("conversion_window_days"), Column("is_active")),
            )
        )

    def clean_coverage_models(self) -> str:
        return ",".join(self.cleaned_data["coverage_models"])

    def journey_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class NewStepForm(StepForm):
    """One step of a new journey; its place is its row."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["description"].widget.attrs["rows"] = 2
        self.fields["definition_of_done"].widget.attrs["rows"] = 2
        self.helper = _no_tag(
            Layout(
                Field("name"),
                Row(
                    Column("description", css_class="col-md-6"),
                    Column("definition_of_done", css_class="col-md-6"),
                ),
                Row(
                    Column("is_value_point"),
                    Column("target_days"),
                    Column("conversion_window_days"),
                ),
            )
        )


MAX_NEW_STEPS = 50


def step_formset(*, rows: int):
    """The steps of a new journey: `rows` rows to fill in (one at least)."""
    return forms.formset_factory(
        NewStepForm,
        extra=max(0, min(rows, MAX_NEW_STEPS) - 1),
        min_num=1,
        validate_min=True,
        max_num=MAX_NEW_STEPS,
        validate_max=True,
    )


class ModuleForm(forms.ModelForm):
    class Meta:
        model = TrainingModule
        fields = [
            "from_step",
            "title",
            "material",
            "pass_mark",
            "is_required",
            "is_active",
        ]
        widgets = {"material": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, steps, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["from_step"]
        field.queryset = steps
        field.label_from_instance = lambda step: f"{step.journey.name} · {step}"
        field.help_text = _("The training of the transition from this step.")
        self.fields["pass_mark"].widget.attrs.update(min=0, max=100)
        self.helper = _no_tag(
            Layout(
                Row(Column("from_step"), Column("title")),
                Field("material"),
                Row(Column("pass_mark"), Column("is_required"), Column("is_active")),
            )
        )

    def module_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


CHOICE_SLOTS = 4


class QuestionForm(forms.Form):
    """A quiz question with up to four choices, one marked correct."""

    text = forms.CharField(
        label=_("Question"), widget=forms.Textarea(attrs={"rows": 2})
    )
    correct = forms.TypedChoiceField(
        label=_("Correct answer"),
        choices=[(n, _("Choice %(number)d") % {"number": n}) for n in range(1, 5)],
        coerce=int,
        widget=forms.RadioSelect,
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for number in range(1, CHOICE_SLOTS + 1):
            self.fields[f"choice_{number}"] = forms.CharField(
                label=_("Choice %(number)d") % {"number": number},
                max_length=300,
                required=False,
            )
        self.helper = _no_tag(
            Layout(
                Field("text"),
                Row(
                    *[
                        Column(f"choice_{n}", css_class="col-md-6")
                        for n in range(1, CHOICE_SLOTS + 1)
                    ]
                ),
                InlineRadios("correct"),
            )
        )

    def choices(self) -> list[tuple[str, bool]]:
        correct = self.cleaned_data.get("correct")
        return [
            (self.cleaned_data.get(f"choice_{n}", ""), n == correct)
            for n in range(1, CHOICE_SLOTS + 1)
        ]

    def clean(self):
        data = super().clean()
        if "text" not in data:
            return data
        problems = services.quiz_question_problems(
            text=data["text"], choices=self.choices()
        )
        for key, problem in problems.items():
            self.add_error("choice_1" if key == "choices" else key, problem)
        return data

    def question(self) -> dict:
        return {"text": self.cleaned_data["text"], "choices": self.choices()}

    @staticmethod
    def initial_of(question) -> dict:
        """The form's initial values for a saved question and its choices."""
        choices = list(question.choices.all())
        initial = {"text": question.text}
        for number, choice in enumerate(choices[:CHOICE_SLOTS], start=1):
            initial[f"choice_{number}"] = choice.text
            if choice.is_correct:
                initial.setdefault("correct", number)
        return initial


class _QuestionFormSet(forms.BaseFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Remove this question")
            form.helper.layout.append(Field("DELETE"))


QuestionFormSet = forms.formset_factory(
    QuestionForm,
    formset=_QuestionFormSet,
    extra=2,
    max_num=30,
    validate_max=True,
    can_delete=True,
    can_delete_extra=False,
)


class AccountForm(CoverageFields, forms.ModelForm):
    """A new customer account and who covers it: a dedicated owner or a pool."""

    class Meta:
        model = CustomerAccount
        fields = ["name", "external_id", "segment", "arr", "journey"]

    def __init__(self, *args, journeys, owners, pools, asks_confirmation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["journey"].queryset = journeys
        self.fields["model"].initial = CoverageModel.DEDICATED
        self.fields["arr"].widget.attrs.update(min=0, step=1)
        self.fields["arr"].help_text = _("In yen, a whole amount.")
        confirmation = self.set_coverage_choices(
            owners=owners, pools=pools, asks_confirmation=asks_confirmation
        )
        self.helper = _no_tag(
            Layout(
                Row(Column("name"), Column("external_id")),
                Row(Column("segment"), Column("arr"), Column("journey")),
                Field("model"),
                Row(Column("owner"), Column("pool")),
                *confirmation,
            )
        )

    def service_fields(self) -> dict:
        data = self.cleaned_data
        dedicated = data["model"] == CoverageModel.DEDICATED
        return {
            "name": data["name"],
            "external_id": data["external_id"],
            "segment": data["segment"],
            "arr": data["arr"],
            "journey": data["journey"],
            "owner": data["owner"] if dedicated else None,
            "pool": None if dedicated else data["pool"],
            "confirm_not_ready": data.get("confirm_not_ready", False),
        }


class PoolMemberForm(forms.Form):
    user = _UserChoiceField(label=_("Member"), queryset=User.objects.none())
    start_date = forms.DateField(
        label=_("From"), widget=forms.DateInput(attrs={"type": "date"})
    )
    end_date = forms.DateField(
        label=_("Until"),
        required=False,
        help_text=_("The last day, included; empty while they stay."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, members, **kwargs):
        kwargs.setdefault("prefix", "add")
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = members
        self.helper = _no_tag(
            Layout(Row(Column("user"), Column("start_date"), Column("end_date")))
        )


class PoolMemberEndForm(forms.Form):
    membership = forms.IntegerField(widget=forms.HiddenInput)
    end_date = forms.DateField(
        label=_("Last day in the pool"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "end")
        super().__init__(*args, **kwargs)
