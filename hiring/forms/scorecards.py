"""Scorecard forms: the interviewer's scorecard and the reason for a correction."""

from dataclasses import dataclass

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.forms import BoundField
from django.utils.translation import gettext_lazy as _

from .. import services
from ..models import Competency, KitQuestion, Rating, Recommendation, ScorecardRevision

RATING_ERROR = _("A rating is a whole number from 1 to 4.")


def _rating_field(label, choices=Rating.choices) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=choices,
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect(attrs={"class": "btn-check", "autocomplete": "off"}),
        error_messages={"invalid_choice": RATING_ERROR},
    )


@dataclass
class QuestionRow:
    kit_question: KitQuestion
    notes: BoundField
    rating: BoundField


@dataclass
class CompetencyRow:
    competency: Competency
    rating: BoundField
    proposed: int | None
    question_fields: list[str]

    @property
    def proposed_label(self) -> str:
        return Rating(self.proposed).label if self.proposed else ""


def _as_rating(value) -> int | None:
    try:
        rating = int(value)
    except (TypeError, ValueError):
        return None
    return rating if rating in Rating.values else None


class ScorecardForm(forms.Form):
    """Every field of a scorecard, named as the service names its errors:
    `question_<id>` (rating) with `question_<id>_notes`, `competency_<id>`,
    `overall` and `summary`.

    A field left out of the posted data keeps its saved value, so that a partial
    post (an autosave of some fields) never erases the rest. A question's notes
    and rating travel together: a posted question without a rating has none.
    """

    overall = _rating_field(_("Overall recommendation"), Recommendation.choices)
    summary = forms.CharField(
        label=_("Summary"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "class": "form-control"}),
        help_text=_("Strengths, concerns, and what the next interviewer should probe."),
    )

    def __init__(self, *args, kit_questions: list[KitQuestion], **kwargs):
        super().__init__(*args, **kwargs)
        self.kit_questions = kit_questions
        self.competencies: dict[int, Competency] = {}
        for kit_question in kit_questions:
            question = kit_question.question
            self.fields[f"question_{question.pk}_notes"] = forms.CharField(
                label=_("Answer notes"),
                required=False,
                widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
            )
            self.fields[f"question_{question.pk}"] = _rating_field(_("Rating"))
            self.competencies.setdefault(question.competency_id, question.competency)
        for competency in self.competencies.values():
            self.fields[f"competency_{competency.pk}"] = _rating_field(
                competency.tr("name")
            )
        # Overall and summary close the form, after the competencies.
        self.order_fields(
            [n for n in self.fields if n not in ("overall", "summary")]
            + ["overall", "summary"]
        )

    @classmethod
    def initial_for(
        cls, revision: ScorecardRevision, kit_questions: list[KitQuestion]
    ) -> dict:
        """What the saved draft holds, and nothing more: an unrated competency stays
        unrated (its proposal is a hint beside it; the interviewer chooses)."""
        initial = {"overall": revision.overall, "summary": revision.summary}
        answers = {answer.question_id: answer for answer in revision.answers.all()}
        for kit_question in kit_questions:
            question = kit_question.question
            answer = answers.get(question.pk)
            initial[f"question_{question.pk}_notes"] = answer.notes if answer else ""
            initial[f"question_{question.pk}"] = answer.rating if answer else None
        saved = {r.competency_id: r.rating for r in revision.competency_ratings.all()}
        for kit_question in kit_questions:
            competency_id = kit_question.question.competency_id
            initial[f"competency_{competency_id}"] = saved.get(competency_id)
        return initial

    def rating_names(self) -> list[str]:
        """Every rating to give before submitting, in the page's order."""
        return [
            *(f"question_{kq.question_id}" for kq in self.kit_questions),
            *(f"competency_{pk}" for pk in self.competencies),
            "overall",
        ]

    def progress(self) -> tuple[int, int]:
        """(ratings given, ratings to give) as the form holds them."""
        names = self.rating_names()
        rated = sum(1 for name in names if _as_rating(self[name].value()) is not None)
        return rated, len(names)

    def question_rows(self) -> list[QuestionRow]:
        return [
            QuestionRow(
                kit_question,
                self[f"question_{kit_question.question_id}_notes"],
                self[f"question_{kit_question.question_id}"],
            )
            for kit_question in self.kit_questions
        ]

    def competency_rows(self) -> list[CompetencyRow]:
        rows = []
        for competency in self.competencies.values():
            question_fields = [
                f"question_{kit_question.question_id}"
                for kit_question in self.kit_questions
                if kit_question.question.competency_id == competency.pk
            ]
            proposed = services.proposed_rating(
                _as_rating(self[name].value()) for name in question_fields
            )
            rows.append(
                CompetencyRow(
                    competency,
                    self[f"competency_{competency.pk}"],
                    proposed,
                    question_fields,
                )
            )
        return rows

    def _posted(self, name: str) -> bool:
        return name in self.data

    def draft_changes(self) -> dict:
        """Keyword arguments for `services.scorecard_save_draft`: the posted fields."""
        data = self.cleaned_data
        answers = {}
        for kit_question in self.kit_questions:
            name = f"question_{kit_question.question_id}"
            if self._posted(name) or self._posted(f"{name}_notes"):
                answers[kit_question.question_id] = {
                    "notes": data.get(f"{name}_notes") or "",
                    "rating": data.get(name),
                }
        competency_ratings = {
            pk: data.get(f"competency_{pk}")
            for pk in self.competencies
            if self._posted(f"competency_{pk}")
        }
        overall = None
        if self._posted("overall"):
            # "" clears the saved recommendation; None would keep it.
            overall = data.get("overall") or ""
        return {
            "answers": answers,
            "competency_ratings": competency_ratings,
            "overall": overall,
            "summary": data.get("summary") if self._posted("summary") else None,
        }

    def add_service_errors(self, errors: dict[str, list[str]]) -> None:
        """Errors of the service, on the field they concern when it is a field."""
        for key, messages in errors.items():
            for message in messages:
                self.add_error(key if key in self.fields else None, message)


class CorrectionForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the correction"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Shown in the scorecard's history to everyone who may read it, "
            "with your name and the time."
        ),
        error_messages={"required": _("Say why the scorecard is corrected.")},
    )

    def __init__(self, *args, action: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_id = "correction-form"
        self.helper.form_action = action
        self.helper.add_input(
            Submit("correct", _("Correct this scorecard"), css_class="btn-warning")
        )
