"""Forms of the award pages: a program, and the metric of one of its periods.

Validation of the rules (a metric with a denominator, a reason once the period has
started, a closed period locked) is the service's; these forms check the input
and lay it out."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Field, Layout, Row, Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Team

from ..models import AwardProgram


class AwardProgramForm(forms.ModelForm):
    teams = forms.ModelMultipleChoiceField(
        label=_("Teams taking part"),
        queryset=Team.objects.order_by("name"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "The members of these teams are ranked (members of their sub-teams only "
            "when the sub-team is chosen too)."
        ),
    )

    class Meta:
        model = AwardProgram
        fields = [
            "name",
            "description",
            "cadence",
            "winners",
            "minimum_denominator",
            "larger_denominator_breaks_ties",
            "teams",
            "is_active",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, submit_label, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["winners"].widget.attrs["min"] = 1
        self.fields["minimum_denominator"].widget.attrs["min"] = 1
        self.fields["larger_denominator_breaks_ties"].help_text = _(
            "Off: equal values share a rank (1, 1, 3) and the larger denominator is "
            "only listed first. On: equal values with a larger denominator rank "
            "higher (6/8 ranks above 3/4, both 75 %); only equal values with equal "
            "denominators share a rank."
        )
        self.fields["cadence"].help_text = _(
            "Quarters follow the fiscal year. The cadence cannot change once a "
            "period has a metric."
        )
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", submit_label))
        self.helper.layout = Layout(
            Field("name"),
            Field("description"),
            Row(
                Column("cadence"),
                Column("winners"),
                Column("minimum_denominator"),
            ),
            Field("larger_denominator_breaks_ties"),
            Field("teams"),
            Field("is_active"),
        )

    def program_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "description": data["description"],
            "cadence": data["cadence"],
            "winners": data["winners"],
            "minimum_denominator": data["minimum_denominator"],
            "larger_denominator_breaks_ties": data["larger_denominator_breaks_ties"],
            "is_active": data["is_active"],
            "teams": list(data["teams"]),
        }


class AwardMetricForm(forms.Form):
    """The metric of a period. `periods` are the choices (key, label); `metrics` the
    award metrics grouped for the select."""

    period = forms.ChoiceField(label=_("Period"))
    metric = forms.ChoiceField(
        label=_("Metric"),
        help_text=_(
            "Only metrics with a denominator can be award metrics: the award's "
            "minimum applies to the denominator each metric names (for a "
            "conversion, its cohort; for a count, the accounts that reached its "
            "step, or started the journey, in the period)."
        ),
    )
    reason = forms.CharField(
        label=_("Reason for the change"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Needed once the period has started: it is recorded with who changed "
            "what, and shown to everyone taking part."
        ),
    )

    def __init__(self, *args, periods, metrics, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = periods
        self.fields["metric"].choices = [("", "—"), *metrics]
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Save the metric")))
        self.helper.layout = Layout(Field("period"), Field("metric"), Field("reason"))
