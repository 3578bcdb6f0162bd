"""The demo's coordinators and volunteers, with their clearances and the days they are away.

Everyone here is invented (names from Faker, Ofcom's drama phone numbers, example.org addresses)
and gets an unusable password: only the fixed demo logins (logins.py) can log in.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from config.dates import years_before
from sessions.factories import CoordinatorFactory, UnavailabilityFactory, UserFactory, VolunteerFactory
from sessions.models import Coordinator, Unavailability, Volunteer

from .context import Demo, bulk
from .dates import next_days
from .reference import FEATURED_FORCES, KENT, THAMES_VALLEY, Reference
from .words import VOLUNTEERS

if TYPE_CHECKING:
    from django.contrib.auth.models import User

HOME_VOLUNTEERS = 10  # Thames Valley has at least this many, the demo volunteer included
# How a demo's volunteers are cleared, in percent (the kinds are those of clearance_dates()).
VOLUNTEER_MIX = {"cleared": 45, "update_service": 27, "expiring": 11, "expired": 9, "pending": 3, "left": 5}


@dataclass(frozen=True)
class VolunteerPool:
    """Who may be asked to staff a visit in each force, and when each volunteer is away."""

    everyone: list[Volunteer]  # the demo volunteer first
    by_force: dict[str, list[Volunteer]]  # force code → those covering it (the demo volunteer first in Thames Valley)
    away: dict[int, list[tuple[date, date]]]  # volunteer pk → (first day, last day) of each unavailability


def usernames_taken() -> set[str]:
    return set(get_user_model().objects.values_list("username", flat=True))


def unique_username(first: str, last: str, taken: set[str]) -> str:
    """first.last, or first.last2, first.last3 … where that is taken; added to `taken`."""
    base = f"{first}.{last}".lower().replace(" ", "").replace("'", "")
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}{n}"
    taken.add(name)
    return name


def invented_user(demo: Demo, taken: set[str]) -> User:
    """An invented person's user, not saved yet."""
    first, last = demo.person()
    return UserFactory.build(
        username=unique_username(first, last, taken), first_name=first, last_name=last,
        email=f"{first}.{last}@example.org".lower().replace(" ", "").replace("'", ""),
        password=None,  # through the factory's Password: an unusable password, no hashing
    )


def add_to_group(users: Sequence[User], group: Group) -> None:
    Through = get_user_model().groups.through
    bulk(Through, [Through(user_id=user.pk, group_id=group.pk) for user in users])


def build_coordinators(demo: Demo, reference: Reference, demo_coordinator: Coordinator) -> dict[str, User]:
    """A coordinator for every force the demo coordinator does not cover; returns force code → coordinator's user."""
    taken = usernames_taken()
    others = [code for code in reference.force_codes if code not in (THAMES_VALLEY, KENT)]
    featured = [code for code in others if code in FEATURED_FORCES]
    rest = [code for code in others if code not in FEATURED_FORCES]
    # One coordinator per other featured force; nationally, one for every two further forces.
    groups = [[code] for code in featured] + [rest[i : i + 2] for i in range(0, len(rest), 2)]
    users = [invented_user(demo, taken) for _ in groups]
    bulk(get_user_model(), users)
    coordinators = [CoordinatorFactory.build(user=user, phone=demo.phone()) for user in users]
    bulk(Coordinator, coordinators)
    Through = Coordinator.areas.through
    bulk(Through, [Through(coordinator_id=c.pk, area_id=reference.areas[code].pk)
                   for c, codes in zip(coordinators, groups) for code in codes])
    add_to_group(users, reference.coordinators_group)
    coordinator_for = {THAMES_VALLEY: demo_coordinator.user, KENT: demo_coordinator.user}
    for coordinator, codes in zip(coordinators, groups):
        for code in codes:
            coordinator_for[code] = coordinator.user
    demo.counts["coordinators"] = len(coordinators) + 1
    return coordinator_for


