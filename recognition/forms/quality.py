"""Forms: quality of hire (retiring a question) and proposed weights from top
performers (choosing them, then reviewing and saving the weights)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from hiring.forms.framework import WEIGHT_MESSAGE


class RetireQuestionForm(forms.Form):
    retire_from_bank = forms.BooleanField(
        label=_("Also retire the question from the question bank"),
        required=False,
        initial=True,
        help_text=_(
            "A retired question stays in past scorecards but is no longer offered "
            "for kits."
        ),
    )


class TopPerformerForm(forms.Form):
    """Who the top performers are: picked by hand, or the top quarter of a metric
    over the last six months."""

    BY_HAND = "hand"
    BY_METRIC = "metric"

    how = forms.ChoiceField(
        label=_("Top performers"),
        choices=[
            (BY_HAND, _("Chosen by hand")),
            (BY_METRIC, _("The top quarter of a metric over the last six months")),
        ],
        widget=forms.RadioSelect,
        initial=BY_HAND,
    )
    members = forms.ModelMultipleChoiceField(
        label=_("Members"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    metric = forms.ChoiceField(label=_("Metric"), required=False)

    def __init__(self, *args, member_choices, metrics, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = member_choices
        self.fields["members"].label_from_instance = lambda user: user.display_name
        self.fields["metric"].choices = [("", "—")] + [
            (metric.key, metric.label) for metric in metrics
        ]
        self.metrics = {metric.key: metric for metric in metrics}

    def clean(self):
        cleaned = super().clean()
        how = cleaned.get("how")
        if how == self.BY_HAND and not cleaned.get("members"):
            self.add_error("members", _("Select at least one top performer."))
        if how == self.BY_METRIC and not cleaned.get("metric"):
            self.add_error("metric", _("Choose the metric to rank the members by."))
        return cleaned

    @property
    def chosen_metric(self):
        return self.metrics.get(self.cleaned_data.get("metric") or "")


class ProposedWeightsForm(forms.Form):
    """The reviewed weights (1–5, or empty: not in the profile) and where they are
    saved: a new profile or an existing one (never a starting profile)."""

    NEW = "new"
    EXISTING = "existing"

    target = forms.ChoiceField(
        label=_("Save into"),
        choices=[(NEW, _("A new success profile")), (EXISTING, _("An existing one"))],
        widget=forms.RadioSelect,
        initial=NEW,
    )
    name = forms.CharField(
        label=_("Name of the new profile"), max_length=100, required=False
    )
    name_en = forms.CharField(label=_("Name (English)"), max_length=100, required=False)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    profile = forms.ModelChoiceField(
        label=_("Profile to update"),
        queryset=None,
        required=False,
        help_text=_(
            "Its weights are replaced by these. Starting profiles are not edited in "
            "place: copy one in Hiring first, or save into a new profile."
        ),
    )

    def __init__(self, *args, rows, profiles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["profile"].queryset = profiles
        self.rows = rows
        for row in rows:
            self.fields[self.weight_field(row.competency.pk)] = forms.IntegerField(
                label=str(row.competency),
                required=False,
                initial=row.weight,
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
        """(proposal row, its bound weight field), in the table's order."""
        return [(row, self[self.weight_field(row.competency.pk)]) for row in self.rows]

    def clean(self):
        cleaned = super().clean()
        target = cleaned.get("target")
        if target == self.NEW and not cleaned.get("name"):
            self.add_error("name", _("Name the new success profile."))
        if target == self.EXISTING and not cleaned.get("profile"):
            self.add_error("profile", _("Choose the success profile to update."))
        return cleaned

    def weights(self) -> dict[int, int]:
        return {
            row.competency.pk: weight
            for row in self.rows
            if (weight := self.cleaned_data.get(self.weight_field(row.competency.pk)))
            is not None
        }
