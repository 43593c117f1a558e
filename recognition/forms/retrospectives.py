"""Forms of step retrospectives: the member's look back, the leader's comment."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

MAX_TEXT = 5000


def _text(label, help_text=""):
    return forms.CharField(
        label=label,
        required=False,
        max_length=MAX_TEXT,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class RetrospectiveTextsForm(forms.Form):
    """What went well, what did not, what next time (changing one: these only)."""

    went_well = _text(_("What went well"))
    went_badly = _text(_("What did not go well"))
    next_time = _text(
        _("What I will do next time"),
        _("Concrete actions, for example a playbook step you will apply."),
    )

    def __init__(self, *args, submit_label=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", submit_label or _("Save")))

    def clean(self):
        cleaned = super().clean()
        if not any(
            (cleaned.get(name) or "").strip()
            for name in ("went_well", "went_badly", "next_time")
        ):
            raise forms.ValidationError(
                _(
                    "Write at least one of what went well, what did not go well and "
                    "what you will do next time."
                )
            )
        return cleaned


class RetrospectiveForm(RetrospectiveTextsForm):
    """A new retrospective: the transition (the member's worst conversions of the
    month first, with their figure) and the texts."""

    from_step = forms.TypedChoiceField(
        label=_("Transition"),
        coerce=int,
        empty_value=None,
        help_text=_("Your weakest conversions of the month come first."),
        error_messages={"invalid_choice": _("Choose one of the transitions listed.")},
    )

    field_order = ["from_step", "went_well", "went_badly", "next_time"]

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from_step"].choices = [("", "---------")] + [
            (choice.transition.step.pk, _choice_label(choice)) for choice in choices
        ]


def _choice_label(choice) -> str:
    transition = choice.transition
    name = f"{transition.label} ({transition.step.journey.name})"
    figure = choice.figure
    if figure.value is None:
        return str(_("%(transition)s: no cohort") % {"transition": name})
    return str(
        _("%(transition)s: %(value)s (%(converted)s of %(cohort)s)")
        % {
            "transition": name,
            "value": choice.display,
            "converted": figure.numerator,
            "cohort": figure.denominator,
        }
    )


class CommentForm(forms.Form):
    manager_comment = forms.CharField(
        label=_("Your comment"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write a comment.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Save the comment")))
