"""Forms of the training pages: the quiz, assigning a module, a practicum step."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Field, Layout, Row, Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Team, User


class QuizForm(forms.Form):
    """One radio group per question (`question_<pk>`); `answers()` gives
    {question id: choice id} for `services.training_complete`."""

    def __init__(self, *args, questions, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        for number, question in enumerate(questions, start=1):
            self.fields[f"question_{question.pk}"] = forms.TypedChoiceField(
                label=_("%(number)d. %(text)s")
                % {"number": number, "text": question.text},
                choices=[(choice.pk, choice.text) for choice in question.choices.all()],
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={"required": _("Choose an answer.")},
            )
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Submit my answers")))

    def answers(self) -> dict[int, int]:
        return {
            question.pk: self.cleaned_data[f"question_{question.pk}"]
            for question in self.questions
        }


class _UserChoice(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return user.display_name


class AssignForm(forms.Form):
    member = _UserChoice(
        label=_("Member"), queryset=User.objects.none(), required=False
    )
    team = forms.ModelChoiceField(
        label=_("Team"),
        queryset=Team.objects.none(),
        required=False,
        help_text=_("Everyone who is in the team by the due date, joiners included."),
    )
    due_date = forms.DateField(
        label=_("Due date"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, members, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members
        self.fields["team"].queryset = teams
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Row(Column("member"), Column("team")), Field("due_date")
        )
        self.helper.add_input(Submit("submit", _("Assign")))

    def clean(self):
        cleaned = super().clean()
        if bool(cleaned.get("member")) == bool(cleaned.get("team")):
            self.add_error("member", _("Choose either a member or a team (not both)."))
        return cleaned


class PracticumStepForm(forms.Form):
    """A member's walk of one step: the checks of its definition of done and the
    reflection. The `<form>` tag and buttons are in the template (save / complete)."""

    checks_done = forms.MultipleChoiceField(
        label=_("What I checked, as the customer would"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    what_was_hard = forms.CharField(
        label=_("What was hard"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    where_stuck = forms.CharField(
        label=_("Where I got stuck"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    what_would_help = forms.CharField(
        label=_("What would have helped"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )

    def __init__(self, *args, step, **kwargs):
        super().__init__(*args, prefix=f"step-{step.pk}", **kwargs)
        self.step = step
        checks = step.done_checks()
        if checks:
            self.fields["checks_done"].choices = [(check, check) for check in checks]
        else:
            del self.fields["checks_done"]
        self.helper = FormHelper()
        self.helper.form_tag = False
