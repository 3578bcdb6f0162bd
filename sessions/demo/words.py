"""The word lists the demo draws from, read once from sessions/data/demo_words.toml.

They are data, not logic: a new town or note is a change to the TOML file (whose header says why
each list's order matters). Tuples, so that no run of the builder can change them for the next.
"""

import tomllib
from pathlib import Path
from typing import Any

WORDS_FILE = Path(__file__).resolve().parent.parent / "data" / "demo_words.toml"

with WORDS_FILE.open("rb") as handle:
    _words: dict[str, Any] = tomllib.load(handle)

# ONS local authority code → the (town, postcode district) pairs a school or volunteer there gets.
PLACES: dict[str, tuple[tuple[str, str], ...]] = {
    code: tuple((town, district) for town, district in places) for code, places in _words["places"].items()
}

ANGLICAN_SAINTS: tuple[str, ...] = tuple(_words["schools"]["anglican_saints"])
CATHOLIC_SAINTS: tuple[str, ...] = tuple(_words["schools"]["catholic_saints"])
PLACE_WORDS: tuple[str, ...] = tuple(_words["schools"]["place_words"])
WELSH_MEDIUM_NAMES: tuple[str, ...] = tuple(_words["schools"]["welsh_medium_names"])
WELSH_PLACE_WORDS: tuple[str, ...] = tuple(_words["schools"]["welsh_place_words"])
SEND_PROVISIONS: tuple[str, ...] = tuple(_words["schools"]["send_provisions"])

STREET_WORDS: tuple[str, ...] = tuple(_words["streets"]["words"])
STREET_KINDS: tuple[str, ...] = tuple(_words["streets"]["kinds"])

AWAY_REASONS: tuple[str, ...] = tuple(_words["volunteers"]["away_reasons"])

PREFERRED_DATES: tuple[str, ...] = tuple(_words["visits"]["preferred_dates"])
VISIT_NOTES: tuple[str, ...] = tuple(_words["visits"]["notes"])
CANCEL_REASONS: tuple[str, ...] = tuple(_words["visits"]["cancel_reasons"])
REPORT_NOTES: tuple[str, ...] = tuple(_words["visits"]["report_notes"])
