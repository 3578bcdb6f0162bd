"""The local picture: an area's figures in use with their sources, and the derived numbers worded.

The one local picture: the statistics pages and the session packs both show it. Everything here is
read in a fixed number of queries whatever the number of periods or areas; which figure is in use
where sources disagree is decided by `Figure.objects.in_use()`, nowhere else. Every figure shown
carries `source_no`, its place in `sources` (the pack's footnotes), and only sources a shown figure
cites are listed; `fingerprint()` names everything the picture shows, so a cached pack is rebuilt when
any of it changes. The truth rules (changes and shares within one source, geography as the source
gives it, the age of old figures) are worded in `stats/wording.py`; here they pick the figures.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from functools import cache

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.safestring import SafeString

from stats import wording
from stats.charts import bar_chart, periods_with_gaps
from stats.models import Area, Figure, FigureQuerySet, Indicator, Source

# The headline indicator and its companion (the same offences against children aged ten and under).
OFFENCES = "child-sexual-offences"
UNDER_11 = "child-sexual-offences-under-11"
UK_CODE = "K02000001"


def with_in_use(figures: FigureQuerySet) -> FigureQuerySet:
    """Annotate `is_in_use` on every figure (where sources disagree, only one is in use)."""
    return figures.annotate(is_in_use=Exists(Figure.objects.in_use().filter(pk=OuterRef("pk"))))


@dataclass
class Conflict:
    """A period where sources disagree: every figure, the one in use first."""

    indicator: Indicator
    period: str
    figures: list[Figure]

    @property
    def in_use(self) -> Figure:
        return next(figure for figure in self.figures if figure.is_in_use)

    @property
    def others(self) -> list[Figure]:
        return [figure for figure in self.figures if not figure.is_in_use]


@dataclass
class Series:
    """One indicator's figures in use for an area, by period."""

    indicator: Indicator
    figures: list[Figure]
    conflicts: list[Conflict] = field(default_factory=list)

    @property
    def latest(self) -> Figure | None:
        return self.figures[-1] if self.figures else None

    @property
    def all_figures(self) -> list[Figure]:
        """Every figure of the series, in use or not (where sources disagree)."""
        others = [figure for conflict in self.conflicts for figure in conflict.others]
        return self.figures + others

    @property
    def previous(self) -> Figure | None:
        """The latest earlier period that the latest figure's own source gives (not necessarily the year
        before): a change is only ever stated within one source."""
        latest = self.latest
        if latest is None:
            return None
        earlier = [f for f in self.all_figures if f.source_id == latest.source_id and f.period < latest.period]
        return max(earlier, key=lambda f: f.period) if earlier else None

    @property
    def change(self) -> str:
        latest, previous = self.latest, self.previous
        if latest is None:
            return ""
        if previous is None:
            return wording.no_comparable(latest.period)
        return wording.change(previous.value, previous.period, latest.value, latest.period)

    @property
    def change_percent(self) -> int | None:
        if self.latest is None or self.previous is None:
            return None
        return wording.percent_change(self.previous.value, self.latest.value)

    def get(self, period: str) -> Figure | None:
        return next((figure for figure in self.figures if figure.period == period), None)

    def from_source(self, period: str, source_id: int) -> Figure | None:
        """The figure a given source gives for the period, in use or not."""
        return next((f for f in self.all_figures if f.period == period and f.source_id == source_id), None)

    def conflict_for(self, period: str) -> Conflict | None:
        return next((conflict for conflict in self.conflicts if conflict.period == period), None)


@dataclass
class Row:
    """One period of the headline series as a table shows it."""

    period: str
    figure: Figure
    under_11: Figure | None
    conflict: Conflict | None
    share_total: Figure | None = None  # the total from the same source as `under_11`, to divide by
    geography_note: str = ""  # where the cited source's headline names another geography than the area

    @property
    def share(self) -> str:
        if not (self.under_11 and self.share_total):
            return ""
        return wording.share(self.under_11.value, self.share_total.value)

    @property
    def share_percent(self) -> int | None:
        if not (self.under_11 and self.share_total):
            return None
        return wording.share_percent(self.under_11.value, self.share_total.value)


class HeadlineMixin:
    """The headline series' latest figure, the previous one and the worded change, or nothing."""

    headline: Series | None

    @property
    def latest(self) -> Figure | None:
        return self.headline.latest if self.headline else None

    @property
    def previous(self) -> Figure | None:
        return self.headline.previous if self.headline else None

    @property
    def change(self) -> str:
        return self.headline.change if self.headline else ""


