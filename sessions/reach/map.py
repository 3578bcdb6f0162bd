"""The coverage map: every open primary school of some areas as a mark at its register coordinates,
drawn on the server as SVG (no map tiles, nothing fetched), with its counts for a table beside it.

- Where: the school's British National Grid easting and northing (metres, from the DfE register),
  projected linearly into the picture's box with one scale for both axes (so the shape is true), north
  at the top. The box is the smallest that holds the schools shown (`Projection.fitting`); schools the
  register gives no coordinates are counted and said, never guessed.
- What: the state of each school on the date, from `sessions.reach.coverage.classified_schools` (the
  one place for "due"): *visited* within the programme cycle (a round dot), *due* again (a square
  dot) or *never visited* (a ring), each in its own colour too; a school with an open request (a
  visit requested and not yet proposed) has a square drawn round its mark. Shape as well as colour,
  so the map reads in greyscale and to colour-blind eyes.
- Size: an area can have thousands of schools, the UK 20,000. Each state is one <path> whose marks are
  zero-length strokes with round or square caps (`m12 -3h0`: eight bytes or so a school, moves
  relative and sorted so they stay short, one mark per pixel); the whole UK is a couple of hundred
  kilobytes, an area a few.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from sessions.reach.coverage import DUE, NEVER, VISITED, classified_schools, state_of
from stats.charts import FONT, INK, MUTED

WIDTH, MAX_HEIGHT, MARGIN = 640, 720, 14
MIN_SPAN = 4_000  # metres: one school, or a few close together, still get a few kilometres of map
BACKGROUND = "#f4f7f6"
MARKS = {
    # state: (label, colour, cap); a ring is a round dot with a smaller background-coloured dot in it.
    VISITED: ("Visited within the programme cycle", "#1a7f5a", "round"),
    DUE: ("Due a visit again", "#a35200", "square"),
    NEVER: ("Never visited", "#b10e1e", "round"),
}
REQUEST_COLOUR = INK


@dataclass(frozen=True)
class Projection:
    """British National Grid metres → the SVG's box: one scale for both axes, north up."""

    min_e: float
    min_n: float
    scale: float  # pixels per metre
    width: int
    height: int
    margin: int = MARGIN

    @classmethod
    def fitting(cls, points: Iterable[tuple[int, int]]) -> Projection:
        """The projection that fits the points into at most WIDTH × MAX_HEIGHT, keeping their shape."""
        points = list(points)
        if not points:
            raise ValueError("A map needs at least one placed school.")
        eastings, northings = [p[0] for p in points], [p[1] for p in points]
        min_e, max_e, min_n, max_n = min(eastings), max(eastings), min(northings), max(northings)
        # Too small a spread is widened about its middle, so a lone school is not a whole-box blow-up.
        if (span := max_e - min_e) < MIN_SPAN:
            min_e, max_e = min_e - (MIN_SPAN - span) / 2, max_e + (MIN_SPAN - span) / 2
        if (span := max_n - min_n) < MIN_SPAN:
            min_n, max_n = min_n - (MIN_SPAN - span) / 2, max_n + (MIN_SPAN - span) / 2
        scale = min((WIDTH - 2 * MARGIN) / (max_e - min_e), (MAX_HEIGHT - 2 * MARGIN) / (max_n - min_n))
        return cls(min_e=min_e, min_n=min_n, scale=scale, width=round((max_e - min_e) * scale + 2 * MARGIN),
                   height=round((max_n - min_n) * scale + 2 * MARGIN))

    def __call__(self, easting: float, northing: float) -> tuple[int, int]:
        x = self.margin + (easting - self.min_e) * self.scale
        y = self.height - self.margin - (northing - self.min_n) * self.scale
        return round(x), round(y)


@dataclass
class MapRow:
    key: str
    label: str
    count: int
    percent: int | None
    swatch: SafeString


@dataclass
class CoverageMap:
    name: str
    on: date
    counts: dict[str, int]
    requested: int
    unplaced: int
    svg: SafeString | None
    map_id: str
    rows: list[MapRow] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def placed(self) -> int:
        return self.total - self.unplaced


def mark_size(count: int) -> float:
    """Marks shrink as schools crowd in: a few hundred are easy to point at, twenty thousand must not merge."""
    return 9 if count <= 200 else 7 if count <= 1_000 else 5 if count <= 5_000 else 3.5


def marks_path(points: set[tuple[int, int]]) -> str:
    """Zero-length strokes at the points, as one path's data, sorted and relative so each is short."""
    parts, last = [], None
    for x, y in sorted(points, key=lambda p: (p[1], p[0])):
        parts.append(f"M{x} {y}h0" if last is None else f"m{x - last[0]} {y - last[1]}h0")
        last = (x, y)
    return "".join(parts)


def mark_markup(state: str, d: str, size: float) -> str:
    _, colour, cap = MARKS[state]
    markup = f'<path d="{d}" stroke="{colour}" stroke-width="{size:g}" stroke-linecap="{cap}"/>'
    if state == NEVER:
        markup += f'<path d="{d}" stroke="{BACKGROUND}" stroke-width="{size * 0.45:.2g}" stroke-linecap="round"/>'
    return markup


def request_path(points: set[tuple[int, int]], half: float) -> str:
    side = round(half * 2, 1)
    return "".join(f"M{x - half:g} {y - half:g}h{side:g}v{side:g}h-{side:g}z"
                   for x, y in sorted(points, key=lambda p: (p[1], p[0])))


