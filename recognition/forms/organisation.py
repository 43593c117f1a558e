"""Forms of organisation planning: a function of the role map, and the maturity
questionnaire (one choice per question, prefilled from the evidence). The rules
(a name for an own function, who shares it, the running quarter) are the
service's; these forms check the input and lay it out."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Field, Layout, Row, Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User

from .. import organisation
from ..models import RoleFunction


class RoleFunctionForm(forms.ModelForm):
    owner = forms.ModelChoiceField(
        label=_("Owner"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("Who does it or leads it today (optional)."),
    )

    class Meta:
        model = RoleFunction
        fields = [
            "name",
            "status",
            "shared_with",
            "importance",
            "owner",
            "position",
            "note",
        ]
        widgets = {
            "note": forms.Textarea(attrs={"rows": 3}),
            "status": forms.RadioSelect,
            "importance": forms.RadioSelect,
        }
        help_texts = {"position": _("Order on the map: smaller comes first.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = User.objects.filter(is_active=True)
        # A new function goes last unless a position is given (the service's).
        self.fields["position"].required = False
        self.fields["owner"].label_from_instance = lambda user: user.display_name
        if self.instance.is_standard:
            self.fields["name"].widget.attrs["placeholder"] = str(
                organisation.standard_function_name(self.instance.key)
            )
        else:
            self.fields["name"].help_text = ""
        self.fields["shared_with"].widget.attrs["placeholder"] = _(
            "e.g. the onboarding CSMs, sales operations"
        )
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field("name"),
            Row(Column("status"), Column("importance")),
            Field("shared_with"),
            Row(Column("owner"), Column("position")),
            Field("note"),
        )
        self.helper.add_input(Submit("submit", _("Save the function")))

    def validate_constraints(self):
        # The model's checks (a name, who shares it) are the service's, which
        # puts their errors on the fields rather than above the form.
        pass


class MaturityForm(forms.Form):
    """One yes / partly / no per question, then a note."""

    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What you discussed, what you will do this quarter."),
    )

    def __init__(self, *args, rows: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows
        for level_row in rows:
            for answer in level_row.answers:
                self.fields[answer.question.key] = forms.ChoiceField(
                    label=answer.question.text,
                    choices=organisation.ANSWERS,
                    widget=forms.RadioSelect,
                    required=True,
                    error_messages={"required": _("Answer this question.")},
                )

    def answers(self) -> dict[str, str]:
        return {key: self.cleaned_data[key] for key in organisation.QUESTION_KEYS}

    def field_rows(self):
        """Per level: the level row and each question's bound field beside its
        evidence, for the template."""
        return [
            (level_row, [(self[a.question.key], a) for a in level_row.answers])
            for level_row in self.rows
        ]
