"""Figures as people read them, and the inline SVG charts of the management pages
(no CDN, no JavaScript: the charts are drawn on the server and read in Japanese as
well as in English)."""

from __future__ import annotations

import html
from datetime import datetime

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import SafeString
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


# Heat map: the cells of a dashboard row ------------------------------------------


@register.simple_tag(takes_context=True)
def heat_cells(context, row, period) -> SafeString:
    """`{% heat_cells row period %}`: the heat-map cells of a dashboard row
    (`selectors.dashboard.Row`, a member's or the team's), in the order of the
    table's columns: each transition's conversion (its median days inside), the
    journey conversion, value points on time (when the journey has them) and
    training completion.

    Written here, not in a template included once per cell: a team of 12 members
    has some 170 cells, and an `{% include %}` (or a template loop) per cell was
    most of the dashboard's time (issue 12). The markup is that of a template:
    every text translated, every value escaped."""
    # What every row of the page shares, made once per page.
    texts = context.render_context.get(_HeatTexts)
    if texts is None or texts.period_key != period.key:
        texts = _HeatTexts(period, _page_labels(context))
        context.render_context[_HeatTexts] = texts
    cells = [
        _heat_cell(
            item.conversion, row, texts, days=item.days, step=item.transition.step
        )
        for item in row.transitions
    ]
    cells.append(_heat_cell(row.journey, row, texts))
    if row.value_points:
        cells.append(_heat_cell(row.value_points, row, texts))
    cells.append(_heat_cell(row.training, row, texts))
    return SafeString("".join(cells))


def escape(value) -> str:
    """A value as a template prints it (`{{ value }}`, autoescaped)."""
    return html.escape(str(value))


class _Labels:
    """Months and days as a page shows them, each formatted once per page:
    `date_format` takes tens of microseconds, and the charts and the heat map name
    the same few months and days again and again."""

    def __init__(self):
        self._zone = timezone.get_current_timezone()
        self._days = {}
        self._months = {}

    def day(self, moment) -> str:
        """`{{ moment|date:"SHORT_DATE_FORMAT" }}`: the local day."""
        if isinstance(moment, datetime) and timezone.is_aware(moment):
            moment = moment.astimezone(self._zone)
        day = moment.date() if isinstance(moment, datetime) else moment
        if day not in self._days:
            self._days[day] = date_format(day, "SHORT_DATE_FORMAT")
        return self._days[day]

    def month(self, month) -> str:
        """`metrics.month_label`."""
        if month not in self._months:
            self._months[month] = metrics.month_label(month)
        return self._months[month]


def _page_labels(context) -> _Labels:
    labels = context.render_context.get(_Labels)
    if labels is None:
        labels = context.render_context[_Labels] = _Labels()
    return labels


class _HeatTexts:
    """What the heat-map cells of a page share: the translated texts, the
    period's key, the links of a member's transition and the dates shown."""

    # Stand-ins reversed once per page for a member's and a step's id, then
    # replaced in each cell's link: `reverse()` takes tens of microseconds, and a
    # team's heat map has hundreds of links.
    MEMBER, STEP = "1000000001", "1000000002"

    def __init__(self, period, labels: _Labels):
        self.labels = labels
        self.period_key = period.key
        self.period = escape(period.key)
        # A period still running gains cohorts until it ends: its figures name no
        # day they become final (an open window's end would be too early).
        self.running = period.running
        self.against = _("%(difference)s against the team rate %(team)s")
        self.versus = _("%(difference)s vs team")
        self.counts = _("%(converted)s of %(total)s")
        self.median = _("median %(days)s")
        self.until = _("provisional until %(date)s")
        self.worse = escape(_("Worse than the team rate"))
        self.below = escape(_("below the team rate"))
        self.better = escape(_("Better than the team rate"))
        self.above = escape(_("above the team rate"))
        self.slower = escape(_("slower than the team"))
        self.provisional = escape(_("provisional"))
        self.left_out = escape(_("provisional, left out"))
        self.training = escape(_("training"))
        self.not_passed = escape(_("not passed yet:"))
        self.add_to_plan = escape(_("Add to plan"))
        self._links = {
            name: escape(reverse(name, args=[self.MEMBER, self.STEP]))
            for name in ("recognition:cohort_detail", "recognition:plan_add_transition")
        }

    def link(self, name: str, member, step) -> str:
        """`{% url name member.pk step.pk %}`."""
        return (
            self._links[name]
            .replace(self.MEMBER, str(member.pk))
            .replace(self.STEP, str(step.pk))
        )

    def date(self, moment) -> str:
        return escape(self.labels.day(moment))


