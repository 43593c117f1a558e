"""Forms of the accounts pages: the account list's filters, recording and voiding a
step event, changing an account's coverage, and the CSV upload."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Field, Layout, Row, Submit
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from config.fields import DateTimeField

from ..models import CoverageModel, Step

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class _UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.display_name


class AccountFilterForm(forms.Form):
    """The account list's filters; every choice comes from what the viewer sees."""

    OVERDUE_CHOICES = [
        ("", _("Any")),
        ("yes", _("Value point overdue")),
        ("no", _("Nothing overdue")),
    ]

    owner = _UserChoiceField(
        label=_("Owner"), queryset=User.objects.none(), required=False
    )
    pool = forms.ModelChoiceField(
        label=_("Pool"), queryset=None, required=False, empty_label=_("All pools")
    )
    segment = forms.ChoiceField(label=_("Segment"), required=False)
    current_step = forms.ModelChoiceField(
        label=_("Current step"), queryset=None, required=False
    )
    overdue = forms.ChoiceField(
        label=_("Value points"), choices=OVERDUE_CHOICES, required=False
    )

    def __init__(self, *args, owners, pools, segments, steps, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners
        self.fields["owner"].empty_label = _("All owners")
        self.fields["pool"].queryset = pools
        self.fields["segment"].choices = [("", _("All segments"))] + [
            (segment, segment) for segment in segments
        ]
        self.fields["current_step"].queryset = steps
        self.fields["current_step"].empty_label = _("Any step")
        self.fields["current_step"].label_from_instance = lambda step: (
            f"{step.journey.name} · {step}"
        )
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Row(
                Column("owner", css_class="col-md"),
                Column("pool", css_class="col-md"),
                Column("segment", css_class="col-md"),
                Column("current_step", css_class="col-md"),
                Column("overdue", css_class="col-md"),
            )
        )
        self.helper.add_input(Submit("", _("Filter"), css_class="btn-secondary"))

    def filters(self) -> dict:
        """Keyword arguments for `selectors.account_list`."""
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        overdue = {"yes": True, "no": False}.get(data.get("overdue") or "")
        return {
            "owner": data.get("owner"),
            "pool": data.get("pool"),
            "segment": data.get("segment") or None,
            "current_step": data.get("current_step"),
            "overdue": overdue,
        }


class StepEventForm(forms.Form):
    """The account reached a step; when defaults to now."""

    step = forms.ModelChoiceField(label=_("Step reached"), queryset=Step.objects.none())
    reached_at = DateTimeField(
        label=_("Reached at"),
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local"}, format=DATETIME_LOCAL
        ),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, steps, next_step=None, **kwargs):
        kwargs.setdefault("prefix", "record")
        super().__init__(*args, **kwargs)
        self.fields["step"].queryset = steps
        self.fields["step"].empty_label = None
        if next_step is not None:
            self.fields["step"].initial = next_step.pk
        self.fields["reached_at"].initial = timezone.localtime().replace(
            second=0, microsecond=0
        )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Row(
                Column("step", css_class="col-md-6"),
                Column("reached_at", css_class="col-md-6"),
            ),
            Field("note"),
        )


class VoidEventForm(forms.Form):
    event = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Why is this event wrong?"),
        widget=forms.TextInput(),
        required=False,
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "void")
        super().__init__(*args, **kwargs)


class CoverageForm(forms.Form):
    """A dedicated owner or a pool from now on."""

    model = forms.ChoiceField(
        label=_("Coverage model"),
        choices=CoverageModel.choices,
        widget=forms.RadioSelect,
    )
    owner = _UserChoiceField(
        label=_("Owner"), queryset=User.objects.none(), required=False
    )
    pool = forms.ModelChoiceField(label=_("Pool"), queryset=None, required=False)
    confirm_not_ready = forms.BooleanField(
        label=_("Assign anyway: I know this member is not ready for accounts yet."),
        required=False,
    )

    def __init__(self, *args, owners, pools, asks_confirmation=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners
        self.fields["pool"].queryset = pools
        self.asks_confirmation = asks_confirmation
        self.helper = FormHelper()
        fields = ["model", Row(Column("owner"), Column("pool"))]
        if asks_confirmation:
            fields.append(Field("confirm_not_ready"))
        else:
            del self.fields["confirm_not_ready"]
        self.helper.layout = Layout(*fields)
        self.helper.add_input(Submit("submit", _("Change the coverage")))

    def clean(self):
        data = super().clean()
        model = data.get("model")
        if model == CoverageModel.DEDICATED and not data.get("owner"):
            self.add_error("owner", _("Choose the owner."))
        if model == CoverageModel.POOLED and not data.get("pool"):
            self.add_error("pool", _("Choose the pool."))
        return data


class ImportForm(forms.Form):
    KIND_CHOICES = [
        ("accounts", _("Customer accounts")),
        ("events", _("Step events")),
    ]

    kind = forms.ChoiceField(
        label=_("What the file holds"), choices=KIND_CHOICES, widget=forms.RadioSelect
    )
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("UTF-8 (with or without BOM) or Shift_JIS, as Excel saves it."),
    )
    confirm_not_ready = forms.BooleanField(
        label=_("Assign accounts to owners who are not ready for accounts yet."),
        required=False,
        help_text=_("Accounts files only; the confirmation is recorded."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.attrs = {"enctype": "multipart/form-data"}
        self.helper.add_input(Submit("submit", _("Import")))
