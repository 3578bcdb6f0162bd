"""Loads the geography shipped in stats/data/: the UK, its nations, police force areas, local authorities."""

import csv
from pathlib import Path

from django.db import transaction

from stats.models import Area, LocalAuthority

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
    for code, (name, force_code) in districts.items():
        la = existing.get(code)
        if la is None:
            LocalAuthority.objects.create(code=code, name=name, police_force=forces[force_code])
        elif (la.name, la.police_force_id) != (name, forces[force_code].pk):
            la.name, la.police_force = name, forces[force_code]
            la.save(update_fields=["name", "police_force"])
    return {"areas": Area.objects.count(), "local authorities": LocalAuthority.objects.count()}


def load_figures() -> dict[str, int]:
    """Load the NSPCC figures with their sources. (Filled in with the figures import.)"""
    from stats.models import Figure

    return {"figures": Figure.objects.count()}
