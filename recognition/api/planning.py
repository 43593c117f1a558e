"""API: capacity plans (`/api/v1/capacity-plans/`), with their rows (one per
segment and coverage model) and the computed results, read only: top-down and
bottom-up CSMs per row and in total, the gap and what would close it, leaders and
other roles, and the pooled what-if before and after (`recognition.planning`).

For admins and managers (403 for the other roles). Every plan is the
organisation's: they read them all and create their own; the author and admins
change and delete a plan (403 for other leaders). PUT and POST give every row: the
rows sent replace the plan's; PATCH without `segments` keeps them. Bad input
answers 400 on the field (a row's on `segments`, by position), nothing written.
Decimals come as strings, as everywhere in the API.
"""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.permissions import SAFE_METHODS, BasePermission, IsAuthenticated
from rest_framework.response import Response

from config.api import IdFilter, ServiceViewSetMixin, WholeRowMixin
from journeys.serializers import PersonField

from .. import permissions
from ..models import CapacityPlan, CapacityPlanSegment, PlanCoverage, WhatIfRule
from ..selectors import planning as selectors
from ..services import planning as services
from ..services.planning import MOST_SEGMENTS, PLAN_FIELDS, SEGMENT_FIELDS

DUPLICATE_ROW = _("This segment and coverage model is in the plan already.")
POSITIVE_HOURS = _("Hours per account are more than 0 and at most 744.")


class SeesCapacityPlans(BasePermission):
    """Admins and managers; other roles get 403."""

    def has_permission(self, request, view):
        return permissions.sees_capacity_plans(request.user)


class ChangesOwnPlans(BasePermission):
    """Changing or deleting a plan: its author and admins (others get 403)."""

    def has_object_permission(self, request, view, obj):
        return request.method in SAFE_METHODS or permissions.can_change_capacity_plan(
            request.user, obj
        )


class CapacityPlanFilter(django_filters.FilterSet):
    author = IdFilter(field_name="author_id", label=_("Author (id)"))

    class Meta:
        model = CapacityPlan
        fields = ["author"]


# --- Results (read only) -------------------------------------------------------------


class SegmentResultSerializer(serializers.Serializer):
    segment = serializers.CharField(source="row.segment")
    coverage_model = serializers.ChoiceField(
        source="row.coverage_model", choices=PlanCoverage.choices
    )
    top_down = serializers.IntegerField(help_text=_("ARR / ARR per CSM, rounded up."))
    bottom_up = serializers.IntegerField(
        help_text=_("Accounts / accounts per CSM, rounded up.")
    )
    gap = serializers.IntegerField(help_text=_("Bottom-up − top-down."))
    accounts_per_csm = serializers.DecimalField(
        max_digits=12,
        decimal_places=1,
        help_text=_("Available hours / effective hours, rounded down to 0.1."),
    )
    what_would_close = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_what_would_close(self, row) -> list[str]:
        return selectors.closing_words(row.closers)


class StaffingSerializer(serializers.Serializer):
    csms = serializers.IntegerField()
    operations = serializers.IntegerField()
    marketing = serializers.IntegerField()
    span = serializers.IntegerField(help_text=_("Direct reports per leader."))
    leaders = serializers.IntegerField(
        help_text=_("(CSMs + operations + marketing) / span, rounded up.")
    )
    team = serializers.IntegerField()
    needs_operations = serializers.BooleanField(
        help_text=_("More than five people and no operations role.")
    )


def _ratio(**kwargs):
    return serializers.DecimalField(
        max_digits=12, decimal_places=1, allow_null=True, **kwargs
    )


class CoverageSideSerializer(serializers.Serializer):
    dedicated_csms = serializers.IntegerField()
    pooled_csms = serializers.IntegerField()
    tech_touch_csms = serializers.IntegerField()
    csms = serializers.IntegerField()
    dedicated_accounts = serializers.IntegerField()
    pooled_accounts = serializers.IntegerField()
    tech_touch_accounts = serializers.IntegerField()
    accounts_per_csm = _ratio()
    strategic_accounts_per_csm = _ratio(
        help_text=_("The strategic accounts each dedicated CSM keeps.")
    )
    accounts_per_pooled_csm = _ratio()


class WhatIfSegmentSerializer(serializers.Serializer):
    segment = serializers.CharField()
    kept = serializers.IntegerField()
    moved = serializers.IntegerField()
    moved_arr = serializers.IntegerField()
    dedicated_before = serializers.IntegerField()
    dedicated_after = serializers.IntegerField()
    pooled_before = serializers.IntegerField()
    pooled_after = serializers.IntegerField()


class WhatIfSerializer(serializers.Serializer):
    whatif_rule = serializers.ChoiceField(source="rule", choices=WhatIfRule.choices)
    moved = serializers.IntegerField()
    moved_arr = serializers.IntegerField()
    saved = serializers.IntegerField(
        help_text=_("CSMs fewer after the move (negative: more).")
    )
    before = CoverageSideSerializer()
    after = CoverageSideSerializer()
    segments = WhatIfSegmentSerializer(many=True)