def _heat_cell(cell, row, texts: _HeatTexts, *, days=None, step=None) -> str:
    """One cell (`selectors.dashboard.Cell`): its figure, linked to the cohort's
    accounts on a member's row; its flag and distance to the team rate; its counts
    and median days; provisional or left out; the training not passed yet; "add to
    plan" on the rows of members the viewer coaches."""
    figure = cell.figure
    member = row.member
    grade = cell.grade
    difference = escape(cell.difference_display)
    if grade:
        attributes = f' heat-{escape(grade)}"'
    else:
        attributes = ' heat-empty"' if cell.value is None else '"'
    attributes += f' data-metric="{escape(cell.metric.key)}"'
    if cell.weak:
        attributes += ' data-weak="true"'
    if grade:
        attributes += f' data-grade="{escape(grade)}"'
    if difference:
        title = texts.against % {
            "difference": difference,
            "team": escape(cell.team_display),
        }
        attributes += f' title="{title}"'
    parts = [f'<td class="heat{attributes}>']
    shown = escape(cell.display)
    if step and member and figure.denominator:
        url = texts.link("recognition:cohort_detail", member, step)
        parts.append(
            f'<a class="figure" href="{url}?period={texts.period}"'
            f' data-testid="drill-down">{shown}</a>'
        )
    else:
        parts.append(f'<span class="figure">{shown}</span>')
    if cell.weak:
        parts.append(
            f'<span class="flag" title="{texts.worse}">▼<span'
            f' class="visually-hidden"> {texts.below}</span></span>'
        )
    elif cell.strong:
        parts.append(
            f'<span class="flag flag-good" title="{texts.better}">▲<span'
            f' class="visually-hidden"> {texts.above}</span></span>'
        )
    if difference:
        text = texts.versus % {"difference": difference}
        parts.append(
            f'<span class="meta difference" data-testid="difference">{text}</span>'
        )
    if cell.has_counts and figure.denominator is not None:
        text = texts.counts % {
            "converted": escape(figure.numerator),
            "total": escape(figure.denominator),
        }
        if days and days.value is not None:
            median = texts.median % {"days": escape(in_days(days.value))}
            if days.weak:
                median = (
                    f'<span class="flag" data-days-weak="true">{median} ▼<span'
                    f' class="visually-hidden"> {texts.slower}</span></span>'
                )
            else:
                median = f"<span>{median}</span>"
            text += f" · {median}"
        parts.append(f'<span class="meta">{text}</span>')
    if figure.provisional:
        text = (
            texts.until % {"date": texts.date(figure.final_at)}
            if figure.final_at and not texts.running
            else texts.provisional
        )
        parts.append(
            f'<span class="meta provisional-mark" data-testid="provisional">◔ {text}'
            "</span>"
        )
    if cell.hidden_provisional:
        parts.append(
            '<span class="meta provisional-mark" data-testid="hidden-provisional">◔ '
            f"{texts.left_out}</span>"
        )
    if cell.module:
        url = reverse("journeys:module_detail", args=[cell.module.pk])
        parts.append(
            '<span class="module-flag" data-testid="untrained"><span class="badge'
            f' text-bg-warning">{texts.training}</span> {texts.not_passed}'
            f' <a href="{escape(url)}">{escape(cell.module.title)}</a></span>'
        )
    if step and row.coached:
        url = texts.link("recognition:plan_add_transition", member, step)
        parts.append(
            f'<a class="meta add-to-plan" href="{url}"'
            f' data-testid="cell-add-to-plan">+ {texts.add_to_plan}<span'
            f' class="visually-hidden"> ({escape(member.display_name)},'
            f" {escape(step.name)})</span></a>"
        )
    return "\n  ".join(parts) + "\n</td>\n"


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


def funnel_chart(page) -> dict:
    """One group per transition (and the whole journey last): the member's bar, then
    the team's. `page` is a `selectors.dashboard.MemberPage`. What `{% funnel_chart
    %}` draws."""
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


