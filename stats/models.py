"""Geography (the UK, nations, police force areas, local authorities) and the published figures."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.dispatch import Signal

from config.converters import ONS_CODE

PERIOD_RE = re.compile(r"^(\d{4})/(\d{2})$")


def validate_period(value: str) -> None:
    """A financial year written as 2016/17: stored as text, it sorts in time order."""
    match = PERIOD_RE.match(value)
    if not match or (int(match[1]) + 1) % 100 != int(match[2]):
        raise ValidationError(f"{value!r} is not a financial year such as 2016/17.")


def period_start_year(period: str) -> int:
    return int(period[:4])


def period_for_start_year(year: int) -> str:
    return f"{year}/{(year + 1) % 100:02d}"


# Sent after an import has written figures (in bulk, so no model signal fires): whatever shows figures
# (the session packs) may want to be built again. No arguments.
figures_changed = Signal()


class AreaQuerySet(models.QuerySet["Area"]):
    def police_forces(self) -> AreaQuerySet:
        return self.filter(kind=Area.Kind.POLICE_FORCE)

    def nations(self) -> AreaQuerySet:
        return self.filter(kind=Area.Kind.NATION)

    def calendars_changed(self) -> int:
        """Count one more change to what these areas' calendar feeds show, so a feed cached under the
        old count is rebuilt. An UPDATE in the caller's transaction: the new count becomes visible
        exactly when the changed rows do, never before them."""
        return self.update(calendar_changes=models.F("calendar_changes") + 1)


class Area(models.Model):
    class Kind(models.TextChoices):
        UK = "uk", "United Kingdom"
        NATION = "nation", "Nation"
        POLICE_FORCE = "police_force", "Police force area"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    # The shape the /stats/<code>/ address accepts (config/converters.py), so every area has a page.
    code = models.CharField("ONS code", max_length=9, unique=True, validators=[RegexValidator(
        rf"\A{ONS_CODE}\Z", "An ONS code is a capital letter and eight digits, such as E23000029.")])
    name = models.CharField(max_length=100)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    # Bookkeeping for cached calendar feeds (sessions/portal/feed_changes.py counts the changes).
    calendar_changes = models.PositiveBigIntegerField(default=0, editable=False)

    objects = AreaQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def nation(self) -> Area | None:
        """The nation this area lies in (None for the UK)."""
        area: Area | None = self
        while area is not None and area.kind != Area.Kind.NATION:
            area = area.parent
        return area


class LocalAuthority(models.Model):
    code = models.CharField("ONS district code", max_length=9, unique=True)
    name = models.CharField(max_length=100)
    dfe_code = models.CharField("DfE LA code", max_length=3, blank=True)
    police_force = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        related_name="local_authorities",
        limit_choices_to={"kind": Area.Kind.POLICE_FORCE},
    )
    # Who to call about a child when the school's safeguarding lead cannot be reached (the session
    # pack prints these; where they are blank it tells volunteers to ask the school's lead first).
    childrens_services_name = models.CharField(
        "children's services contact", max_length=200, blank=True,
        help_text='The team to call about a worry for a child, as the authority names it (e.g. "Children\'s '
        'Services Front Door", "MASH").',
    )
    childrens_services_phone = models.CharField("children's services phone", max_length=30, blank=True)
    out_of_hours_phone = models.CharField(
        "out-of-hours phone", max_length=30, blank=True, help_text="The emergency duty team, evenings and weekends."
    )
    designated_officer_phone = models.CharField(
        "designated officer phone", max_length=30, blank=True,
        help_text="For a concern about someone who works with children (in England the LADO).",
    )
    contacts_checked_on = models.DateField(
        "contacts checked on", null=True, blank=True, help_text="When the numbers above were last checked."
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "local authorities"

    def __str__(self) -> str:
        return self.name

    @property
    def has_childrens_services_number(self) -> bool:
        return bool(self.childrens_services_phone)


class Source(models.Model):
    title = models.CharField(max_length=300)
    publisher = models.CharField(max_length=200)
    url = models.URLField("URL", max_length=500)
    published = models.DateField(help_text="The date the source was published.")
    published_note = models.CharField(
        max_length=200, blank=True, help_text="How the date is known, where it is not printed on the source."
    )
    licence = models.CharField(max_length=200, blank=True)
    caveats = models.TextField(blank=True)

    class Meta:
        ordering = ["-published", "title"]
        constraints = [models.UniqueConstraint(fields=["url"], name="source_url_unique")]

    def __str__(self) -> str:
        return f"{self.publisher}: {self.title} ({self.published:%d %B %Y})"


class Indicator(models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=200)
    unit = models.CharField(max_length=50, default="offences")
    definition = models.TextField(blank=True)
    adults_only = models.BooleanField(
        default=True, help_text="Figures for adults' briefings only: never shown on a page meant for children."
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class FigureQuerySet(models.QuerySet["Figure"]):
    def in_use(self) -> FigureQuerySet:
        """Per area, indicator and period, the figure from the most recently published source.

        Where sources disagree every figure is kept; this is the one place that decides which is used.
        """
        newer = Figure.objects.filter(
            area=OuterRef("area"), indicator=OuterRef("indicator"), period=OuterRef("period")
        ).filter(
            Q(source__published__gt=OuterRef("source__published"))
            | Q(source__published=OuterRef("source__published"), pk__gt=OuterRef("pk"))
        )
        return self.filter(~Exists(newer))


class Figure(models.Model):
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="figures")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="figures")
    period = models.CharField(max_length=7, validators=[validate_period], help_text="Financial year, e.g. 2016/17.")
    value = models.PositiveIntegerField()
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="figures")

    objects = FigureQuerySet.as_manager()

    class Meta:
        ordering = ["area__name", "indicator__slug", "period"]
        constraints = [
            models.UniqueConstraint(fields=["area", "indicator", "period", "source"], name="figure_unique_per_source")
        ]
        indexes = [models.Index(fields=["area", "indicator", "period"], name="figure_lookup")]

    def __str__(self) -> str:
        return f"{self.area} {self.indicator.slug} {self.period}: {self.value:,}"