def swatch(state: str | None) -> SafeString:
    """The mark drawn alone, for the table that is the legend (hidden from screen readers: the words say it)."""
    size = 9
    if state is None:  # an open request
        body = (f'<path d="M10 10h0" stroke="{MUTED}" stroke-width="{size}" stroke-linecap="round"/>'
                f'<path d="M3.5 3.5h13v13h-13z" fill="none" stroke="{REQUEST_COLOUR}" stroke-width="1.5"/>')
    else:
        body = mark_markup(state, "M10 10h0", size)
    return mark_safe(f'<svg class="map-swatch" viewBox="0 0 20 20" width="20" height="20" aria-hidden="true" '
                     f'focusable="false"><rect width="20" height="20" fill="{BACKGROUND}"/>{body}</svg>')


def scale_bar(projection: Projection) -> str:
    """A round number of kilometres about a fifth of the map wide, bottom right."""
    target = projection.width / 5 / projection.scale / 1000
    km = next((k for k in (100, 50, 20, 10, 5, 2, 1) if k <= target), 1)
    length = km * 1000 * projection.scale
    x2, y = projection.width - 8, projection.height - 8
    x1 = x2 - length
    font = f'font-family="{FONT}" font-size="11" fill="{INK}"'
    return (f'<path d="M{x1:.0f} {y - 4}v4h{length:.0f}v-4" fill="none" stroke="{INK}" stroke-width="1.5"/>'
            f'<text x="{(x1 + x2) / 2:.0f}" y="{y - 7}" text-anchor="middle" {font}>{km} km</text>')


def draw(name: str, on: date, marks: dict[str, set[tuple[int, int]]], requests: set[tuple[int, int]],
         projection: Projection, described: str, map_id: str) -> SafeString:
    count = sum(len(points) for points in marks.values())
    size = mark_size(count)
    title_id, desc_id = f"{map_id}-title", f"{map_id}-desc"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="coverage-map-svg" viewBox="0 0 {projection.width} '
        f'{projection.height}" width="{projection.width}" height="{projection.height}" role="img" '
        f'aria-labelledby="{title_id} {desc_id}" fill="none">',
        f'<title id="{title_id}">Coverage map of {escape(name)} on {on:%-d %B %Y}</title>',
        f'<desc id="{desc_id}">{escape(described)}</desc>',
        f'<rect width="{projection.width}" height="{projection.height}" fill="{BACKGROUND}"/>',
    ]
    # Never visited on top: the schools most in need of a visit are the last to be hidden by a neighbour.
    for state in (VISITED, DUE, NEVER):
        if marks[state]:
            parts.append(mark_markup(state, marks_path(marks[state]), size))
    if requests:
        parts.append(f'<path d="{request_path(requests, size * 0.95)}" stroke="{REQUEST_COLOUR}" '
                     f'stroke-width="1.2"/>')
    parts.append(f'<text x="10" y="20" font-family="{FONT}" font-size="12" font-weight="bold" fill="{INK}">N ↑</text>')
    parts.append(scale_bar(projection))
    parts.append("</svg>")
    return mark_safe("".join(parts))  # the only text from the database, the area's name, is escaped above


def describe(name: str, counts: dict[str, int], requested: int, unplaced: int) -> str:
    total = sum(counts.values())
    words = (f"{total:,} open primary school{'s' if total != 1 else ''} in {name}, each placed at its register "
             f"coordinates with north at the top: {counts[VISITED]:,} visited within the programme cycle (green "
             f"round dots), {counts[DUE]:,} due a visit again (orange squares), {counts[NEVER]:,} never visited "
             f"(red rings); {requested:,} with an open request (a square drawn round the mark).")
    if unplaced:
        one = unplaced == 1
        words += f" {unplaced:,} {'has' if one else 'have'} no map position and {'is' if one else 'are'} not drawn."
    return words


def coverage_map(areas, *, name: str, on: date, map_id: str = "coverage-map") -> CoverageMap:
    """The map of the open schools of the areas on the date, with its counts (one query)."""
    counts = {VISITED: 0, DUE: 0, NEVER: 0}
    requested = unplaced = 0
    placed: list[tuple[int, int, str, bool]] = []
    for easting, northing, is_due, ever, asked in classified_schools(areas, on=on).values_list(
        "easting", "northing", "is_due", "ever_visited", "requested"
    ):
        state = state_of(is_due=is_due, ever_visited=ever)
        counts[state] += 1
        requested += asked
        if easting is None or northing is None:
            unplaced += 1
        else:
            placed.append((easting, northing, state, asked))
    svg = None
    if placed:
        projection = Projection.fitting((e, n) for e, n, _, _ in placed)
        marks: dict[str, set[tuple[int, int]]] = {VISITED: set(), DUE: set(), NEVER: set()}
        requests: set[tuple[int, int]] = set()
        for easting, northing, state, asked in placed:
            point = projection(easting, northing)
            marks[state].add(point)
            if asked:
                requests.add(point)
        svg = draw(name, on, marks, requests, projection, describe(name, counts, requested, unplaced), map_id)
    total = sum(counts.values())

    def percent(n: int) -> int | None:
        return round(n * 100 / total) if total else None

    rows = [MapRow(state, MARKS[state][0], counts[state], percent(counts[state]), swatch(state))
            for state in (VISITED, DUE, NEVER)]
    rows.append(MapRow("requested", "With an open request (also counted above)", requested, percent(requested),
                       swatch(None)))
    return CoverageMap(name=name, on=on, counts=counts, requested=requested, unplaced=unplaced, svg=svg,
                       map_id=map_id, rows=rows)


def render_map(coverage: CoverageMap) -> SafeString:
    """The map with its legend, counts and table, as the pages include it (sessions/reach/_map.html)."""
    return mark_safe(render_to_string("sessions/reach/_map.html", {"map": coverage}))