def clearance_dates(demo: Demo, kind: str) -> dict[str, Any]:
    """DBS and training dates for a kind of volunteer, relative to today."""
    rng, today = demo.rng, demo.today
    three_years_ago = years_before(today, 3)
    recent = lambda: today - timedelta(days=rng.randint(30, 3 * 365 - 70))  # noqa: E731
    dates = {"dbs_checked_on": recent(), "training_on": recent(), "dbs_update_service": False,
             "dbs_level": Volunteer.DbsLevel.ENHANCED_BARRED}
    if kind == "update_service":
        # Most had their status checked this year; about one in five is due a status check within 60 days.
        checked_days_ago = rng.randint(310, 360) if rng.random() < 0.2 else rng.randint(30, 300)
        dates.update(dbs_checked_on=today - timedelta(days=rng.randint(365, 9 * 365)), dbs_update_service=True,
                     dbs_status_checked_on=today - timedelta(days=checked_days_ago))
    elif kind == "status_check_due":  # on the Update Service, its yearly status check due within 60 days
        dates.update(dbs_checked_on=today - timedelta(days=rng.randint(4 * 365, 6 * 365)), dbs_update_service=True,
                     dbs_status_checked_on=today - timedelta(days=rng.randint(310, 350)))
    elif kind == "expiring":
        soon = three_years_ago + timedelta(days=rng.randint(5, 59))  # expires in the next 60 days
        dates["training_on" if rng.random() < 0.3 else "dbs_checked_on"] = soon
    elif kind == "expired":
        gone = three_years_ago - timedelta(days=rng.randint(1, 300))
        dates["training_on" if rng.random() < 0.3 else "dbs_checked_on"] = gone
    elif kind == "fresh":
        dates.update(dbs_checked_on=today - timedelta(days=rng.randint(30, 300)),
                     training_on=today - timedelta(days=rng.randint(30, 300)))
    elif kind == "pending":
        dates.update(dbs_checked_on=None, training_on=today - timedelta(days=rng.randint(5, 60)))
    elif kind == "left":
        dates.update(
            dbs_checked_on=three_years_ago - timedelta(days=rng.randint(1, 700)),
            training_on=three_years_ago - timedelta(days=rng.randint(1, 700)),
            active=False,
            left_on=today - timedelta(days=rng.randint(30, 400)),
        )
    return dates


def skills(demo: Demo, index: int, welsh_area: bool) -> dict[str, Any]:
    """Languages, SEND experience, leading and how far they travel. Drawn from the volunteer's own
    generator, so the rest of the demo is unchanged. Who leads a demo visit may lead (`leads_may_lead`)."""
    rng = random.Random(f"{demo.seed}-skills-{index}")
    return {
        "speaks_welsh": rng.random() < (0.45 if welsh_area else 0.02),
        "signs_bsl": rng.random() < 0.04,
        "send_experience": rng.random() < 0.25,
        "may_lead": rng.random() < 0.7,
        "max_travel_km": rng.choice([10, 15, 20, 25, 25, 25, 30, 40]),
    }


def leads_may_lead() -> int:
    """Every volunteer who leads a demo visit may lead (the demo books without the gate); returns how
    many volunteers may lead."""
    Volunteer.objects.filter(assignments__role="lead", may_lead=False).update(may_lead=True)
    return Volunteer.objects.filter(may_lead=True).count()


