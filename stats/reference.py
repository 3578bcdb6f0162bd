"""Loads the reference data shipped in stats/data/: the UK, its nations, police force areas, local
authorities, and the NSPCC figures with their sources."""

import csv
from datetime import date
from pathlib import Path

from django.db import transaction

from stats.models import Area, Figure, Indicator, LocalAuthority

DATA = Path(__file__).resolve().parent / "data"

UK = ("K02000001", "United Kingdom")
NATIONS = {
    "E": ("E92000001", "England"),
    "W": ("W92000004", "Wales"),
    "S": ("S92000003", "Scotland"),
    "N": ("N92000002", "Northern Ireland"),
}


def read_csv(name: str) -> list[dict[str, str]]:
    # utf-8-sig: the ONS 2023 lookup starts with a byte-order mark.
    with open(DATA / name, newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


@transaction.atomic
def load_geography() -> dict[str, int]:
    """Create or update the UK, nations, police force areas and local authorities. Idempotent."""
    uk, _ = Area.objects.update_or_create(code=UK[0], defaults={"kind": Area.Kind.UK, "name": UK[1], "parent": None})
    nations = {}
    for letter, (code, name) in NATIONS.items():
        nations[letter], _ = Area.objects.update_or_create(
            code=code, defaults={"kind": Area.Kind.NATION, "name": name, "parent": uk}
        )
    forces = {}
    for row in read_csv("pfa19_names_codes_uk.csv"):
        code, name = row["PFA19CD"].strip(), row["PFA19NM"].strip()
        if not name:  # the file's two unnamed L/M placeholder rows
            continue
        forces[code], _ = Area.objects.update_or_create(
            code=code, defaults={"kind": Area.Kind.POLICE_FORCE, "name": name, "parent": nations[code[0]]}
        )
    districts: dict[str, tuple[str, str]] = {}
    # The older lookup first, so the 2023 one wins for districts in both.
    for row in read_csv("lad17_csp17_pfa17_lookup_ew_v2.csv"):
        districts[row["LAD17CD"]] = (row["LAD17NM"], row["PFA17CD"])
    for row in read_csv("lad23_csp23_pfa23_lookup_ew.csv"):
        districts[row["LAD23CD"]] = (row["LAD23NM"], row["PFA23CD"])
    existing = {la.code: la for la in LocalAuthority.objects.all()}
    # New ones in one INSERT (about 400 on a fresh database: no school is in them yet, so no signal is missed).
    LocalAuthority.objects.bulk_create(
        LocalAuthority(code=code, name=name, police_force=forces[force_code])
        for code, (name, force_code) in districts.items() if code not in existing
    )
    for code, (name, force_code) in districts.items():
        la = existing.get(code)
        if la is not None and (la.name, la.police_force_id) != (name, forces[force_code].pk):
            la.name, la.police_force = name, forces[force_code]
            la.save(update_fields=["name", "police_force"])
    return {"areas": Area.objects.count(), "local authorities": LocalAuthority.objects.count()}


# --- The NSPCC figures ---------------------------------------------------------------------------

FIGURES_FILE = "nspcc_foi_child_sex_offences.csv"
SOURCES_FILE = "nspcc_sources.csv"

INDICATORS = {
    # column in the figures file: (slug, name, definition)
    "offences": (
        "child-sexual-offences",
        "Sexual offences against children recorded by police",
        "Sexual offences against children under 18 (including rape, sexual assault, sexual grooming and "
        "sexual exploitation) recorded by the police in the financial year, April to March, as obtained by "
        "the NSPCC through freedom-of-information requests to every UK police force.",
    ),
    "under_11_offences": (
        "child-sexual-offences-under-11",
        "Sexual offences against children aged ten and under recorded by police",
        "Those of the recorded sexual offences against children where the victim was aged ten or under. "
        "Counted only where the force recorded the victim's age, so it can understate the true number.",
    ),
    "online_flagged": (
        "child-sexual-offences-online",
        "Sexual offences against children flagged with an online element",
        "Those of the recorded sexual offences against children that the police flagged as having an "
        "online element. Forces began flagging at different times and flag to different standards, so "
        "comparisons between forces and years need care.",
    ),
}

# Names in the figures file -> ONS area codes. Matched by hand: names in the press vary.
FORCE_CODES = {
    "United Kingdom (all forces)": UK[0],
    "Wales (all four forces)": NATIONS["W"][0],
    # Police Scotland covers the whole nation; its figures belong to the police force area
    # S23000009, which also sits under the nation S92000003 for nation-level views.
    "Scotland": "S23000009",
    # PSNI: ONS gives the placeholder N99999999 for Northern Ireland's police force area.
    "Northern Ireland": "N99999999",
}
# Names deliberately not loaded, with the reason (see stats/data/README.md).
FORCES_NOT_LOADED = {
    "England and Wales (43 forces)": "no area held covers England and Wales together (it is neither the UK, "
    "a nation nor a police force area); the 43 forces' own figures are loaded where published",
}

SOURCE_CAVEATS = (
    "Police-recorded crime, not prevalence: many offences against children are never reported. Rises "
    "partly reflect better recording by the police and more willingness to report, not only more abuse. "
    "Later NSPCC releases can revise earlier years, so each figure is kept with the source that published "
    "it. Figures obtained by the NSPCC through freedom-of-information requests, as reported in this "
    "article; they are not official statistics."
)
SOURCE_LICENCE = (
    "Figures quoted as facts with a citation; the article itself is the publisher's copyright and is "
    "not reproduced."
)


def load_figures() -> dict[str, int]:
    """Load the NSPCC figures and their sources through the figures import. Idempotent: a second run
    finds every figure unchanged and writes nothing."""
    from stats.importers import (  # noqa: PLC0415 — the importers read this module's geography
        AreaLookup,
        FigureRow,
        Parsed,
        PlanRefused,
        SourceDetails,
        apply_plan,
        parse_period,
        plan_rows,
    )

    with transaction.atomic():
        indicators = {}
        for column, (slug, name, definition) in INDICATORS.items():
            indicator = Indicator.objects.filter(slug=slug).first()
            wanted = {"name": name, "definition": definition, "unit": "offences", "adults_only": True}
            if indicator is None:
                indicator = Indicator.objects.create(slug=slug, **wanted)
            elif any(getattr(indicator, k) != v for k, v in wanted.items()):
                for k, v in wanted.items():
                    setattr(indicator, k, v)
                indicator.save()
            indicators[column] = indicator

        sources = {}
        for row in read_csv(SOURCES_FILE):
            sources[row["url"]] = SourceDetails(
                url=row["url"], title=row["title"], publisher=row["publisher"],
                published=date.fromisoformat(row["published"]), published_note=row["published_note"],
                licence=SOURCE_LICENCE, caveats=SOURCE_CAVEATS,
            )

        areas = AreaLookup()
        parsed = Parsed()
        for number, row in enumerate(read_csv(FIGURES_FILE), start=2):
            parsed.rows_read += 1
            name = row["police_force"].strip()
            if name in FORCES_NOT_LOADED:
                continue
            if name in FORCE_CODES:
                area = areas.by_ons_code(FORCE_CODES[name])
            else:
                matches = [a for a in areas.named(name) if a.kind == Area.Kind.POLICE_FORCE]
                area = matches[0] if len(matches) == 1 else None
            if area is None:
                raise ValueError(f"{FIGURES_FILE} row {number}: no area for the force name {name!r}.")
            source = sources.get(row["source_url"])
            if source is None:
                raise ValueError(f"{FIGURES_FILE} row {number}: the source is not described in {SOURCES_FILE}.")
            for column, indicator in indicators.items():
                if row[column].strip():
                    parsed.rows.append(
                        FigureRow(number, area, indicator, parse_period(row["year"]), int(row[column]), source)
                    )
        plan = plan_rows(parsed)
        try:
            apply_plan(plan)
        except PlanRefused as exc:
            raise ValueError(f"{FIGURES_FILE}: " + "; ".join(str(e) for e in exc.errors)) from exc
    return {"figures": Figure.objects.count()}
