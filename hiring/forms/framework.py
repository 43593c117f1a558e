"""Forms of the competency framework, the question bank and interview kits."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Field, Layout, Row, Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from .. import services
from ..models import Competency, InterviewStage, Question, SuccessProfile

WEIGHT_MESSAGE = _("A weight is a whole number from 1 to 5.")
POSITION_MESSAGE = _("A position is a whole number from 1.")


def _helper(submit_label, *, form_tag: bool = True) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = form_tag
    if form_tag:
        helper.add_input(Submit("submit", submit_label))
    return helper


def _textarea(rows: int) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class CompetencyForm(forms.ModelForm):
    class Meta:
        model = Competency
        fields = [
            "name",
            "name_en",
            "category",
            "description",
            "description_en",
            "indicators",
            "indicators_en",
            "is_active",
        ]
        widgets = {
            "description": _textarea(3),
            "description_en": _textarea(3),
            "indicators": _textarea(5),
            "indicators_en": _textarea(5),
        }
        help_texts = {
            "is_active": _(
                "Retired competencies are no longer offered for profiles and new "
                "questions; past ratings keep them."
            ),
        }

    def __init__(self, *args, is_new: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        last = []
        if is_new:
            del self.fields["is_active"]
        else:
            last.append(Field("is_active"))
        self.helper = _helper(_("Create") if is_new else _("Save"))
        self.helper.layout = Layout(
            Row(Column("name"), Column("name_en")),
            Field("category"),
            Row(Column("description"), Column("description_en")),
            Row(Column("indicators"), Column("indicators_en")),
            *last,
        )


class ProfileCopyForm(forms.Form):
    name = forms.CharField(label=_("Name of the copy"), max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Copy"), form_tag=False)


class ProfileForm(forms.ModelForm):
    """The profile's names and description, and a weight 1–5 (or none: not in the
    profile) for each competency of `rows` (competency, current weight)."""

    class Meta:
        model = SuccessProfile
        fields = ["name", "name_en", "description", "description_en"]
        widgets = {"description": _textarea(3), "description_en": _textarea(3)}

    def __init__(self, *args, rows, **kwargs):
        super().__init__(*args, **kwargs)
        self.competencies = [competency for competency, _weight in rows]
        for competency, weight in rows:
            self.fields[self.weight_field(competency.pk)] = forms.IntegerField(
                label=str(competency),
                required=False,
                initial=weight,
                min_value=1,
                max_value=5,
                error_messages={
                    "invalid": WEIGHT_MESSAGE,
                    "min_value": WEIGHT_MESSAGE,
                    "max_value": WEIGHT_MESSAGE,
                },
            )

    @staticmethod
    def weight_field(competency_id) -> str:
        return f"weight_{competency_id}"

    def weight_rows(self):
        """(competency, its bound weight field), in the table's order."""
        return [
            (competency, self[self.weight_field(competency.pk)])
            for competency in self.competencies
        ]

    def profile_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}

    def weights(self) -> dict[int, int]:
        return {
            competency.pk: weight
            for competency in self.competencies
            if (weight := self.cleaned_data.get(self.weight_field(competency.pk)))
            is not None
        }