def build_volunteers(demo: Demo, reference: Reference, count: int, demo_volunteer: Volunteer) -> VolunteerPool:
    """`count` volunteers in all (the demo volunteer is one), their areas and their unavailability."""
    rng = demo.rng
    taken = usernames_taken()
    n = count - 1  # the demo volunteer is one of them
    codes = reference.quota(rng, n, minimum_home=HOME_VOLUNTEERS - 1)
    kinds = [kind for kind, share in VOLUNTEER_MIX.items() for _ in range(round(n * share / 100))]
    kinds = (kinds + ["cleared"] * n)[:n]
    rng.shuffle(kinds)
    # Thames Valley always has someone expiring soon, someone already expired and someone whose Update
    # Service status check is due (the demo coordinator's clearance list and the troubled visits need them).
    home = [i for i, code in enumerate(codes) if code == THAMES_VALLEY]
    for i, kind in zip(home, ["expiring", "expired", "status_check_due", "fresh", "fresh", "fresh", "fresh", "fresh"]):
        kinds[i] = kind
    users, volunteers, areas = [], [], []
    for index, (code, kind) in enumerate(zip(codes, kinds)):
        users.append(invented_user(demo, taken))
        la = rng.choice(reference.authorities[code])
        volunteers.append(
            dict(phone=demo.phone(mobile=True), postcode=demo.place(la)[1],
                 dbs_reference=f"{rng.randrange(10**12):012d}", **clearance_dates(demo, kind),
                 **skills(demo, index, la.code.startswith("W")))
        )
        covers = [code]
        if rng.random() < 0.15:
            covers.append(rng.choice(reference.force_codes))
        areas.append(sorted(set(covers)))
    bulk(get_user_model(), users)
    built = [VolunteerFactory.build(user=user, **fields) for user, fields in zip(users, volunteers)]
    bulk(Volunteer, built)
    Through = Volunteer.areas.through
    bulk(Through, [Through(volunteer_id=v.pk, area_id=reference.areas[c].pk)
                   for v, cs in zip(built, areas) for c in cs])
    add_to_group(users, reference.volunteers_group)
    everyone = [demo_volunteer, *built]
    by_force: dict[str, list[Volunteer]] = defaultdict(list)
    for volunteer, covers in zip(built, areas):
        for code in covers:
            by_force[code].append(volunteer)
    by_force[THAMES_VALLEY].insert(0, demo_volunteer)
    today = demo.today
    demo.counts["volunteers"] = len(everyone)
    demo.counts["volunteers cleared today"] = sum(v.is_cleared_on(today) for v in everyone)
    demo.counts["volunteers whose clearance expires within 60 days"] = sum(
        v.is_cleared_on(today) and v.clearance_expires_within(60, today) for v in everyone
    )
    demo.counts["volunteers on the DBS Update Service"] = sum(v.dbs_update_service for v in everyone)
    away = build_unavailability(demo, everyone)
    return VolunteerPool(everyone=everyone, by_force=by_force, away=away)


def build_unavailability(demo: Demo, everyone: list[Volunteer]) -> dict[int, list[tuple[date, date]]]:
    """Some active volunteers are away now and then, and the demo volunteer for a week next month."""
    rng, today = demo.rng, demo.today
    demo_volunteer, others = everyone[0], everyone[1:]
    rows = []
    for volunteer in others:
        if not volunteer.active or rng.random() > 0.3:
            continue
        for _ in range(rng.randint(1, 2)):
            start = today + timedelta(days=rng.randint(-300, 150))
            end = start + timedelta(days=rng.choice([0, 0, 1, 4, 6, 13]))
            rows.append(UnavailabilityFactory.build(volunteer=volunteer, starts_on=start, ends_on=end,
                                                    reason=rng.choice(VOLUNTEERS.away_reasons)))
    # The demo volunteer is away for a week next month, so the portal shows it.
    start = next_days(today + timedelta(days=35), 1)[0]
    rows.append(UnavailabilityFactory.build(volunteer=demo_volunteer, starts_on=start,
                                            ends_on=start + timedelta(days=6), reason="On holiday"))
    away: dict[int, list[tuple[date, date]]] = defaultdict(list)
    for row in rows:
        away[row.volunteer.pk].append((row.starts_on, row.ends_on))
    bulk(Unavailability, rows)
    demo.counts["unavailable periods"] = len(rows)
    return away
