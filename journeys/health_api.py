"""The account health API (`/api/v1/account-health/`, read only): the health
recorded for the accounts the viewer sees (`journeys.health` tells the rules),
each with its parts and the inputs they came from.

Without `account` or a day filter, the list holds each account's latest recorded
day; with them, every recorded day that matches (an account's history:
`?account=12&day_from=2026-06-01`). Another team's account answers 404 and is
never listed.
"""

import django_filters
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from config.api import DjangoFilterBackend, IdFilter

from . import permissions
from .api import JourneysViewSet
from .filters import NullsLastOrderingFilter
from .models import AccountHealth, HealthBand
from .serializers import JourneysModelSerializer, ReadableFieldsOnce


class AccountHealthSerializer(ReadableFieldsOnce, JourneysModelSerializer):
    """An account's health on one day: the score and band, each part (0–100, null
    when it does not apply) and the inputs the parts came from."""

    account_name = serializers.CharField(source="account.name", read_only=True)
    band = serializers.ChoiceField(
        choices=HealthBand.choices,
        allow_blank=True,
        read_only=True,
        help_text=_("Empty when there is no score."),
    )

    class Meta:
        model = AccountHealth
        fields = [
            "id",
            "account",
            "account_name",
            "day",
            "score",
            "band",
            "pace",
            "value_points",
            "recency",
            "arr_trend",
            "plan",
            "days_at_step",
            "window_days",
            "overdue_value_points",
            "days_since_event",
            "arr_change_percent",
            "measures_on_track",
            "measures",
            "computed_at",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "score": {"help_text": _("0–100; null when no part applies.")},
        }


class AccountHealthFilter(django_filters.FilterSet):
    account = IdFilter(field_name="account_id", label=_("Account (id)"))
    band = django_filters.ChoiceFilter(choices=HealthBand.choices, label=_("Health"))
    day = django_filters.DateFilter(label=_("Recorded on this day"))
    day_from = django_filters.DateFilter(
        field_name="day", lookup_expr="gte", label=_("Recorded on or after")
    )
    day_to = django_filters.DateFilter(
        field_name="day", lookup_expr="lte", label=_("Recorded on or before")
    )
    ordering = NullsLastOrderingFilter(
        fields=(("score", "score"), ("day", "day"), ("id", "id")),
        label=_("Order by"),
    )

    class Meta:
        model = AccountHealth
        fields = ["account", "band", "day", "day_from", "day_to"]

    # Any of these asks for history; without them, the latest day of each account.
    HISTORY = ("account", "day", "day_from", "day_to")

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if any(self.form.cleaned_data.get(name) is not None for name in self.HISTORY):
            return queryset
        later = AccountHealth.objects.filter(
            account=OuterRef("account"), day__gt=OuterRef("day")
        )
        return queryset.filter(~Exists(later))


class AccountHealthViewSet(JourneysViewSet):
    """Recorded account health (latest per account, or an account's history), with
    each part (0–100, null when it does not apply) and its inputs. Filters:
    `band`, `account`, `day`, `day_from`, `day_to`; `ordering=score` (lowest
    first) or `-score`."""

    serializer_class = AccountHealthSerializer
    filterset_class = AccountHealthFilter
    filter_backends = [DjangoFilterBackend]
    queryset = AccountHealth.objects.none()

    def get_queryset(self):
        return (
            AccountHealth.objects.filter(
                account__in=permissions.visible_accounts(self.request.user).values("pk")
            )
            .select_related("account")
            .order_by("account__name", "account_id", "-day")
        )
