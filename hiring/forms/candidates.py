"""Forms of the candidate pages: validation and the crispy helper only."""

from crispy_forms.bootstrap import InlineRadios
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Field, Layout, Row, Submit
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from config.fields import DateTimeField

from ..models import Candidate, Decision

CANDIDATE_FIELDS = ["name", "name_reading", "email", "resume_url", "source", "notes"]


def _helper(submit_label, *, action: str = "", css_class: str = "btn-primary"):
    helper = FormHelper()
    if action:
        helper.form_action = action
    helper.add_input(Submit("submit", submit_label, css_class=css_class))
    return helper


class OpeningChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, opening):
        return f"{opening.title} · {opening.team.name}"


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return user.display_name


class CandidateForm(forms.ModelForm):
    """A candidate's details; on creation, optionally the opening they apply to."""

    opening = OpeningChoiceField(
        label=_("Applies to"),
        queryset=None,
        required=False,
        help_text=_("Optional: the opening the candidate applies to."),
    )

    class Meta:
        model = Candidate
        fields = CANDIDATE_FIELDS
        widgets = {"notes": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, openings=None, **kwargs):
        super().__init__(*args, **kwargs)
        fields = [
            Row(Column("name"), Column("name_reading")),
            Row(Column("email"), Column("source")),
            Field("notes"),
        ]
        if openings is None:
            del self.fields["opening"]
        else:
            self.fields["opening"].queryset = openings
            fields.append(Field("opening"))
        self.helper = _helper(_("Save"))
        self.helper.layout = Layout(*fields)


class ApplyForm(forms.Form):
    opening = OpeningChoiceField(label=_("Opening"), queryset=None)

    def __init__(self, *args, openings, action: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["opening"].queryset = openings
        self.helper = _helper(_("Apply to this opening"), action=action)


class DecisionForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Decision"), choices=Decision.Kind.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Refer to the competencies and the evidence in the scorecards."),
        error_messages={"required": _("Give the reason for the decision.")},
    )

    def __init__(self, *args, action: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Record the decision"), action=action)
        self.helper.layout = Layout(InlineRadios("kind"), Field("reason"))


class HireForm(forms.Form):
    start_date = forms.DateField(
        label=_("First day in the team"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        required=False,
        help_text=_(
            "For the new Kata user. When left empty, the part of the candidate's "
            "email address before the @ is used."
        ),
    )

    def __init__(self, *args, creates_user: bool, **kwargs):
        kwargs.setdefault("initial", {"start_date": timezone.localdate()})
        super().__init__(*args, **kwargs)
        if not creates_user:
            del self.fields["username"]
        self.helper = _helper(_("Mark as hired"), css_class="btn-success")


class InterviewForm(forms.Form):
    kit = forms.ModelChoiceField(label=_("Interview kit"), queryset=None)
    interviewer = PersonChoiceField(label=_("Interviewer"), queryset=None)
    scheduled_at = DateTimeField(
        label=_("Date and time"),
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
        ),
    )
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), min_value=15, max_value=480, initial=60
    )

    def __init__(self, *args, kits, interviewers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kit"].queryset = kits
        self.fields["interviewer"].queryset = interviewers
        self.helper = _helper(_("Schedule the interview"))
        self.helper.layout = Layout(
            Row(Column("kit"), Column("interviewer")),
            Row(Column("scheduled_at"), Column("duration_minutes")),
        )


SCALE = [(value, str(value)) for value in range(1, 6)]


class FeedbackForm(forms.Form):
    """The candidate's view of the process: 1–5 on each value, and a comment."""

    comment = forms.CharField(
        label=_("Anything you would like to tell us (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, values, **kwargs):
        super().__init__(*args, **kwargs)
        names = []
        for competency in values:
            name = f"value_{competency.pk}"
            self.fields[name] = forms.TypedChoiceField(
                label=competency.tr("name"),
                choices=SCALE,
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={"required": _("Please choose from 1 to 5.")},
            )
            names.append(name)
        self.fields["comment"] = self.fields.pop("comment")
        self.helper = _helper(_("Send my answers"))
        self.helper.layout = Layout(
            *(InlineRadios(name) for name in names), Field("comment")
        )

    def ratings(self) -> dict[int, int]:
        return {
            int(name.removeprefix("value_")): value
            for name, value in self.cleaned_data.items()
            if name.startswith("value_")
        }
