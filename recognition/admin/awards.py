"""Admin: award programs and the metric of their periods.

Writes go through `services.awards`, with the same rules as the pages and the API:
a program needs at least one team and keeps its cadence once periods have metrics;
a period's metric comes from the catalogue's metrics with a denominator, needs a
reason once the period has started (recorded) and is locked once it is closed.
Metric changes and winners are history: read-only, never deleted here. A program
with winners cannot be deleted (deactivate it).
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from config.admin_mixins import AuditedAdmin, ReadOnlyAdmin, ReadOnlyTabularInline

from ..models import AwardMetricChange, AwardPeriod, AwardProgram, AwardWinner
from ..selectors import awards as selectors
from ..services import awards as services


def _apply_service_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


# --- Programs -------------------------------------------------------------------------


class AwardProgramAdminForm(forms.ModelForm):
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

    def clean_cadence(self):
        cadence = self.cleaned_data["cadence"]
        program = self.instance
        if (
            program.pk is not None
            and cadence != program.cadence
            and program.periods.exists()
        ):
            raise ValidationError(
                _(
                    "The cadence cannot change once periods have a metric: create a "
                    "new program instead."
                )
            )
        return cadence


class PeriodInline(ReadOnlyTabularInline):
    model = AwardPeriod
    fields = ["start", "end", "metric", "set_by", "set_at", "closed_at"]
    show_change_link = True


@admin.register(AwardProgram)
class AwardProgramAdmin(AuditedAdmin):
    form = AwardProgramAdminForm
    list_display = [
        "name",
        "cadence",
        "winners",
        "minimum_denominator",
        "is_active",
        "created_at",
    ]
    list_filter = ["cadence", "is_active"]
    search_fields = ["name", "description"]
    filter_horizontal = ["teams"]
    inlines = [PeriodInline]

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.periods.filter(closed_at__isnull=False).exists():
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        fields = {name: data[name] for name in services.PROGRAM_FIELDS}
        try:
            if change:
                services.award_program_update(
                    program=obj, by=request.user, teams=data["teams"], **fields
                )
            else:
                program = services.award_program_create(
                    by=request.user, teams=data["teams"], **fields
                )
                obj.pk = program.pk
        except (ValidationError, PermissionError) as error:
            self.message_user(request, " ".join(_messages(error)), messages.ERROR)

    def save_related(self, request, form, formsets, change):
        # The service set the teams; the inlines are read-only.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)


def _messages(error) -> list[str]:
    if isinstance(error, ValidationError):
        return error.messages
    return [str(_("Only admins change award programs."))]


# --- Periods --------------------------------------------------------------------------


class AwardPeriodAdminForm(forms.ModelForm):
    """A period is named by its key (2026-04, FY2026-Q1); its metric is chosen from
    the award metrics of the catalogue."""

    period = forms.CharField(
        label=_("period"),
        max_length=20,
        help_text=_("2026-04 for a monthly award, FY2026-Q1 for a quarterly one."),
    )
    metric = forms.ChoiceField(label=_("metric"))
    reason = forms.CharField(
        label=_("reason for the change"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed once the period has started; it is recorded."),
    )

    class Meta:
        model = AwardPeriod
        fields = ["program"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "program" not in self.fields:
            return  # a closed period, shown read-only
        self.fields["metric"].choices = [("", "—"), *selectors.metric_choices()]
        period = self.instance
        if period.pk is not None:
            self.fields["program"].disabled = True
            self.fields["period"].disabled = True
            self.initial["period"] = selectors.span_of(period).key
            self.initial["metric"] = period.metric

    def clean(self):
        data = super().clean()
        program = data.get("program")
        if program is None or self.errors:
            return data
        try:
            span, _metric, _existing = services.award_period_check(
                program=program,
                period=data.get("period", ""),
                metric=data.get("metric", ""),
                reason=data.get("reason", ""),
            )
        except ValidationError as error:
            _apply_service_errors(self, error)
        else:
            if self.instance.pk is None:
                self.instance.start = span.first_month
                self.instance.end = span.last_day
        return data


class MetricChangeInline(ReadOnlyTabularInline):
    model = AwardMetricChange
    fields = ["changed_at", "changed_by", "old_metric", "new_metric", "reason"]


class WinnerInline(ReadOnlyTabularInline):
    model = AwardWinner
    fields = ["rank", "member", "value", "numerator", "denominator"]


@admin.register(AwardPeriod)
class AwardPeriodAdmin(admin.ModelAdmin):
    form = AwardPeriodAdminForm
    list_display = [
        "program",
        "start",
        "end",
        "metric",
        "set_by",
        "set_at",
        "closed_at",
    ]
    list_filter = ["program", ("closed_at", admin.EmptyFieldListFilter)]
    list_select_related = ["program", "set_by"]
    search_fields = ["program__name", "metric"]
    date_hierarchy = "start"
    inlines = [MetricChangeInline, WinnerInline]

    def get_fields(self, request, obj=None):
        if obj is not None and not self.has_change_permission(request, obj):
            return [
                "program",
                "start",
                "end",
                "metric",
                "set_by",
                "set_at",
                "closed_at",
            ]
        return ["program", "period", "metric", "reason"]

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.closed_at is not None:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        try:
            period = services.award_period_set_metric(
                program=data["program"],
                by=request.user,
                period=data["period"],
                metric=data["metric"],
                reason=data.get("reason", ""),
            )
        except (ValidationError, PermissionError) as error:
            self.message_user(request, " ".join(_messages(error)), messages.ERROR)
        else:
            obj.pk = period.pk
            obj.metric = period.metric

    def save_related(self, request, form, formsets, change):
        # The service wrote the period; its inlines are read-only history.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)


@admin.register(AwardMetricChange)
class AwardMetricChangeAdmin(ReadOnlyAdmin):
    list_display = ["period", "old_metric", "new_metric", "changed_by", "changed_at"]
    list_select_related = ["period__program", "changed_by"]
    search_fields = ["period__program__name", "reason"]
    date_hierarchy = "changed_at"


@admin.register(AwardWinner)
class AwardWinnerAdmin(ReadOnlyAdmin):
    list_display = ["period", "rank", "member", "value", "numerator", "denominator"]
    list_select_related = ["period__program", "member"]
    list_filter = ["period__program"]
    search_fields = ["member__username", "member__family_name", "period__program__name"]