@register.simple_tag(name="funnel_chart")
def funnel_chart_tag(page) -> SafeString:
    """`{% funnel_chart page %}`: the funnel (`funnel_chart`) as inline SVG, written
    here like the trend charts (`trend_chart_tag`)."""
    chart = funnel_chart(page)
    size, member = chart["size"], escape(chart["member"].display_name)
    team = escape(chart["team"].name) if chart["has_team"] else ""
    if chart["has_team"]:
        title = _("Conversion at each step: %(member)s beside %(team)s") % {
            "member": member,
            "team": team,
        }
    else:
        title = _("Conversion at each step: %(member)s") % {"member": member}
    parts = [
        '<figure class="chart chart-funnel mb-0" data-testid="funnel">\n'
        f'  <svg class="chart-svg" viewBox="0 0 {size["width"]} {chart["height"]}"'
        ' width="100%" role="img" aria-labelledby="funnel-title">\n'
        f'    <title id="funnel-title">{title}</title>\n'
        "    <defs>\n"
        '      <pattern id="chart-hatch" width="6" height="6"'
        ' patternUnits="userSpaceOnUse" patternTransform="rotate(45)">\n'
        '        <rect width="6" height="6" class="bar-team-fill"></rect>\n'
        '        <line x1="0" y1="0" x2="0" y2="6" class="bar-team-hatch"></line>\n'
        "      </pattern>\n"
        "    </defs>\n    "
    ]
    bar_x, name_x = chart["bar_x"], chart["name_x"]
    for row in chart["rows"]:
        parts.append(
            '\n    <g class="chart-group">\n'
            f'      <text x="0" y="{row["label_y"]}" class="chart-label">'
            f"{escape(row['label'])}</text>\n      "
        )
        for bar in row["bars"]:
            name, text = escape(bar["name"]), escape(bar["text"])
            fill = ""
            if not bar["empty"]:
                hatch = ' fill="url(#chart-hatch)"' if bar["series"] == "team" else ""
                fill = (
                    f'<rect x="{bar_x}" y="{bar["y"]}" width="{bar["width"]}"'
                    f' height="{size["bar"]}" class="bar-{escape(bar["series"])}"'
                    f"{hatch}><title>{name}: {text}</title></rect>"
                )
            parts.append(
                f'\n      <text x="{name_x}" y="{bar["text_y"]}" text-anchor="end"'
                f' class="chart-series">{name}</text>\n'
                f'      <rect x="{bar_x}" y="{bar["y"]}" width="{size["bars"]}"'
                f' height="{size["bar"]}" class="bar-track"></rect>\n'
                f"      {fill}\n"
                f'      <text x="{bar["text_x"]}" y="{bar["text_y"]}"'
                f' class="chart-value{" chart-empty" if bar["empty"] else ""}">'
                f"{text}</text>\n      "
            )
        parts.append("\n    </g>\n    ")
    parts.append(
        "\n  </svg>\n"
        '  <figcaption class="small text-secondary d-flex flex-wrap gap-3 mt-1">\n'
        '    <span><span class="legend-swatch legend-member" aria-hidden="true">'
        f"</span>{member}</span>\n    "
    )
    if chart["has_team"]:
        legend = _("%(team)s: team rate") % {"team": team}
        parts.append(
            '<span><span class="legend-swatch legend-team" aria-hidden="true"></span>'
            f'<span data-testid="funnel-team-legend">{legend}</span></span>'
        )
    parts.append("\n    ")
    if chart["has_provisional"]:
        note = escape(_("* provisional: some windows are still open"))
        parts.append(f"<span>{note}</span>")
    parts.append("\n  </figcaption>\n</figure>\n")
    return SafeString("".join(parts))


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


def _final_note(figure, labels: _Labels, *, running: bool = False) -> str:
    """ ", provisional, final on 2026/11/13" for a provisional figure; for a month
    still running, provisional without a day (its cohort grows until it ends)."""
    if not (figure.provisional or running):
        return ""
    if figure.final_at is None or running:
        return " · " + _("provisional")
    return " · " + _("provisional, final on %(date)s") % {
        "date": labels.day(figure.final_at)
    }


