"""Forms of success stories: writing one, featuring one at the sharing meeting, and
the library's filters (`stories.StoryFilter`'s form, with menus)."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row, Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from ..filters import MonthFormField
from ..models import CustomerAccount, Step

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _step_label(step: Step) -> str:
    # A retired step (a story's own transition) has no place to number it by.
    return step.name if step.position is None else f"{step.position}. {step.name}"


def transition_label(from_step: Step, to_step: Step) -> str:
    return f"{_step_label(from_step)} → {_step_label(to_step)}"


def transition_choices(pairs) -> list:
    """The transitions as a menu grouped by journey: [(journey, [(id, label)])]."""
    groups: dict[str, list] = {}
    for from_step, to_step in pairs:
        groups.setdefault(from_step.journey.name, []).append(
            (str(from_step.pk), transition_label(from_step, to_step))
        )
    return list(groups.items())


class _AccountField(forms.ModelChoiceField):
    def label_from_instance(self, obj: CustomerAccount) -> str:
        return f"{obj.name} ({obj.journey.name})"


class StoryForm(forms.Form):
    account = _AccountField(
        label=_("Customer account"),
        queryset=CustomerAccount.objects.none(),
        empty_label=_("Choose an account"),
        help_text=_(
            "One of the accounts you work on. Only colleagues who see the account "
            "read its name; the others read “a customer”."
        ),
    )
    from_step = forms.ChoiceField(
        label=_("Transition it moved"),
        help_text=_(
            "The step the customer moved from, to the next step of the account's "
            "journey."
        ),
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        help_text=_("In a line: what happened, for a colleague skimming the list."),
    )
    what_we_did = forms.CharField(
        label=_("What we did"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "In your own words: the situation, what you tried, what made the "
            "difference. Write “the customer” rather than its name."
        ),
    )
    customer_outcome = forms.CharField(
        label=_("The customer's outcome"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What changed for the customer's business, with figures if any."),
    )
    outcome_on = forms.DateField(
        label=_("Outcome reached on"),
        required=False,
        widget=DATE_INPUT,
        help_text=_("Optional: the day (or any day of the month) it was reached."),
    )

    def __init__(self, *args, accounts, transitions, listed=None, **kwargs):
        """`accounts`: those the author may choose; `listed`, when they are too
        many to list (an admin's tens of thousands), the few the menu offers (the
        one the account page's link chose), the others still accepted."""
        super().__init__(*args, **kwargs)
        field = self.fields["account"]
        field.queryset = accounts
        if listed is not None:
            field.widget.choices = [("", field.empty_label)] + [
                (account.pk, field.label_from_instance(account)) for account in listed
            ]
            field.help_text = _(
                "To tell the story of another account, open the account and choose "
                "“Write a success story”. Only colleagues who see the account read "
                "its name; the others read “a customer”."
            )
        self._steps = {str(pair[0].pk): pair[0] for pair in transitions}
        self.fields["from_step"].choices = [
            ("", _("Choose a transition"))
        ] + transition_choices(transitions)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.form_id = "story-form"
        self.helper.layout = Layout(
            Row(
                Column("account", css_class="col-md-6"),
                Column("from_step", css_class="col-md-6"),
            ),
            "title",
            "what_we_did",
            "customer_outcome",
            Row(Column("outcome_on", css_class="col-md-4")),
        )

    def clean_from_step(self) -> Step:
        return self._steps[self.cleaned_data["from_step"]]


class FeatureForm(forms.Form):
    month = MonthFormField(
        label=_("Sharing meeting of"),
        required=False,
        widget=forms.TextInput(attrs={"type": "month"}),
        help_text=_("The month in progress when empty."),
    )


def present_story_filters(form: forms.Form, *, journeys, transitions) -> forms.Form:
    """The library's look of `stories.StoryFilter`'s form: the API's fields and
    validation, with menus of the journeys and transitions the viewer sees. The
    account (a link from the account page sets it) is kept when filters change."""
    fields = form.fields
    menus = {
        "journey": (
            _("Journey"),
            [("", _("All journeys"))] + [(str(j.pk), j.name) for j in journeys],
        ),
        "from_step": (
            _("Transition"),
            [("", _("Any transition"))] + transition_choices(transitions),
        ),
        "featured": (
            _("Featured"),
            [
                ("", _("Featured or not")),
                ("true", _("Featured at a sharing meeting")),
            ],
        ),
        "mine": (
            _("Whose"),
            [("", _("Everyone's")), ("true", _("Mine only"))],
        ),
    }
    for name, (label, choices) in menus.items():
        fields[name].label = label
        fields[name].widget = forms.Select(choices=choices)
    fields["account"].widget = forms.HiddenInput()
    for name in ("playbook", "author", "status"):
        del fields[name]
    form.helper = FormHelper()
    form.helper.form_method = "get"
    form.helper.disable_csrf = True
    form.helper.form_id = "story-filters"
    form.helper.layout = Layout(
        Row(
            Column("journey", css_class="col-md"),
            Column("from_step", css_class="col-md-4"),
            Column("featured", css_class="col-md"),
            Column("mine", css_class="col-md"),
        ),
        "account",
    )
    form.helper.add_input(Submit("", _("Filter"), css_class="btn-secondary"))
    return form
