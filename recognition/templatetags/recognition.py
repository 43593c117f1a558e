"""Figures as people read them, and the inline SVG charts of the management pages
(no CDN, no JavaScript: the charts are drawn on the server and read in Japanese as
well as in English)."""

from __future__ import annotations

from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from recognition import metrics

register = template.Library()


@register.simple_tag
def figure(metric, value) -> str:
    """`{% figure metric figure_value %}`: 66.7 %, 39.5, an em dash for none."""
    if metric is None:
        return "—"
    return metrics.format_value(metric, getattr(value, "value", value))


@register.filter
def counts(value) -> str:
    """A figure's counts, "2/3", or nothing when it has none."""
    numerator = getattr(value, "numerator", None)
    denominator = getattr(value, "denominator", None)
    if numerator is None or denominator is None:
        return ""
    return f"{numerator}/{denominator}"


@register.filter
def in_days(value) -> str:
    """A number of days with its unit: "14 days" / "14日", "1 day", "25.5 days"; an
    em dash for none. Takes a number, a figure (its value) or `{% figure %}`'s text."""
    number = getattr(value, "value", value)
    if number in (None, "", "—"):
        return "—"
    try:
        number = float(number)
    except (TypeError, ValueError):
        return str(value)
    count = int(number) if number.is_integer() else 2  # a fraction reads as plural
    return ngettext("%(days)s day", "%(days)s days", count) % {"days": f"{number:g}"}


def _short(text: str, length: int = 10) -> str:
    text = str(text)
    return text if len(text) <= length else text[: length - 1] + "…"


def _bar(value, width: float) -> float:
    if value is None:
        return 0
    return round(max(0.0, min(1.0, value)) * width, 1)


def _bar_text(metric, value) -> str:
    if value.value is None:
        return _("no cohort")
    text = metrics.format_value(metric, value.value)
    if value.denominator is not None and value.numerator is not None:
        text += f" ({value.numerator}/{value.denominator})"
    if value.provisional:
        text += " *"
    return text


# Funnel: each transition's conversion, the member beside the team --------------

FUNNEL = {
    "width": 590,
    # The column of series names: ten full-width characters at the chart's size.
    "series": 134,
    "bars": 300,  # 100 %
    "label": 22,
    "bar": 17,
    "gap": 4,
    "group_gap": 14,
}


@register.inclusion_tag("recognition/_chart_funnel.html")
def funnel_chart(page) -> dict:
    """One group per transition (and the whole journey last): the member's bar, then
    the team's. `page` is a `selectors.dashboard.MemberPage`."""
    size = FUNNEL
    has_team = page.team is not None
    entries = [
        (item.transition.label, item.transition.conversion, item.member, item.team)
        for item in page.transitions
    ]
    if page.columns is not None:
        first, last = page.columns.steps[0], page.columns.steps[-1]
        entries.append(
            (
                _("Whole journey: %(first)s → %(last)s")
                % {"first": first, "last": last},
                page.columns.journey_conversion,
                page.journey,
                page.team_journey,
            )
        )
    rows, y = [], 0
    member_name = _short(page.member.get_short_name())
    team_name = _short(page.team.name) if has_team else ""
    for label, metric, member_value, team_value in entries:
        row = {"label": label, "label_y": y + 15}
        y += size["label"]
        bars = [("member", member_name, member_value)]
        if has_team:
            bars.append(("team", team_name, team_value))
        row["bars"] = []
        for series, name, value in bars:
            width = _bar(value.value, size["bars"])
            row["bars"].append(
                {
                    "series": series,
                    "name": name,
                    "y": y,
                    "text_y": y + size["bar"] - 4,
                    "width": width,
                    "text_x": size["series"] + width + 6,
                    "text": _bar_text(metric, value),
                    "empty": value.value is None,
                }
            )
            y += size["bar"] + size["gap"]
        rows.append(row)
        y += size["group_gap"]
    return {
        "rows": rows,
        "height": max(y, 1),
        "size": size,
        "bar_x": size["series"],
        "name_x": size["series"] - 6,
        "has_team": has_team,
        "member": page.member,
        "team": page.team,
        "has_provisional": any(
            value.provisional for _l, _m, mv, tv in entries for value in (mv, tv)
        ),
    }


# Trend: a transition's monthly conversion over the last months ------------------

TREND = {"width": 300, "height": 150, "left": 38, "right": 10, "top": 10, "bottom": 24}