@dataclass
class LocalPicture(HeadlineMixin):
    area: Area | None
    headline: Series | None
    under_11_series: Series | None
    indicators: list[Series]
    uk: Series | None
    sources: list[Source]
    today: date | None = None

    @property
    def age(self) -> str:
        """ "2016/17 ended more than nine years ago" where the latest figure is old; "" where it is recent."""
        return wording.age(self.latest_period, self.today or timezone.localdate())

    @property
    def uk_geography(self) -> str:
        """The UK figure's geography as its cited source gives it."""
        uk = self.uk_shown
        return wording.geography("the UK", uk.source.title) if uk else "the UK"

    @property
    def uk_conflict(self) -> Conflict | None:
        uk = self.uk_shown
        return self.uk.conflict_for(uk.period) if uk and self.uk else None
    @property
    def has_figures(self) -> bool:
        return bool(self.headline and self.headline.figures)

    @property
    def series(self) -> list[Figure]:
        return self.headline.figures if self.headline else []

    @property
    def latest_period(self) -> str | None:
        return self.latest.period if self.latest else None

    @property
    def per_day(self) -> str:
        return wording.per_day(self.latest.value, self.latest.period) if self.latest else ""

    @property
    def one_every(self) -> str:
        return wording.one_every(self.latest.value, self.latest.period) if self.latest else ""

    @property
    def under_11(self) -> Figure | None:
        """The figure aged ten and under for the latest period, where one is published."""
        if not self.latest or not self.under_11_series:
            return None
        return self.under_11_series.get(self.latest.period)

    @property
    def latest_known_share(self) -> Row | None:
        """The latest period with a figure aged ten and under and a total from the same source (may be
        earlier than the latest period)."""
        return next((row for row in reversed(self.rows) if row.under_11 and row.share_total), None)

    @property
    def share(self) -> str:
        """The latest period's share, where its source gives both numbers."""
        row = self.rows[-1] if self.rows else None
        return row.share if row and row.period == self.latest_period else ""

    @property
    def uk_same_period(self) -> Figure | None:
        return self.uk.get(self.latest.period) if self.uk and self.latest else None

    @property
    def uk_latest(self) -> Figure | None:
        return self.uk.latest if self.uk else None

    @property
    def uk_shown(self) -> Figure | None:
        """The UK figure the picture sets beside the area's: the same period's, else the latest."""
        return self.uk_same_period or self.uk_latest

    @property
    def uk_one_every(self) -> str:
        uk = self.uk_shown
        return wording.one_every(uk.value, uk.period) if uk else ""

    def fingerprint(self) -> list:
        """Everything the picture shows: the area's name, each figure and each source's every field, and
        the age of the figures (which grows with time)."""
        figures = [
            f for series in self.indicators for f in series.figures + [x for c in series.conflicts for x in c.figures]
        ]
        if self.uk_shown:
            figures.append(self.uk_shown)
        if self.uk_conflict:
            figures.extend(self.uk_conflict.figures)
        return [
            (self.area.code, self.area.name) if self.area else None,
            self.age,
            sorted(
                (f.pk, f.area_id, f.indicator_id, f.indicator.name, f.indicator.unit, f.period, f.value, f.source_id)
                for f in figures
            ),
            [(s.pk, s.publisher, s.title, s.url, str(s.published), s.licence, s.caveats) for s in self.sources],
        ]

    @property
    def common_caveat(self) -> str:
        """The caveat every source shares, to print once (empty when there is one source or they differ)."""
        caveats = {source.caveats for source in self.sources}
        return caveats.pop() if len(self.sources) > 1 and len(caveats) == 1 else ""

    @property
    def conflicts(self) -> list[Conflict]:
        return [conflict for series in self.indicators for conflict in series.conflicts]

    @property
    def rows(self) -> list[Row]:
        if not self.headline:
            return []
        rows = []
        for figure in self.headline.figures:
            under_11 = self.under_11_series.get(figure.period) if self.under_11_series else None
            rows.append(Row(
                period=figure.period,
                figure=figure,
                under_11=under_11,
                conflict=self.headline.conflict_for(figure.period),
                share_total=self.headline.from_source(figure.period, under_11.source_id) if under_11 else None,
                geography_note=self._geography_note(figure),
            ))
        return rows

    def _geography_note(self, figure: Figure) -> str:
        """For a UK or national figure, what its cited headline says where it names another geography."""
        if not self.area or self.area.kind == Area.Kind.POLICE_FORCE:
            return ""
        named = wording.geography(self.area.name, figure.source.title)
        return named.removeprefix(self.area.name).strip(" ()") if named != self.area.name else ""

    def chart(self, chart_id: str = "picture-chart") -> SafeString | str:
        if not self.has_figures:
            return ""
        name = self.area.name if self.area else "the UK"
        return bar_chart(
            periods_with_gaps({figure.period: figure.value for figure in self.series}),
            title=f"{self.headline.indicator.name} in {name}, by financial year",
            x_label="Financial year (April to March)",
            y_label=f"{self.headline.indicator.unit.capitalize()} recorded",
            chart_id=chart_id,
        )


def _series(figures: list[Figure], indicator: Indicator) -> Series:
    by_period: dict[str, list[Figure]] = defaultdict(list)
    for figure in figures:
        by_period[figure.period].append(figure)
    in_use, conflicts = [], []
    for period in sorted(by_period):
        group = sorted(by_period[period], key=lambda f: (not f.is_in_use, -f.source.published.toordinal(), f.pk))
        in_use.append(group[0])
        if len(group) > 1:
            conflicts.append(Conflict(indicator, period, group))
    return Series(indicator, in_use, conflicts)


