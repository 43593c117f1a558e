"""Admin: the career ladder and promotion criteria, for the organisation's admins
(also on the ladder pages). Criteria forms are the ladder pages' own: metrics of the
catalogue, thresholds on rates typed as percentages. Members' levels are history:
a promotion is recorded on the member's readiness page, with who decided and the
readiness at that moment, and is read-only here."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from config.admin_mixins import AuditedAdmin, ReadOnlyAdmin

from ..forms.promotion import CompetencyCriterionForm, MetricCriterionForm
from ..models import (
    CareerLevel,
    CareerTrack,
    CompetencyCriterion,
    MemberLevel,
    MetricCriterion,
    PromotionStep,
)
from ..services import promotion as services


@admin.register(CareerLevel)
class CareerLevelAdmin(AuditedAdmin):
    list_display = ["position", "name", "name_en"]
    list_display_links = ["name"]
    ordering = ["position"]
    search_fields = ["name", "name_en"]


class MetricCriterionInline(admin.TabularInline):
    model = MetricCriterion
    form = MetricCriterionForm
    extra = 1


class CompetencyCriterionInline(admin.TabularInline):
    model = CompetencyCriterion
    form = CompetencyCriterionForm
    extra = 1


class PromotionStepAdminForm(forms.ModelForm):
    class Meta:
        model = PromotionStep
        fields = ["track", "from_level", "to_level", "required_modules"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Left empty, a step goes to the default track (PromotionStep.save).
        self.fields["track"].required = False

    def clean(self):
        cleaned = super().clean()
        try:
            services.check_levels(cleaned.get("from_level"), cleaned.get("to_level"))
        except ValidationError as error:
            self.add_error(None, error)
        return cleaned


@admin.register(CareerTrack)
class CareerTrackAdmin(AuditedAdmin):
    list_display = ["name", "team", "journey", "is_default"]
    list_select_related = ["team", "journey"]
    search_fields = ["name"]


@admin.register(PromotionStep)
class PromotionStepAdmin(AuditedAdmin):
    form = PromotionStepAdminForm
    list_display = ["__str__", "track", "from_level", "to_level"]
    list_filter = ["track"]
    list_select_related = ["track", "from_level", "to_level"]
    filter_horizontal = ["required_modules"]
    inlines = [MetricCriterionInline, CompetencyCriterionInline]


@admin.register(MemberLevel)
class MemberLevelAdmin(ReadOnlyAdmin):
    list_display = ["member", "level", "since", "decided_by", "recorded_at"]
    list_filter = ["level"]
    list_select_related = ["member", "level", "decided_by"]
    search_fields = ["member__username", "member__family_name", "member__given_name"]
    date_hierarchy = "since"
