"""Admin: capacity plans and their rows. Leaders write plans on their pages (the
results beside the inputs); here an admin corrects or removes one. The database
constraints still hold (automation below 100 %, a span of 8 to 12, one row per
segment and coverage model, a benchmark and hours over 0)."""

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from ..models import CapacityPlan, CapacityPlanSegment


class SegmentInline(admin.TabularInline):
    model = CapacityPlanSegment
    extra = 0
    fields = [
        "position",
        "segment",
        "coverage_model",
        "accounts",
        "arr",
        "arr_per_csm",
        "hours_per_account",
    ]


@admin.register(CapacityPlan)
class CapacityPlanAdmin(admin.ModelAdmin):
    list_display = ["name", "author", "target_date", "row_count", "updated_at"]
    list_select_related = ["author"]
    search_fields = ["name", "description"]
    date_hierarchy = "updated_at"
    raw_id_fields = ["author"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [SegmentInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(rows=Count("segments"))

    @admin.display(description=_("segments"), ordering="rows")
    def row_count(self, obj):
        return obj.rows

    def get_changeform_initial_data(self, request):
        return {"author": request.user.pk}
