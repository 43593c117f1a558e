"""Forms of the accounts pages: the account list's filters, recording and voiding a
step event, recording an account's ARR, changing an account's coverage, and the CSV
upload."""

from datetime import timedelta

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Field, Layout, Row, Submit
from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_filters.widgets import BaseCSVWidget

from accounts.models import User
from config.fields import DateTimeField
from config.widgets import MenuSelect

from .. import revenue
from ..models import ARRMovement, CoverageModel, HealthBand, Step

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class _UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.display_name


class _HiddenCSVInput(BaseCSVWidget, forms.HiddenInput):
    """The list order chosen by a column header, kept when the filters change."""


def _choices(empty_label, pairs) -> list[tuple[str, str]]:
    return [("", empty_label)] + [(str(value), label) for value, label in pairs]


def present_account_filters(
    form: forms.Form, *, owners, pools, segments, journeys, steps
) -> forms.Form:
    """The page's look of `filters.CustomerFilter`'s form: the same fields and
    validation (the API's), with menus of what the viewer sees instead of ids."""
    fields = form.fields
    fields["search"].label = _("Search")
    fields["search"].widget.attrs["placeholder"] = _("Name or external id")
    fields["search"].widget.attrs["type"] = "search"
    menus = {
        "owner": (
            _("Owner"),
            _("All owners"),
            [(u.pk, u.display_name) for u in owners],
        ),
        "pool": (_("Pool"), _("All pools"), [(p.pk, p.name) for p in pools]),
        "segment": (_("Segment"), _("All segments"), [(s, s) for s in segments]),
        "journey": (
            _("Journey"),
            _("All journeys"),
            [(j.pk, j.name) for j in journeys],
        ),
        "current_step": (
            _("Current step"),
            _("Any step"),
            [(step.pk, f"{step.journey.name} · {step}") for step in steps],
        ),
        "overdue": (
            _("Value points"),
            _("Any"),
            [("true", _("Value point overdue")), ("false", _("Nothing overdue"))],
        ),
        "health": (_("Health"), _("Any health"), HealthBand.choices),
    }
    for name, (label, empty, pairs) in menus.items():
        fields[name].label = label
        fields[name].widget = MenuSelect(choices=_choices(empty, pairs))
    form.helper = FormHelper()
    form.helper.form_method = "get"
    form.helper.disable_csrf = True
    form.helper.form_id = "account-filters"
    # Sorting is kept when the filters change (the column headers set it).
    form.helper.layout = Layout(
        Row(
            Column("search", css_class="col-md-4"),
            Column("journey", css_class="col-md"),
            Column("segment", css_class="col-md"),
        ),
        Row(
            Column("owner", css_class="col-md"),
            Column("pool", css_class="col-md"),
            Column("current_step", css_class="col-md"),
            Column("overdue", css_class="col-md"),
            Column("health", css_class="col-md"),
        ),
        "ordering",
    )
    fields["ordering"].widget = _HiddenCSVInput()
    form.helper.add_input(Submit("", _("Filter"), css_class="btn-secondary"))
    return form


def present_step_event_filters(form: forms.Form, *, journeys, steps) -> forms.Form:
    """The step-event page's look of `filters.StepEventFilter`'s form: the API's
    fields and validation, with menus of the journeys and steps the viewer sees.
    The account and the reach times (links from other pages set them) are kept
    when the filters change."""
    fields = form.fields
    fields["external_id"].label = _("Account's external id")
    menus = {
        "journey": (
            _("Journey"),
            _("All journeys"),
            [(j.pk, j.name) for j in journeys],
        ),
        "step": (
            _("Step"),
            _("Any step"),
            [(step.pk, f"{step.journey.name} · {step}") for step in steps],
        ),
        "source": (
            pgettext_lazy("step event", "Source"),
            _("Any source"),
            fields["source"].choices[1:],
        ),
        "void": (
            _("Void"),
            _("Void or not"),
            [("false", _("Counted (not void)")), ("true", _("Void only"))],
        ),
    }
    for name, (label, empty, pairs) in menus.items():
        fields[name].label = label
        fields[name].widget = MenuSelect(choices=_choices(empty, pairs))
    for name in ("account", "reached_after", "reached_before"):
        fields[name].widget = forms.HiddenInput()
    form.helper = FormHelper()
    form.helper.form_method = "get"
    form.helper.disable_csrf = True
    form.helper.form_id = "step-event-filters"
    form.helper.layout = Layout(
        Row(
            Column("external_id", css_class="col-md"),
            Column("journey", css_class="col-md"),
            Column("step", css_class="col-md"),
            Column("source", css_class="col-md"),
            Column("void", css_class="col-md"),
        ),
        "account",
        "reached_after",
        "reached_before",
    )
    form.helper.add_input(Submit("", _("Filter"), css_class="btn-secondary"))
    return form


def present_pool_filters(form: forms.Form, *, teams) -> forms.Form:
    """The pool list's look of `filters.PoolFilter`'s form (the API's)."""
    form.fields["kind"].label = _("Kind")
    form.fields["kind"].empty_label = _("All kinds")
    form.fields["kind"].widget.choices = [("", _("All kinds"))] + [
        choice for choice in form.fields["kind"].choices if choice[0]
    ]
    form.fields["team"].label = _("Team")
    form.fields["team"].widget = forms.Select(
        choices=_choices(_("All teams"), [(team.pk, team.name) for team in teams])
    )
    form.helper = FormHelper()
    form.helper.form_method = "get"
    form.helper.disable_csrf = True
    form.helper.layout = Layout(
        Row(Column("kind", css_class="col-md"), Column("team", css_class="col-md"))
    )
    form.helper.add_input(Submit("", _("Filter"), css_class="btn-secondary"))
    return form


