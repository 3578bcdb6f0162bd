"""The word lists the demo draws from, read once from sessions/data/demo_words.toml.

They are data, not logic: a new town or note is a change to the TOML file (whose header says why
each list's order matters). One frozen record per table of the file, so that a list missing from
the file, or one the code does not know, fails at import rather than halfway through a seed; and
tuples, so that no run of the builder can change them for the next.
"""

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

WORDS_FILE = Path(__file__).resolve().parent.parent / "data" / "demo_words.toml"

type Words = tuple[str, ...]


@dataclass(frozen=True)
class SchoolWords:
    anglican_saints: Words
    catholic_saints: Words
    place_words: Words  # the stems of other schools' names in England ("Oakwood Primary School")
    welsh_medium_names: Words
    welsh_place_words: Words  # the same for other schools in Wales
    send_provisions: Words


@dataclass(frozen=True)
class StreetWords:
    words: Words
    kinds: Words


@dataclass(frozen=True)
class VolunteerWords:
    away_reasons: Words


@dataclass(frozen=True)
class VisitWords:
    preferred_dates: Words
    notes: Words
    cancel_reasons: Words
    report_notes: Words
    feedback_praise: Words
    feedback_criticism: Words


def _lists(table: dict[str, list[str]]) -> dict[str, Words]:
    return {key: tuple(words) for key, words in table.items()}


with WORDS_FILE.open("rb") as handle:
    _data: dict[str, Any] = tomllib.load(handle)

# ONS local authority code → the (town, postcode district) pairs a school or volunteer there gets.
PLACES: dict[str, tuple[tuple[str, str], ...]] = {
    code: tuple((town, district) for town, district in places) for code, places in _data["places"].items()
}
SCHOOLS = SchoolWords(**_lists(_data["schools"]))
STREETS = StreetWords(**_lists(_data["streets"]))
VOLUNTEERS = VolunteerWords(**_lists(_data["volunteers"]))
VISITS = VisitWords(**_lists(_data["visits"]))
