"""Admin: the rollup's runs and the figures it wrote, read-only (the rollup owns
them; `manage.py rollup --full` recomputes them)."""

from django.contrib import admin

from config.admin_mixins import ReadOnlyAdmin

from ..models import MemberFigure, PoolFigure, RollupRun, TeamFigure


@admin.register(RollupRun)
class RollupRunAdmin(ReadOnlyAdmin):
    list_display = ("started_at", "finished_at", "as_of", "full", "since", "accounts")
    list_filter = ("full",)
    date_hierarchy = "started_at"
    exclude = ("structure",)


class FigureAdmin(ReadOnlyAdmin):
    list_display = (
        "owner",
        "metric",
        "month",
        "value",
        "numerator",
        "denominator",
        "provisional",
        "final_at",
        "computed_at",
    )
    list_filter = ("provisional", "month")
    search_fields = ("metric",)

    @admin.display(description="")
    def owner(self, obj):
        return str(obj)


@admin.register(MemberFigure)
class MemberFigureAdmin(FigureAdmin):
    list_select_related = ("member",)
    search_fields = ("metric", "member__username", "member__family_name")


@admin.register(TeamFigure)
class TeamFigureAdmin(FigureAdmin):
    list_select_related = ("team",)


@admin.register(PoolFigure)
class PoolFigureAdmin(FigureAdmin):
    list_select_related = ("pool",)
