"""The texts of recognition's in-app notices (accounts/notifications.py), in the
reader's language: registered when the app is ready."""

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from accounts import notifications

from . import metrics

AWARD_WON = "award_won"
AWARD_CLOSED = "award_closed"


def period_label(key: str) -> str:
    """`2026-04` or `FY2026-Q1` as the reader's language says it."""
    try:
        return metrics.parse_period(key).label
    except ValueError:
        return key


def _won(params: dict) -> str:
    return _("Congratulations: you won %(program)s for %(period)s (rank %(rank)s).") % {
        "program": params["program"],
        "period": period_label(params["period"]),
        "rank": params["rank"],
    }


def _closed(params: dict) -> str:
    values = {
        "program": params["program"],
        "period": period_label(params["period"]),
    }
    winners = params.get("winners") or []
    if not winners:
        return (
            _(
                "%(program)s, %(period)s closed with no winner: no member reached "
                "the minimum denominator."
            )
            % values
        )
    names = pgettext("list separator", ", ").join(
        f"{rank}. {name}" for rank, name in winners
    )
    return _("%(program)s, %(period)s: the winners are %(names)s.") % {
        **values,
        "names": names,
    }


def register() -> None:
    notifications.register(AWARD_WON, _won)
    notifications.register(AWARD_CLOSED, _closed)
