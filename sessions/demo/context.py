"""What every part of the demo shares: one run's seeded randomness, today, its counts and log.

Also the invented details each part draws from (people's names, phone numbers, streets, towns and
postcodes), so that every part invents them the same way, from the same generators.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from datetime import date

import factory.random
from django.db import models

from stats.models import LocalAuthority

from .words import PLACES, STREETS

BATCH = 2000  # objects per bulk_create batch
POSTCODE_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # the letters used in the inward part of a postcode


class DemoError(Exception):
    """The demo cannot be built as asked (too small, or no reference data)."""


def bulk[M: models.Model](model: type[models.Model], objects: list[M], batch_size: int = BATCH) -> list[M]:
    """Write the objects in batches; primary keys are set on them afterwards."""
    for start in range(0, len(objects), batch_size):
        model.objects.bulk_create(objects[start : start + batch_size])
    return objects


class Demo:
    """One run of the demo builder.

    The same seed gives the same data: every choice comes from `rng`, and Faker (the one the
    factories use for the values they fake) from factory-boy's generator, seeded here with the same
    seed. That holds while the parts draw in a fixed order, which builder.py keeps.
    """

    def __init__(self, *, seed: int, today: date, log: Callable[[str], None]) -> None:
        self.seed = seed
        self.today = today
        self.log = log
        self.rng = random.Random(seed)
        factory.random.reseed_random(seed)
        self.fake = factory.Faker._get_faker(locale="en_GB")  # the factories' Faker, seeded above
        self.counts: Counter[str] = Counter()

    def person(self) -> tuple[str, str]:
        """A first and last name."""
        return self.fake.first_name(), self.fake.last_name()

    def phone(self, mobile: bool = False) -> str:
        # Ofcom's numbers reserved for drama: never a real person's.
        prefix = "07700 900" if mobile else "01632 960"
        return f"{prefix}{self.rng.randrange(1000):03d}"

    def street(self) -> str:
        return f"{self.rng.choice(STREETS.words)} {self.rng.choice(STREETS.kinds)}"

    def place(self, la: LocalAuthority) -> tuple[str, str]:
        """A town and full postcode in the local authority."""
        rng = self.rng
        if la.code in PLACES:
            town, district = rng.choice(PLACES[la.code])
        else:
            town, district = la.name, None
        inward = f"{rng.randint(1, 9)}{rng.choice(POSTCODE_LETTERS)}{rng.choice(POSTCODE_LETTERS)}"
        if district is None:
            district = self.fake.postcode().split()[0]
        return town, f"{district} {inward}"
