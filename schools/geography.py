"""Where people and schools are: UK postcodes, their districts' centroids, and distances.

- `parse_postcode(text)` is the one check of a UK postcode (ukpostcodeparser, which knows the real
  postcode areas; not a home-made pattern): the postcode written as Royal Mail writes it ("RG1 4QA"),
  or None.
- `postcode_district(postcode)` is the district alone ("RG1"): all a coordinator sees of where a
  volunteer lives.
- `district_point(postcode)` is where a postcode's district lies: the mean British National Grid
  easting and northing of its postcodes (OS Code-Point Open, `schools/data/`), or None for Northern
  Ireland (`BT`: not in the table) and any district the table does not have.
- `distance_km(a, b)` is the straight line between two grid points, in kilometres (not a road
  distance: a district is a few kilometres across, so nothing finer is honest).
"""

from __future__ import annotations

import csv
import math
from functools import cache, lru_cache
from pathlib import Path

from ukpostcodeparser.parser import parse_uk_postcode

CENTROIDS = Path(__file__).resolve().parent / "data" / "postcode_district_centroids.csv"
POSTCODE_EXAMPLE = "RG1 4QA"
POSTCODE_MESSAGE = f"Enter a UK postcode such as {POSTCODE_EXAMPLE}."

type Point = tuple[int, int]  # (easting, northing) in metres on the British National Grid


@lru_cache(maxsize=16384)  # a ranking reads a thousand volunteers' postcodes on every request
def parse_postcode(text: str) -> tuple[str, str] | None:
    """The outward and inward codes of a UK postcode (("RG1", "4QA")), or None when it is not one."""
    squeezed = "".join(str(text).split()).upper()
    try:
        outward, inward = parse_uk_postcode(squeezed)
    except ValueError:  # the library's InvalidPostcodeError and its kinds
        return None
    # The library matches from the start only: "RG14QAZ" would pass as RG1 4QA.
    return (outward, inward) if outward + inward == squeezed else None


def normalise_postcode(text: str) -> str | None:
    """The postcode as Royal Mail writes it ("RG1 4QA"), or None when it is not a UK postcode."""
    parts = parse_postcode(text)
    return " ".join(parts) if parts else None


def postcode_district(postcode: str) -> str | None:
    """The postcode's district (its outward code: "RG1" for RG1 4QA), or None when it is not a postcode.
    What a coordinator is shown of where a volunteer lives: never the full postcode."""
    parts = parse_postcode(postcode) if postcode else None
    return parts[0] if parts else None


@cache
def district_centroids() -> dict[str, Point]:
    """Outward code → its centroid, read from the shipped table once per process."""
    with CENTROIDS.open(newline="", encoding="utf-8") as file:
        return {row["outcode"]: (int(row["easting"]), int(row["northing"])) for row in csv.DictReader(file)}


def district_point(postcode: str) -> Point | None:
    """The centroid of the postcode's district, or None (Northern Ireland, an unknown district, or not
    a postcode at all): "distance unknown", never an error."""
    parts = parse_postcode(postcode) if postcode else None
    return district_centroids().get(parts[0]) if parts else None


def distance_km(a: Point | None, b: Point | None) -> float | None:
    """The straight-line distance between two grid points in kilometres (None when either is unknown)."""
    if a is None or b is None:
        return None
    return math.hypot(a[0] - b[0], a[1] - b[1]) / 1000