@cache
def _figures_with_in_use() -> FigureQuerySet:
    """Every figure with `is_in_use`, built once: its nested subqueries take Django longer to build than the
    query takes to run (a pack download builds it). Never evaluated itself; each use is a filtered copy."""
    return (
        with_in_use(Figure.objects.all())
        .select_related("indicator", "source", "area")
        .order_by("indicator__name", "period", "pk")
    )


def local_picture(area: Area | None, today: date | None = None) -> LocalPicture:
    """Every figure for the area (and the UK's headline series), in one query whatever the periods."""
    where = Q(area__code=UK_CODE, indicator__slug=OFFENCES)
    if area is not None:
        where |= Q(area=area)
    figures = list(_figures_with_in_use().filter(where))
    local: dict[int, list[Figure]] = defaultdict(list)
    uk_figures: list[Figure] = []
    indicators: dict[int, Indicator] = {}
    for figure in figures:
        if figure.area.code == UK_CODE and figure.indicator.slug == OFFENCES:
            uk_figures.append(figure)
        if area is not None and figure.area_id == area.pk:
            local[figure.indicator_id].append(figure)
            indicators[figure.indicator_id] = figure.indicator
    all_series = [_series(local[pk], indicators[pk]) for pk in indicators]
    # The headline first, then its companion, then any other indicator by name.
    order = {OFFENCES: 0, UNDER_11: 1}
    all_series.sort(key=lambda s: (order.get(s.indicator.slug, 2), s.indicator.name))
    by_slug = {series.indicator.slug: series for series in all_series}
    uk = _series(uk_figures, uk_figures[0].indicator) if uk_figures else None
    picture = LocalPicture(
        area=area,
        headline=by_slug.get(OFFENCES),
        under_11_series=by_slug.get(UNDER_11),
        indicators=all_series,
        uk=uk,
        sources=[],
        today=today,
    )
    # The sources of every figure the picture shows, numbered: the headline series and its companion (with
    # every figure where sources disagree), and the UK's where it is shown. A source no shown figure cites
    # is not listed.
    shown_series = [series for series in (picture.headline, picture.under_11_series) if series]
    shown = [f for series in shown_series for f in series.figures + [x for c in series.conflicts for x in c.figures]]
    if picture.uk_shown:
        shown.append(picture.uk_shown)
        if picture.uk_conflict:
            shown.extend(f for f in picture.uk_conflict.figures if f is not picture.uk_shown)
    sources: dict[int, Source] = {}
    for figure in shown:
        sources.setdefault(figure.source_id, figure.source)
    picture.sources = sorted(sources.values(), key=lambda s: (s.published, s.pk))
    numbers = {source.pk: n for n, source in enumerate(picture.sources, start=1)}
    for figure in shown:
        figure.source_no = numbers[figure.source_id]
    return picture


# --- Every police force area at once (the /stats/ table)


@dataclass
class AreaSummary(HeadlineMixin):
    area: Area
    headline: Series | None
    under_11_series: Series | None

    @property
    def nation(self) -> Area | None:
        return self.area.parent

    @property
    def change_percent(self) -> int | None:
        return self.headline.change_percent if self.headline else None

    @property
    def share_row(self) -> tuple[Figure, Figure] | None:
        """The latest period with a figure aged ten and under and a total from the same source."""
        if not self.headline or not self.under_11_series:
            return None
        for figure in reversed(self.headline.figures):
            under_11 = self.under_11_series.get(figure.period)
            if under_11 and under_11.source_id == figure.source_id:
                return figure, under_11
        return None

    @property
    def share_percent(self) -> int | None:
        row = self.share_row
        return wording.share_percent(row[1].value, row[0].value) if row else None

    @property
    def share_counts(self) -> str:
        """"778 of 2,690": the table writes the percentage in the cell and these beside it."""
        row = self.share_row
        return wording.share_counts(row[1].value, row[0].value) if row else ""

    @property
    def share_period(self) -> str:
        row = self.share_row
        return row[0].period if row else ""


def area_summaries(areas) -> list[AreaSummary]:
    """The headline and its companion for each area, in one query for the figures whatever the number
    of areas and periods. `areas` is a list of areas already read (with their parents)."""
    areas = list(areas)
    figures = (
        Figure.objects.in_use()
        .filter(area__in=[area.pk for area in areas], indicator__slug__in=[OFFENCES, UNDER_11])
        .select_related("indicator", "source")
        .order_by("period", "pk")
    )
    grouped: dict[tuple[int, str], list[Figure]] = defaultdict(list)
    indicators: dict[str, Indicator] = {}
    for figure in figures:
        figure.is_in_use = True
        grouped[(figure.area_id, figure.indicator.slug)].append(figure)
        indicators[figure.indicator.slug] = figure.indicator
    summaries = []
    for area in areas:
        headline = grouped.get((area.pk, OFFENCES))
        under_11 = grouped.get((area.pk, UNDER_11))
        summaries.append(
            AreaSummary(
                area=area,
                headline=Series(indicators[OFFENCES], headline) if headline else None,
                under_11_series=Series(indicators[UNDER_11], under_11) if under_11 else None,
            )
        )
    return summaries
