"""Server-side SVG charts: plain SVG text that renders the same in a browser and in WeasyPrint.

No JavaScript and no external files. Every chart carries a <title> and a <desc> (the values in words)
for screen readers, labelled axes and the value over each bar; a period without a figure is shown as
"no figure" rather than as a bar of zero. Pages should also show the same numbers as a table.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from stats.models import period_for_start_year, period_start_year

FONT = "Atkinson Hyperlegible, Arial, Helvetica, sans-serif"
INK = "#1d2b26"
MUTED = "#55645e"
BAR = "#7fb8a4"
HIGHLIGHT = "#0b6e4f"
GRID = "#d5ddd9"


@dataclass(frozen=True)
class Bar:
    label: str
    value: int | None


def nice_ticks(top: int, count: int = 4) -> list[int]:
    """Round tick values from 0 to at least top: 0, 1,000, 2,000, 3,000 for 2,440."""
    if top <= 0:
        return [0, 1]
    raw = top / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    step = max(1, int(step)) if step >= 1 else 1
    ticks = [0]
    while ticks[-1] < top:
        ticks.append(ticks[-1] + step)
    return ticks


def bar_chart(
    bars: list[tuple[str, int | None]] | list[Bar],
    *,
    title: str,
    x_label: str,
    y_label: str,
    chart_id: str = "chart",
    highlight_last: bool = True,
    width: int = 560,
    height: int = 260,
) -> SafeString:
    """A vertical bar chart by period as SVG markup, safe to put straight into a template.

    `chart_id` makes the ids of the title and description unique on a page with several charts.
    """
    points = [bar if isinstance(bar, Bar) else Bar(*bar) for bar in bars]
    if not points:
        raise ValueError("A chart needs at least one period.")
    values = [p.value for p in points if p.value is not None]
    ticks = nice_ticks(max(values, default=0))
    top_value = ticks[-1]

    left, right, top, bottom = 62, 10, 22, 48  # room for the y ticks and label, the x labels and label
    plot_w, plot_h = width - left - right, height - top - bottom
    base = top + plot_h
    step = plot_w / len(points)
    bar_w = min(step * 0.62, 64)
    font = f'font-family="{FONT}"'

    desc = "; ".join(f"{p.label}: {p.value:,}" if p.value is not None else f"{p.label}: no figure" for p in points)
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-labelledby="{title_id} {desc_id}">',
        f'<title id="{title_id}">{escape(title)}</title>',
        f'<desc id="{desc_id}">{escape(y_label)} by {escape(x_label.lower())}: {escape(desc)}.</desc>',
    ]
    # Gridlines and the y axis's ticks.
    for tick in ticks:
        y = base - plot_h * tick / top_value
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{GRID}" '
                     f'stroke-width="1"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 3.5:.1f}" text-anchor="end" font-size="11" {font} '
                     f'fill="{MUTED}">{tick:,}</text>')
    parts.append(f'<line x1="{left}" y1="{base}" x2="{width - right}" y2="{base}" stroke="{INK}" stroke-width="1"/>')
    parts.append(f'<line x1="{left}" y1="{top}" x2="{left}" y2="{base}" stroke="{INK}" stroke-width="1"/>')
    # Axis labels.
    parts.append(f'<text x="{left + plot_w / 2:.1f}" y="{height - 6}" text-anchor="middle" font-size="12" {font} '
                 f'fill="{INK}">{escape(x_label)}</text>')
    parts.append(f'<text x="14" y="{top + plot_h / 2:.1f}" text-anchor="middle" font-size="12" {font} '
                 f'fill="{INK}" transform="rotate(-90 14 {top + plot_h / 2:.1f})">{escape(y_label)}</text>')
    last = len(points) - 1
    for index, point in enumerate(points):
        centre = left + step * index + step / 2
        parts.append(f'<text x="{centre:.1f}" y="{base + 16}" text-anchor="middle" font-size="11" {font} '
                     f'fill="{INK}">{escape(point.label)}</text>')
        if point.value is None:
            parts.append(f'<text x="{centre:.1f}" y="{base - 6}" text-anchor="middle" font-size="10" {font} '
                         f'fill="{MUTED}">no figure</text>')
            continue
        h = plot_h * point.value / top_value
        highlighted = highlight_last and index == last
        parts.append(f'<rect x="{centre - bar_w / 2:.1f}" y="{base - h:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                     f'fill="{HIGHLIGHT if highlighted else BAR}"/>')
        weight = ' font-weight="bold"' if highlighted else ""
        parts.append(f'<text x="{centre:.1f}" y="{base - h - 5:.1f}" text-anchor="middle" font-size="11" {font}'
                     f'{weight} fill="{INK}">{point.value:,}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every piece of text in it is escaped above


def periods_with_gaps(values: dict[str, int]) -> list[Bar]:
    """Every period from the first to the last with a figure, so a missing year shows as a gap."""
    if not values:
        return []
    years = sorted(period_start_year(period) for period in values)
    return [
        Bar(period_for_start_year(year), values.get(period_for_start_year(year)))
        for year in range(years[0], years[-1] + 1)
    ]
