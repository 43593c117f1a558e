"""Admin: competency assessments and development plans, read-only. They are
written on the app's pages (and the API), where the rules apply: who coaches whom,
every competency rated with its evidence, a target's baseline read from the
rollups when it is set. The history of assessments is kept, never rewritten."""

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from config.admin_mixins import ReadOnlyAdmin, ReadOnlyTabularInline

from ..models import (
    CompetencyAssessment,
    CompetencyRating,
    DevelopmentPlan,
    PlanAction,
    PlanCheckIn,
    PlanTarget,
)


class RatingInline(ReadOnlyTabularInline):
    model = CompetencyRating
    fields = ["competency", "rating", "evidence"]


@admin.register(CompetencyAssessment)
class CompetencyAssessmentAdmin(ReadOnlyAdmin):
    list_display = ["member", "assessed_at", "assessed_by", "rating_count"]
    list_select_related = ["member", "assessed_by"]
    search_fields = ["member__username", "member__family_name", "member__given_name"]
    date_hierarchy = "assessed_at"
    inlines = [RatingInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(rated=Count("ratings"))

    @admin.display(description=_("ratings"), ordering="rated")
    def rating_count(self, obj):
        return obj.rated


class TargetInline(ReadOnlyTabularInline):
    model = PlanTarget
    fields = [
        "metric",
        "target_value",
        "by_date",
        "baseline_value",
        "baseline_numerator",
        "baseline_denominator",
        "set_at",
        "set_by",
    ]
    readonly_fields = ["set_at"]


class ActionInline(ReadOnlyTabularInline):
    model = PlanAction
    fields = ["text", "due_date", "done_at", "training_assignment"]


class CheckInInline(ReadOnlyTabularInline):
    model = PlanCheckIn
    fields = ["held_on", "author", "status", "text", "written_at"]
    readonly_fields = ["written_at"]


@admin.register(DevelopmentPlan)
class DevelopmentPlanAdmin(ReadOnlyAdmin):
    list_display = ["member", "status", "created_by", "updated_at"]
    list_filter = ["status"]
    list_select_related = ["member", "created_by"]
    search_fields = ["member__username", "member__family_name", "member__given_name"]
    inlines = [TargetInline, ActionInline, CheckInInline]