class QuestionForm(forms.ModelForm):
    class Meta:
        model = Question
        fields = [*services.QUESTION_CONTENT_FIELDS, "is_active"]
        widgets = {
            "kind": forms.RadioSelect,
            "text": _textarea(3),
            "text_en": _textarea(3),
            **{
                f"rubric_{rating}{suffix}": _textarea(2)
                for rating in range(1, 5)
                for suffix in ("", "_en")
            },
        }
        help_texts = {
            "is_active": _(
                "A retired question stays in past scorecards but is no longer "
                "offered for kits."
            ),
        }

    def __init__(self, *args, is_new: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = Question.Kind.choices  # no blank radio
        current = self.instance.competency_id
        self.fields["competency"].queryset = Competency.objects.filter(
            is_active=True
        ) | Competency.objects.filter(pk=current)
        last = []
        if is_new:
            del self.fields["is_active"]
        else:
            last.append(Field("is_active"))
        self.helper = _helper(_("Create") if is_new else _("Save"))
        self.helper.layout = Layout(
            Row(Column("competency"), Column("kind")),
            Row(Column("text"), Column("text_en")),
            *(
                Row(Column(f"rubric_{rating}"), Column(f"rubric_{rating}_en"))
                for rating in range(1, 5)
            ),
            *last,
        )

    def clean(self):
        data = super().clean()
        # Browsers send a textarea's line breaks as CRLF: a text that differs from the
        # saved one only there is unchanged (and a question that scorecards have used
        # may still be retired).
        if self.instance.pk:
            for name, value in data.items():
                saved = getattr(self.instance, name, None)
                same = isinstance(saved, str) and isinstance(value, str)
                if same and _lines(value) == _lines(saved):
                    data[name] = saved
        return data


def _lines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def question_filter_form(form: forms.Form) -> forms.Form:
    """The form of `filters.QuestionFilter` (shared with the API) dressed for the
    question bank's page: the competency as a list to choose from, labels for
    "all"."""
    competency = form.fields["competency"]
    competency.label = _("Competency")
    competency.widget = forms.Select(
        choices=[
            ("", _("All competencies")),
            *Competency.objects.order_by("name").values_list("pk", "name"),
        ]
    )
    form.fields["kind"].choices = [("", _("All kinds")), *Question.Kind.choices]
    form.fields["kind"].label = _("Kind")
    for name in ("competency", "kind", "status"):
        form.fields[name].widget.attrs["class"] = "form-select"
    form.fields["q"].widget.attrs.update(
        {"class": "form-control", "placeholder": _("Words in the question")}
    )
    return form


class KitCreateForm(forms.Form):
    stage = forms.ChoiceField(label=_("Stage"), choices=InterviewStage.choices)
    guidance = forms.CharField(
        label=_("Guidance for the interviewer"),
        required=False,
        widget=_textarea(5),
        help_text=_("How to open, what to probe, how to close."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Create the kit and choose its questions"))


class KitEditForm(forms.Form):
    """The kit's guidance and its questions: a checkbox and a position per question.

    Checked questions are asked by their position numbers; equal numbers keep the
    order of the page, and checked questions without a number come last.
    """

    guidance = forms.CharField(
        label=_("Guidance for the interviewer"),
        required=False,
        widget=_textarea(5),
        help_text=_("How to open, what to probe, how to close."),
    )

    def __init__(self, *args, in_kit, bank, **kwargs):
        super().__init__(*args, **kwargs)
        self.in_kit = in_kit
        self.bank = bank
        # The order of the page: the kit's questions, then the bank's.
        self.offered = [kit_question.question for kit_question in in_kit] + [
            question for group in bank for question in group.questions
        ]
        positions = {kq.question_id: kq.position for kq in in_kit}
        for question in self.offered:
            self.fields[f"include_{question.pk}"] = forms.BooleanField(
                label=_("Ask this question"),
                required=False,
                initial=question.pk in positions,
                widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
            )
            self.fields[f"position_{question.pk}"] = forms.IntegerField(
                label=_("Position"),
                required=False,
                min_value=1,
                max_value=999,
                initial=positions.get(question.pk),
                error_messages={
                    "invalid": POSITION_MESSAGE,
                    "min_value": POSITION_MESSAGE,
                    "max_value": POSITION_MESSAGE,
                },
            )

    def _row(self, question):
        return {
            "question": question,
            "include": self[f"include_{question.pk}"],
            "position": self[f"position_{question.pk}"],
        }

    def kit_rows(self):
        return [self._row(kit_question.question) for kit_question in self.in_kit]

    def bank_groups(self):
        return [
            {"group": group, "rows": [self._row(q) for q in group.questions]}
            for group in self.bank
        ]

    def clean(self):
        data = super().clean()
        chosen = []
        for index, question in enumerate(self.offered):
            if not data.get(f"include_{question.pk}"):
                continue
            position = data.get(f"position_{question.pk}")
            chosen.append((position is None, position or 0, index, question.pk))
        data["question_ids"] = [pk for *_order, pk in sorted(chosen)]
        return data