def trend_chart(trend, has_team: bool = True, *, labels: _Labels | None = None) -> dict:
    """Small multiple of one transition: the member's monthly conversion (solid
    line, dots) and the team's (dashed). `trend` is a `selectors.dashboard.Trend`;
    `labels`, the page's (`_page_labels`). What `{% trend_chart %}` draws."""
    labels = labels or _Labels()
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
            "title": f"{labels.month(point.month)}: "
            f"{_bar_text(metric, point.member)}"
            f"{_final_note(point.member, labels, running=point.running)}",
            "open": point.member.provisional or point.running,
        }
        for (x, y), point in zip(member_points, trend.points, strict=True)
        if y is not None
    ]
    team_dots = [
        {
            "x": round(x - 3, 1),
            "y": round(y - 3, 1),
            "title": f"{labels.month(point.month)}: "
            + _("team rate %(value)s") % {"value": _bar_text(metric, point.team)}
            + _final_note(point.team, labels, running=point.running),
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
                "label": labels.month(points[0].month),
                "anchor": "start",
            },
            {
                "x": x_at(len(points) - 1),
                "label": labels.month(points[-1].month),
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
                "month": labels.month(point.month),
                # A running month's cohort grows until it ends: "still running",
                # never the end of the window of an account in it so far.
                "final_at": None if point.running else point.member.final_at,
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


@register.simple_tag(takes_context=True, name="trend_chart")
def trend_chart_tag(context, trend, has_team: bool = True) -> SafeString:
    """`{% trend_chart trend has_team %}`: the trend chart (`trend_chart`) as inline
    SVG. Written here rather than by an inclusion template: a member page draws a
    chart per transition, each with a few dozen points, and the template's loops
    took longer than everything else the charts need (issue 12)."""
    labels = _page_labels(context)
    chart = trend_chart(trend, has_team, labels=labels)
    label = escape(trend.transition.label)
    parts = [
        '<figure class="chart chart-trend mb-0" data-testid="trend">\n'
        f'  <figcaption class="small fw-semibold mb-1">{label}</figcaption>\n  '
    ]
    if not chart["has_data"]:
        parts.append(
            '\n  <p class="small text-secondary mb-0">'
            f"{escape(_('No cohort in these months.'))}</p>\n  "
        )
    else:
        size = chart["size"]
        aria = _("Monthly conversion %(transition)s") % {"transition": label}
        parts.append(
            f'\n  <svg class="chart-svg" viewBox="0 0 {size["width"]} {size["height"]}"'
            f' width="100%" role="img" aria-label="{aria}">\n    '
        )
        left, right = size["left"], chart["plot_right"]
        for line in chart["grid"]:
            parts.append(
                f'\n    <line x1="{left}" x2="{right}" y1="{line["y"]}"'
                f' y2="{line["y"]}" class="chart-grid"></line>\n'
                f'    <text x="{left - 4}" y="{line["y"]}" dy="4" text-anchor="end"'
                f' class="chart-axis">{escape(line["label"])}</text>\n    '
            )
        parts.append("\n    ")
        parts.extend(
            f'<text x="{tick["x"]}" y="{chart["tick_y"]}"'
            f' text-anchor="{tick["anchor"]}" class="chart-axis">'
            f"{escape(tick['label'])}</text>"
            for tick in chart["ticks"]
        )
        parts.append("\n    ")
        parts.extend(
            f'<polyline points="{line["points"]}" class="line-team'
            f'{" line-provisional" if line["provisional"] else ""}"></polyline>'
            for line in chart["team_lines"]
        )
        parts.append("\n    ")
        parts.extend(
            f'<rect x="{dot["x"]}" y="{dot["y"]}" width="6" height="6"'
            f' class="dot-team"><title>{escape(dot["title"])}</title></rect>'
            for dot in chart["team_dots"]
        )
        parts.append("\n    ")
        parts.extend(
            f'<polyline points="{line["points"]}" class="line-member'
            f'{" line-provisional" if line["provisional"] else ""}"'
            f' data-provisional="{"true" if line["provisional"] else "false"}">'
            "</polyline>"
            for line in chart["member_lines"]
        )
        parts.append("\n    ")
        parts.extend(
            f'<circle cx="{dot["x"]}" cy="{dot["y"]}" r="3.5" class="dot-member'
            f'{" dot-open" if dot["open"] else ""}"><title>{escape(dot["title"])}'
            "</title></circle>"
            for dot in chart["dots"]
        )
        parts.append("\n  </svg>\n  ")
        if chart["provisional_months"]:
            notes = [
                _("%(month)s final on %(date)s")
                % {
                    "month": escape(item["month"]),
                    "date": escape(labels.day(item["final_at"])),
                }
                if item["final_at"]
                else _("%(month)s still running") % {"month": escape(item["month"])}
                for item in chart["provisional_months"]
            ]
            parts.append(
                '<p class="small provisional-mark mb-0"'
                f' data-testid="trend-provisional">◔ {" · ".join(notes)}</p>'
            )
        parts.append("\n  ")
    parts.append("\n</figure>\n")
    return SafeString("".join(parts))