# A step event this many days or more before its account was first covered is
# recorded from the account page only once confirmed.
EARLY_RECORD_DAYS = 90


class StepEventForm(forms.Form):
    """The account reached a step; when defaults to now. A moment long before the
    account was first covered (`covered_since`, `EARLY_RECORD_DAYS`) is likely a
    mistyped year: it is recorded only once confirmed (`asks_confirmation` shows
    the box). Steps reached shortly before the account was assigned (a signature,
    a kickoff) are recorded as they are."""

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
    confirm_date = forms.BooleanField(
        label=_("Record it anyway: the date is right."), required=False
    )

    def __init__(
        self,
        *args,
        steps,
        next_step=None,
        covered_since=None,
        asks_confirmation=False,
        **kwargs,
    ):
        kwargs.setdefault("prefix", "record")
        super().__init__(*args, **kwargs)
        self.covered_since = covered_since
        self.asks_confirmation = asks_confirmation
        self.fields["step"].queryset = steps
        self.fields["step"].empty_label = None
        if next_step is not None:
            self.fields["step"].initial = next_step.pk
        self.fields["reached_at"].initial = timezone.localtime().replace(
            second=0, microsecond=0
        )
        if not asks_confirmation:
            del self.fields["confirm_date"]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Row(
                Column("step", css_class="col-md-6"),
                Column("reached_at", css_class="col-md-6"),
            ),
            Field("note"),
            *([Field("confirm_date")] if asks_confirmation else []),
        )

    def clean(self):
        data = super().clean()
        reached_at = data.get("reached_at")
        if (
            reached_at is not None
            and self.covered_since is not None
            and reached_at <= self.covered_since - timedelta(days=EARLY_RECORD_DAYS)
            and not data.get("confirm_date")
        ):
            self.add_error(
                "reached_at",
                forms.ValidationError(
                    _(
                        "This is %(days)s days or more before the account was "
                        "first covered (%(date)s). Check the year; if the date is "
                        "right, confirm below and record it again."
                    ),
                    code="before_coverage",
                    params={
                        "days": EARLY_RECORD_DAYS,
                        "date": date_format(
                            timezone.localtime(self.covered_since), "DATE_FORMAT"
                        ),
                    },
                ),
            )
        return data

    def needs_confirmation(self) -> bool:
        """Whether the moment was refused only for want of the confirmation."""
        return not self.asks_confirmation and any(
            error.code == "before_coverage"
            for error in self.errors.as_data().get("reached_at", [])
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


class CoverageFields(forms.Form):
    """Who covers an account: the coverage model, a dedicated owner or a pool, and
    the confirmation asked when the owner is not ready for accounts yet. Shared by
    the coverage change and the new-account page."""

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

    def set_coverage_choices(self, *, owners, pools, asks_confirmation) -> list:
        """Narrow the choices; the confirmation's layout item, when it is asked."""
        self.fields["owner"].queryset = owners
        self.fields["pool"].queryset = pools
        self.asks_confirmation = asks_confirmation
        if asks_confirmation:
            return [Field("confirm_not_ready")]
        del self.fields["confirm_not_ready"]
        return []


class CoverageForm(CoverageFields):
    """A dedicated owner or a pool from now on."""

    def __init__(self, *args, owners, pools, asks_confirmation=False, **kwargs):
        super().__init__(*args, **kwargs)
        confirmation = self.set_coverage_choices(
            owners=owners, pools=pools, asks_confirmation=asks_confirmation
        )
        self.helper = FormHelper()
        self.helper.layout = Layout(
            "model", Row(Column("owner"), Column("pool")), *confirmation
        )
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
        ("arr", _("ARR by month")),
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


class ARRSnapshotForm(forms.Form):
    """The account's ARR of a month, and optionally the movement's type; a month
    already recorded is corrected (`journeys.revenue`)."""

    month = forms.CharField(
        label=_("Month"),
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2026-04"}),
    )
    arr = forms.CharField(
        label=_("ARR (yen)"),
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        help_text=_("A whole amount, for example 1200000 or 1,200,000."),
    )
    movement = forms.ChoiceField(
        label=_("Movement type"),
        required=False,
        help_text=_("Leave it to be inferred from the change, or say what it was."),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "arr")
        super().__init__(*args, **kwargs)
        self.fields["month"].initial = f"{revenue.current_month():%Y-%m}"
        self.fields["movement"].choices = [
            ("", _("Inferred from the change"))
        ] + ARRMovement.choices
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Row(
                Column("month", css_class="col-md-4"),
                Column("arr", css_class="col-md-4"),
                Column("movement", css_class="col-md-4"),
            )
        )

    def clean_month(self):
        try:
            return revenue.parse_month(self.cleaned_data["month"])
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None

    def clean_arr(self):
        try:
            return revenue.parse_arr(self.cleaned_data["arr"])
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None


class ARRMovementForm(forms.Form):
    """Correct the movement type of one month ("": back to the inferred type)."""

    snapshot = forms.IntegerField(widget=forms.HiddenInput)
    movement = forms.ChoiceField(
        label=_("Movement type"), required=False, choices=ARRMovement.choices
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "arr-movement")
        super().__init__(*args, **kwargs)
        self.fields["movement"].choices = [("", "")] + ARRMovement.choices
