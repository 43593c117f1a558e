"""API: the revenue KPIs of a scope month by month (read only), the figures of the
KPI page (`selectors.revenue`): S, each movement, new and reactivation, NRR, GRR,
logo churn, ARR and accounts per CSM.

For admins, managers and members (403 for the other roles). The scope follows
`permissions.revenue_scope_owner`: the organisation and segments for admins, a
team or pool the viewer leads, a member they see (members: themselves); another
one answers 404. A wrong parameter answers 400 on it.
"""

from datetime import date

from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from config.schema import ErrorSerializer
from journeys import revenue as journey_revenue

from .. import metrics
from ..permissions import default_revenue_scope, revenue_scope_owner
from ..selectors import revenue
from .metrics import MonthOutputField, SeesFigures

# The most months one answer holds (five years).
MOST_MONTHS = 60


class MonthParameterField(serializers.CharField):
    """A month (2026-04), not in the future."""

    def to_internal_value(self, data):
        text = super().to_internal_value(data)
        try:
            month = journey_revenue.parse_month(text)
        except ValueError as error:
            raise serializers.ValidationError(str(error)) from error
        if problem := journey_revenue.month_problem(month):
            raise serializers.ValidationError(problem)
        return month


class RevenueQuery(serializers.Serializer):
    scope = serializers.ChoiceField(choices=list(revenue.SCOPES), required=False)
    id = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    segment = serializers.CharField(required=False, max_length=100)

    def get_fields(self):
        fields = super().get_fields()
        # "from" is a Python keyword: declared here rather than as an attribute.
        fields["from"] = MonthParameterField(required=False)
        fields["to"] = MonthParameterField(required=False)
        return fields

    def validate(self, data):
        scope = data.get("scope")
        if scope in revenue.STORED and not data.get("id"):
            raise serializers.ValidationError(
                {"id": _("Give the id of the %(scope)s.") % {"scope": scope}}
            )
        if scope == revenue.SEGMENT and not data.get("segment"):
            raise serializers.ValidationError({"segment": _("Give the segment.")})
        last = data.get("to") or metrics.this_month()
        first = data.get("from") or metrics.add_months(last, -11)
        if first > last:
            raise serializers.ValidationError(
                {"from": _("The first month comes after the last one.")}
            )
        if metrics.add_months(first, MOST_MONTHS) <= last:
            raise serializers.ValidationError(
                {
                    "from": _("Ask for at most %(count)s months.")
                    % {"count": MOST_MONTHS}
                }
            )
        data["first"], data["last"] = first, last
        return data


class RevenueMonthSerializer(serializers.Serializer):
    month = MonthOutputField()
    running = serializers.BooleanField(
        help_text=gettext_lazy("The current month: its figures may still change.")
    )
    starting_arr = serializers.IntegerField(
        source="figures.starting",
        help_text=gettext_lazy(
            "S: ARR at the start of the month of the accounts that had ARR then (yen)."
        ),
    )
    upsell = serializers.IntegerField(source="figures.upsell")
    expansion = serializers.IntegerField(source="figures.expansion")
    cross_sell = serializers.IntegerField(source="figures.cross_sell")
    downsell = serializers.IntegerField(source="figures.downsell")
    churn = serializers.IntegerField(
        source="figures.churn",
        help_text=gettext_lazy("The ARR before of the accounts that churned (yen)."),
    )
    new = serializers.IntegerField(
        source="figures.new",
        help_text=gettext_lazy("New ARR: not in S, E, C or X in its first month."),
    )
    reactivation = serializers.IntegerField(source="figures.reactivation")
    ending_arr = serializers.IntegerField(
        source="figures.ending", help_text=gettext_lazy("S + E − C − X (yen).")
    )
    nrr = serializers.FloatField(
        source="figures.nrr",
        allow_null=True,
        help_text=gettext_lazy("(S + E − C − X) / S; null when S is 0."),
    )
    grr = serializers.FloatField(
        source="figures.grr",
        allow_null=True,
        help_text=gettext_lazy("(S − C − X) / S; null when S is 0."),
    )
    accounts_at_start = serializers.IntegerField(source="figures.customers")
    churned_accounts = serializers.IntegerField(source="figures.churned_accounts")
    logo_churn = serializers.FloatField(source="figures.logo_churn", allow_null=True)
    csms = serializers.IntegerField(source="figures.csms")
    arr_per_csm = serializers.FloatField(source="figures.arr_per_csm", allow_null=True)
    accounts_per_csm = serializers.FloatField(
        source="figures.accounts_per_csm", allow_null=True
    )


class RevenueKpisSerializer(serializers.Serializer):
    scope = serializers.ChoiceField(choices=list(revenue.SCOPES))
    id = serializers.IntegerField(allow_null=True)
    segment = serializers.CharField(allow_null=True)
    from_rollup = serializers.BooleanField(
        help_text=gettext_lazy(
            "Member, team and pool figures are the latest rollup's; the "
            "organisation's and a segment's are computed when asked."
        )
    )
    months = RevenueMonthSerializer(many=True)


@extend_schema(
    parameters=[
        OpenApiParameter(
            "scope",
            OpenApiTypes.STR,
            enum=list(revenue.SCOPES),
            description=gettext_lazy(
                "Whose figures: the organisation, a segment (`segment`), a team, "
                "member or pool (`id`). Default: the organisation for admins, the "
                "first team a manager leads, else the member asking."
            ),
        ),
        OpenApiParameter("id", OpenApiTypes.INT64),
        OpenApiParameter("segment", OpenApiTypes.STR),
        OpenApiParameter(
            "from",
            {"type": "string", "example": "2026-04"},
            description=gettext_lazy("First month (default: 11 months before `to`)."),
        ),
        OpenApiParameter(
            "to",
            {"type": "string", "example": "2026-04"},
            description=gettext_lazy("Last month (default: the current month)."),
        ),
    ],
    responses={
        200: RevenueKpisSerializer,
        404: OpenApiResponse(
            response=ErrorSerializer,
            description=gettext_lazy(
                "No such team, member, pool or segment, or not one you may see."
            ),
        ),
    },
)
class RevenueKpiView(APIView):
    """The revenue KPIs of a scope, month by month, oldest first."""

    permission_classes = [IsAuthenticated, SeesFigures]

    def get(self, request):
        query = RevenueQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        scope = data.get("scope")
        if scope is None:
            scope, owner = default_revenue_scope(request.user)
        elif scope == revenue.SEGMENT:
            owner = data["segment"]
        else:
            owner = data.get("id")
        if revenue_scope_owner(request.user, scope, owner) is None:
            raise NotFound(
                _("No such %(scope)s, or not one you may see.") % {"scope": scope}
            )
        months = _months(data["first"], data["last"])
        found = revenue.scope_months(scope=scope, owner=owner, months=months)
        current = metrics.this_month()
        rows = [
            {
                "month": month,
                "running": month == current,
                "figures": found.get(month) or revenue.RevenueMonth(month),
            }
            for month in months
        ]
        answer = {
            "scope": scope,
            "id": owner if scope in revenue.STORED else None,
            "segment": owner if scope == revenue.SEGMENT else None,
            "from_rollup": scope in revenue.STORED,
            "months": rows,
        }
        return Response(RevenueKpisSerializer(answer).data)


def _months(first: date, last: date) -> list[date]:
    months, month = [], first
    while month <= last:
        months.append(month)
        month = metrics.add_months(month, 1)
    return months


urlpatterns = [path("revenue-kpis/", RevenueKpiView.as_view(), name="revenue-kpis")]
