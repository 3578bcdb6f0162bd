"""The reference data the demo builds on, and where in the country the demo is.

`manage.py load_reference_data` loads it; the demo only reads it. The demo's schools and volunteers
are shared out over police force areas by weight: a small demo over five featured forces, a
national one over every force in England and Wales.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass

from django.contrib.auth.models import Group

from sessions.models import COORDINATORS_GROUP, DATA_ENTRY_GROUP, VOLUNTEERS_GROUP, SessionType
from stats.models import Area, LocalAuthority
from stats.reference import read_csv

from .context import DemoError

THAMES_VALLEY = "E23000029"
KENT = "E23000032"
GREATER_MANCHESTER = "E23000005"
SOUTH_WALES = "W15000003"
HAMPSHIRE = "E23000030"

# The demo's home areas and their share of the schools and volunteers (Thames Valley is the demo
# coordinator's and volunteer's area, so it gets the largest share).
FEATURED_FORCES = {THAMES_VALLEY: 35, KENT: 20, GREATER_MANCHESTER: 20, SOUTH_WALES: 15, HAMPSHIRE: 10}
# Above this many schools the demo is national: schools spread over every force in England and Wales.
NATIONAL_FROM = 2000
# The session types the demo's visits are made of.
SESSION_TYPES = {"assembly-ks1", "workshop-year-2", "assembly-ks2", "workshop-years-5-6"}


@dataclass(frozen=True)
class Reference:
    session_types: dict[str, SessionType]  # by slug
    force_codes: list[str]  # the featured forces first, then the others, each by code
    weights: list[int]  # each force's share, in the order of force_codes
    authorities: dict[str, list[LocalAuthority]]  # force code → its districts, by code
    areas: dict[str, Area]  # force code → its area
    data_entry_group: Group
    coordinators_group: Group
    volunteers_group: Group

    def weight(self, code: str) -> int:
        return self.weights[self.force_codes.index(code)]

    def quota(self, rng: random.Random, total: int, minimum_home: int) -> list[str]:
        """A force code per item, in shuffled order, shared out by weight (Thames Valley at least `minimum_home`)."""
        weight_sum = sum(self.weights)
        shares = {code: int(total * w / weight_sum) for code, w in zip(self.force_codes, self.weights)}
        shares[THAMES_VALLEY] = max(shares[THAMES_VALLEY], min(total, minimum_home))
        # Hand out what rounding left over (or take back what the home minimum added), biggest first.
        order = sorted(self.force_codes, key=lambda c: -self.weight(c))
        i = 0
        while sum(shares.values()) != total:
            code = order[i % len(order)]
            if sum(shares.values()) < total:
                shares[code] += 1
            elif code != THAMES_VALLEY and shares[code] > 0:
                shares[code] -= 1
            i += 1
        codes = [code for code in self.force_codes for _ in range(shares[code])]
        rng.shuffle(codes)
        return codes


def load_reference(*, national: bool) -> Reference:
    """The reference data, or DemoError if it has not been loaded; the demo's user groups, made if missing."""
    session_types = {st.slug: st for st in SessionType.objects.all()}
    if SESSION_TYPES - set(session_types) or not Area.objects.filter(code=THAMES_VALLEY).exists():
        raise DemoError("Load the reference data first: python manage.py load_reference_data")
    # Only districts that exist today (the 2017 lookup also holds districts since merged away).
    current = {row["LAD23CD"] for row in read_csv("lad23_csp23_pfa23_lookup_ew.csv")}
    authorities = LocalAuthority.objects.filter(code__in=current).select_related("police_force").order_by("code")
    by_force: dict[str, list[LocalAuthority]] = defaultdict(list)
    for la in authorities:
        by_force[la.police_force.code].append(la)
    if national:
        # National: every force in England and Wales, weighted by its number of districts; the
        # featured forces keep a larger share so the demo logins still see plenty.
        weights = {code: len(las) + 4 * FEATURED_FORCES.get(code, 0) for code, las in by_force.items()}
    else:
        weights = dict(FEATURED_FORCES)
    force_codes = sorted(weights, key=lambda code: (code not in FEATURED_FORCES, code))
    return Reference(
        session_types=session_types,
        force_codes=force_codes,
        weights=[weights[code] for code in force_codes],
        authorities={code: by_force[code] for code in force_codes},
        areas={area.code: area for area in Area.objects.filter(code__in=force_codes)},
        data_entry_group=Group.objects.get_or_create(name=DATA_ENTRY_GROUP)[0],
        coordinators_group=Group.objects.get_or_create(name=COORDINATORS_GROUP)[0],
        volunteers_group=Group.objects.get_or_create(name=VOLUNTEERS_GROUP)[0],
    )
