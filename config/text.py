"""Text helpers shared by every app.

- `search_key`: text as a search compares it: no accents, capitals, spaces or punctuation, so that
  "Lon Las" finds "Lôn Las" and "RG458DU" finds "RG45 8DU". Stored beside what it is made from (a
  column kept at write time) and applied to what is typed, the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import unicodedata


def search_key(text: str) -> str:
    # NFKD splits "ô" into "o" and a combining accent, which is not alphanumeric and so is dropped.
    return "".join(char for char in unicodedata.normalize("NFKD", text.casefold()) if char.isalnum())
