"""`{% revenue_chart rows %}`: NRR (solid) and GRR (dashed) month by month as inline
SVG, like the member page's trend charts (same classes, no inline style). The
y axis spans the values shown and 100 %, so a retention above 100 % fits."""

from django import template
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

register = template.Library()

SIZE = {"width": 640, "height": 200, "left": 46, "right": 12, "top": 12, "bottom": 26}


def _percent(value: float) -> str:
    return f"{value * 100:.1f} %"


def _series(rows, name: str, x_at, y_at) -> list[str]:
    """Polylines of one series, broken where a month has none."""
    lines, current = [], []
    for index, row in enumerate(rows):
        value = getattr(row["figures"], name)
        if value is None:
            if len(current) > 1:
                lines.append(" ".join(current))
            current = []
            continue
        current.append(f"{x_at(index):.1f},{y_at(value):.1f}")
    if len(current) > 1:
        lines.append(" ".join(current))
    return lines


@register.simple_tag(name="revenue_chart")
def revenue_chart(rows) -> SafeString:
    """`rows`: the page's months, oldest first, each {"month", "figures"}."""
    values = [
        value
        for row in rows
        for value in (row["figures"].nrr, row["figures"].grr)
        if value is not None
    ]
    if not values:
        return SafeString("")
    low = min(min(values), 1.0)
    high = max(max(values), 1.0)
    low, high = max(0.0, low - 0.05), high + 0.05
    size = SIZE
    plot_width = size["width"] - size["left"] - size["right"]
    plot_height = size["height"] - size["top"] - size["bottom"]
    count = max(len(rows) - 1, 1)

    def x_at(index: int) -> float:
        return size["left"] + plot_width * index / count

    def y_at(value: float) -> float:
        return size["top"] + plot_height * (high - value) / (high - low)

    aria = escape(_("NRR and GRR by month"))
    parts = [
        '<figure class="chart mb-2" data-testid="revenue-chart">',
        f'<svg class="chart-svg" viewBox="0 0 {size["width"]} {size["height"]}"'
        f' width="100%" role="img" aria-label="{aria}">',
    ]
    left, right = size["left"], size["width"] - size["right"]
    for level in sorted({low, 1.0, high}):
        y = y_at(level)
        parts.append(
            f'<line x1="{left}" x2="{right}" y1="{y:.1f}" y2="{y:.1f}"'
            ' class="chart-grid"></line>'
            f'<text x="{left - 4}" y="{y:.1f}" dy="4" text-anchor="end"'
            f' class="chart-axis">{escape(f"{level * 100:.0f}%")}</text>'
        )
    for index in (0, len(rows) - 1) if rows else ():
        anchor = "start" if index == 0 else "end"
        label = date_format(rows[index]["month"], "YEAR_MONTH_FORMAT")
        parts.append(
            f'<text x="{x_at(index):.1f}" y="{size["height"] - 6}"'
            f' text-anchor="{anchor}" class="chart-axis">{escape(label)}</text>'
        )
    for name, css in (("grr", "line-team"), ("nrr", "line-member")):
        parts.extend(
            f'<polyline points="{points}" class="{css}" data-series="{name}">'
            "</polyline>"
            for points in _series(rows, name, x_at, y_at)
        )
    for index, row in enumerate(rows):
        value = row["figures"].nrr
        if value is None:
            continue
        title = escape(
            f"{date_format(row['month'], 'YEAR_MONTH_FORMAT')}: NRR {_percent(value)}"
        )
        parts.append(
            f'<circle cx="{x_at(index):.1f}" cy="{y_at(value):.1f}" r="3.5"'
            f' class="dot-member{" dot-open" if row["running"] else ""}">'
            f"<title>{title}</title></circle>"
        )
    parts.append("</svg>")
    parts.append(
        '<figcaption class="small text-secondary">'
        f'<span class="legend-line-member"></span>{escape(_("NRR"))} '
        f'<span class="legend-line-team ms-3"></span>{escape(_("GRR"))}'
        "</figcaption></figure>"
    )
    return SafeString("".join(parts))


@register.filter
def yen(value) -> str:
    """¥1,200,000; an em dash for none."""
    if value is None:
        return "—"
    return f"¥{round(value):,}"


@register.filter
def signed_yen(value) -> str:
    """+¥200,000 / −¥50,000."""
    if value is None:
        return "—"
    sign = "+" if value > 0 else "−" if value < 0 else "±"
    return f"{sign}¥{abs(round(value)):,}"


@register.filter
def percent(value) -> str:
    """112.5 %; an em dash for none (no starting ARR)."""
    return "—" if value is None else _percent(value)


@register.filter
def ratio(value) -> str:
    return "—" if value is None else f"{value:.1f}"