def _lines(points, provisional: list[bool]) -> list[dict]:
    """Polylines of a series, broken where a month has no figure, and split where
    a stretch into or out of a provisional month starts: those are drawn dashed
    and pale (`provisional`), the final ones solid."""
    lines = []
    for start, end in zip(range(len(points)), range(1, len(points)), strict=False):
        (x1, y1), (x2, y2) = points[start], points[end]
        if y1 is None or y2 is None:
            continue
        dashed = provisional[start] or provisional[end]
        previous = lines[-1] if lines else None
        if previous and previous["end"] == start and previous["provisional"] == dashed:
            previous["points"] += f" {x2:.1f},{y2:.1f}"
            previous["end"] = end
        else:
            lines.append(
                {
                    "points": f"{x1:.1f},{y1:.1f} {x2:.1f},{y2:.1f}",
                    "provisional": dashed,
                    "end": end,
                }
            )
    return lines


def _final_note(figure) -> str:
    """ ", provisional, final on 2026/11/13" for a provisional figure."""
    if not figure.provisional:
        return ""
    if figure.final_at is None:
        return " · " + _("provisional")
    return " · " + _("provisional, final on %(date)s") % {
        "date": date_format(timezone.localtime(figure.final_at), "SHORT_DATE_FORMAT")
    }


@register.inclusion_tag("recognition/_chart_trend.html")
def trend_chart(trend, has_team: bool = True) -> dict:
    """Small multiple of one transition: the member's monthly conversion (solid
    line, dots) and the team's (dashed). `trend` is a `selectors.dashboard.Trend`."""
    size = TREND
    plot_width = size["width"] - size["left"] - size["right"]
    plot_height = size["height"] - size["top"] - size["bottom"]
    count = max(len(trend.points) - 1, 1)
    metric = trend.transition.conversion

    def x_at(index: int) -> float:
        return size["left"] + plot_width * index / count

    def y_at(value) -> float | None:
        if value is None:
            return None
        return size["top"] + plot_height * (1 - max(0.0, min(1.0, value)))

    member_points = [
        (x_at(i), y_at(p.member.value)) for i, p in enumerate(trend.points)
    ]
    team_points = [(x_at(i), y_at(p.team.value)) for i, p in enumerate(trend.points)]
    dots = [
        {
            "x": round(x, 1),
            "y": round(y, 1),
            "title": f"{metrics.month_label(point.month)}: "
            f"{_bar_text(metric, point.member)}{_final_note(point.member)}",
            "open": point.member.provisional or point.running,
        }
        for (x, y), point in zip(member_points, trend.points, strict=True)
        if y is not None
    ]
    team_dots = [
        {
            "x": round(x - 3, 1),
            "y": round(y - 3, 1),
            "title": f"{metrics.month_label(point.month)}: "
            + _("team rate %(value)s") % {"value": _bar_text(metric, point.team)}
            + _final_note(point.team),
        }
        for (x, y), point in zip(team_points, trend.points, strict=True)
        if y is not None and has_team
    ]
    grid = [
        {"y": round(y_at(level), 1), "label": f"{int(level * 100)}%"}
        for level in (0, 0.5, 1)
    ]
    points = trend.points
    ticks = []
    if points:
        ticks = [
            {
                "x": x_at(0),
                "label": metrics.month_label(points[0].month),
                "anchor": "start",
            },
            {
                "x": x_at(len(points) - 1),
                "label": metrics.month_label(points[-1].month),
                "anchor": "end",
            },
        ]
    return {
        "trend": trend,
        "size": size,
        "plot_right": size["width"] - size["right"],
        "axis_y": size["height"] - size["bottom"],
        "tick_y": size["height"] - 6,
        "member_lines": _lines(
            member_points,
            [p.member.provisional or p.running for p in trend.points],
        ),
        "team_lines": _lines(
            team_points, [p.team.provisional or p.running for p in trend.points]
        )
        if has_team
        else [],
        "provisional_months": [
            {
                "month": metrics.month_label(point.month),
                "final_at": point.member.final_at,
            }
            for point in trend.points
            # The running month is provisional too, whatever its figure so far.
            if (point.member.provisional or point.running)
            and (point.member.final_at or point.running)
        ],
        "dots": dots,
        "team_dots": team_dots,
        "grid": grid,
        "ticks": ticks,
        "has_data": trend.has_data,
    }