class ResultsSerializer(serializers.Serializer):
    top_down = serializers.IntegerField()
    bottom_up = serializers.IntegerField()
    gap = serializers.IntegerField()
    accounts = serializers.IntegerField()
    arr = serializers.IntegerField()
    what_would_close = serializers.SerializerMethodField()
    segments = SegmentResultSerializer(source="rows", many=True)
    top_down_staffing = StaffingSerializer()
    bottom_up_staffing = StaffingSerializer()
    whatif = WhatIfSerializer(
        allow_null=True,
        help_text=_("Null without a dedicated row (or a threshold for its rule)."),
    )

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_what_would_close(self, results) -> list[str]:
        return selectors.closing_words(results.closers, total=True)


# --- The plan ------------------------------------------------------------------------


class SegmentSerializer(WholeRowMixin, serializers.ModelSerializer):
    class Meta:
        model = CapacityPlanSegment
        fields = list(SEGMENT_FIELDS)
        extra_kwargs = {
            "arr": {"help_text": _("Whole yen, 0 or more.")},
            "arr_per_csm": {
                "help_text": _("Whole yen over 0: the ARR one CSM carries."),
                "error_messages": {
                    "min_value": _("The benchmark is a whole amount of yen over 0.")
                },
            },
            "hours_per_account": {
                "error_messages": {
                    "min_value": POSITIVE_HOURS,
                    "max_value": POSITIVE_HOURS,
                }
            },
        }


class CapacityPlanSerializer(serializers.ModelSerializer):
    author_name = PersonField(source="author")
    segments = SegmentSerializer(
        many=True,
        allow_empty=False,
        max_length=MOST_SEGMENTS,
        help_text=_("One row per segment and coverage model, in order."),
    )
    results = serializers.SerializerMethodField()

    class Meta:
        model = CapacityPlan
        fields = [
            "id",
            *PLAN_FIELDS,
            "author",
            "author_name",
            "created_at",
            "updated_at",
            "segments",
            "results",
        ]
        read_only_fields = ["author", "created_at", "updated_at"]
        extra_kwargs = {
            "automation_percent": {
                "error_messages": {
                    "max_value": _(
                        "The automation factor is at least 0 and below 100."
                    ),
                    "min_value": _(
                        "The automation factor is at least 0 and below 100."
                    ),
                }
            },
            "span_of_control": {
                "error_messages": {
                    "max_value": _("An experienced leader has 8 to 12 direct reports."),
                    "min_value": _("An experienced leader has 8 to 12 direct reports."),
                }
            },
        }

    @extend_schema_field(ResultsSerializer)
    def get_results(self, plan):
        return ResultsSerializer(selectors.plan_results(plan)).data

    def validate_segments(self, rows):
        """A segment and coverage model given twice: an error on the later row,
        keyed by its position as DRF keys a row's own errors."""
        problems = {}
        seen = set()
        for index, row in enumerate(rows):
            key = (row["segment"].strip().casefold(), row["coverage_model"])
            if key in seen:
                problems[str(index)] = {"segment": [DUPLICATE_ROW]}
            seen.add(key)
        if problems:
            raise serializers.ValidationError(problems)
        return rows

    def validate(self, data):
        rule = data.get("whatif_rule", getattr(self.instance, "whatif_rule", None))
        threshold = data.get(
            "whatif_threshold", getattr(self.instance, "whatif_threshold", None)
        )
        if rule == WhatIfRule.THRESHOLD and threshold is None:
            raise serializers.ValidationError(
                {
                    "whatif_threshold": [
                        _(
                            "Give the ARR per account below which a segment "
                            "moves into a pool."
                        )
                    ]
                }
            )
        return data


class CapacityPlanViewSet(
    ServiceViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Capacity plans with their rows and results, newest change first."""

    serializer_class = CapacityPlanSerializer
    permission_classes = [IsAuthenticated, SeesCapacityPlans, ChangesOwnPlans]
    filterset_class = CapacityPlanFilter
    search_fields = ["name"]
    ordering_fields = ["id", "name", "updated_at"]
    queryset = CapacityPlan.objects.none()

    def get_queryset(self):
        return selectors.plan_list_with_rows(viewer=self.request.user)

    def _save(self, serializer, plan=None):
        data = dict(serializer.validated_data)
        rows = data.pop("segments", None)
        if rows is None:
            rows = [
                {name: getattr(row, name) for name in SEGMENT_FIELDS}
                for row in plan.segments.all()
            ]
        fields = {name: value for name, value in data.items() if name in PLAN_FIELDS}
        return services.capacity_plan_save(
            by=self.request.user,
            plan=plan,
            fields=fields,
            segments=[dict(row) for row in rows],
        )

    def _respond(self, plan, status_code=status.HTTP_200_OK):
        data = self.get_serializer(self.read(plan.pk)).data
        return Response(data, status=status_code)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._respond(self._save(serializer), status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        plan = self.get_object()
        serializer = self.get_serializer(
            plan, data=request.data, partial=kwargs.get("partial", False)
        )
        serializer.is_valid(raise_exception=True)
        return self._respond(self._save(serializer, plan))

    def destroy(self, request, *args, **kwargs):
        services.capacity_plan_delete(plan=self.get_object(), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(description="A plan with its rows and its results.")
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)


def register(router) -> None:
    router.register("capacity-plans", CapacityPlanViewSet, basename="capacity-plan")
