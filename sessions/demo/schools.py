"""The demo's schools and their contacts: names, kinds and addresses that fit where they are."""

from __future__ import annotations

import random
from collections import defaultdict

from django.db import models

from schools.factories import SchoolContactFactory, SchoolFactory
from schools.geography import district_point
from schools.models import School, SchoolContact, TermDate, academic_year_of

from .context import Demo, bulk
from .dates import term_calendar
from .reference import THAMES_VALLEY, Reference
from .words import SCHOOLS

HOME_SCHOOLS = 17  # Thames Valley has at least this many
FIRST_URN = 700000  # clear of the DfE's ranges


def school_name(demo: Demo, town: str, kind: str, welsh: bool, welsh_medium: bool) -> tuple[str, str]:
    """A name and establishment type that fit the kind of school (primary, infant or junior)."""
    rng = demo.rng
    ending = {"primary": "Primary School", "infant": "Infant School", "junior": "Junior School"}[kind]
    if welsh_medium:
        word = rng.choice(SCHOOLS.welsh_medium_names)
        return rng.choice([f"Ysgol Gymraeg {word}", f"Ysgol Gynradd Gymraeg {word}", f"Ysgol {word}"]), (
            "Community school"
        )
    roll = rng.random()
    if roll < 0.22:
        church = "Church in Wales" if welsh else rng.choice(["Church of England", "CofE", "C of E"])
        return f"{rng.choice(SCHOOLS.anglican_saints)} {church} {ending}", rng.choice(
            ["Voluntary aided school", "Voluntary controlled school"]
            + ([] if welsh else ["Academy converter"])
        )
    if roll < 0.32:
        return f"{rng.choice(SCHOOLS.catholic_saints)} Catholic {ending}", (
            "Voluntary aided school" if welsh else rng.choice(["Voluntary aided school", "Academy converter"])
        )
    words = SCHOOLS.welsh_place_words if welsh else SCHOOLS.place_words
    stem = town if rng.random() < 0.12 else rng.choice(words)
    if welsh:
        return f"{stem} {ending}", "Community school"
    kind_roll = rng.random()
    if kind_roll < 0.25:
        name_type = (f"{stem} {ending.replace('School', 'Academy')}", "Academy sponsor led")
    elif kind_roll < 0.45:
        name_type = (f"{stem} {ending}", "Academy converter")
    elif kind_roll < 0.55 and kind == "primary":
        name_type = (f"{stem} Community Primary School", "Community school")
    elif kind_roll < 0.62:
        name_type = (f"{stem} {ending}", "Foundation school")
    else:
        name_type = (f"{stem} {ending}", "Community school")
    return name_type


# A school lies within this many metres of its postcode district's centroid, east-west and north-south.
SCHOOL_SPREAD_METRES = 2500


def school_point(demo: Demo, urn: int, postcode: str) -> tuple[int | None, int | None]:
    """A believable map reference: near the centre of the school's postcode district (None where the
    district is not in the table). Drawn from its own generator, so the rest of the demo is unchanged."""
    centre = district_point(postcode)
    if centre is None:
        return None, None
    rng = random.Random(f"{demo.seed}-school-{urn}")
    return (centre[0] + rng.randint(-SCHOOL_SPREAD_METRES, SCHOOL_SPREAD_METRES),
            centre[1] + rng.randint(-SCHOOL_SPREAD_METRES, SCHOOL_SPREAD_METRES))


def build_schools(demo: Demo, reference: Reference, count: int) -> list[School]:
    """`count` schools shared out over the forces, with their contacts."""
    rng = demo.rng
    existing_max = School.objects.aggregate(m=models.Max("urn"))["m"] or 0
    next_urn = max(FIRST_URN, existing_max + 1)  # and clear of real imported schools
    codes = reference.quota(rng, count, minimum_home=HOME_SCHOOLS)
    # The first Thames Valley schools are open and of fixed kinds, so the visits built on purpose
    # always have an infant school and enough primary schools to go to.
    forced = iter(["infant", *["primary"] * 13, "junior"])
    schools: list[School] = []
    used_names: set[tuple[int, str]] = set()
    for code in codes:
        la = rng.choice(reference.authorities[code])
        welsh = la.code.startswith("W")
        kind = next(forced, None) if code == THAMES_VALLEY else None
        fixed = kind is not None
        if kind is None:
            kind = rng.choices(["primary", "infant", "junior"], weights=[76, 12, 12])[0]
        welsh_medium = welsh and rng.random() < 0.3 and kind == "primary"
        town, postcode = demo.place(la)
        for _ in range(5):
            name, establishment_type = school_name(demo, town, kind, welsh, welsh_medium)
            if (la.pk, name) not in used_names:
                break
        used_names.add((la.pk, name))
        low, high = {"primary": (4, 11), "infant": (4, 7), "junior": (7, 11)}[kind]
        years = high - low
        easting, northing = school_point(demo, next_urn, postcode)
        status_roll = rng.random()
        status = (
            School.Status.OPEN if fixed
            else School.Status.CLOSED if status_roll < 0.02
            else School.Status.PROPOSED_TO_CLOSE if status_roll < 0.03
            else School.Status.OPEN
        )
        schools.append(
            SchoolFactory.build(
                urn=next_urn,
                name=name,
                phase="Primary",
                establishment_type=establishment_type,
                low_age=low,
                high_age=high,
                status=status,
                street=f"{rng.randint(1, 120)} {demo.street()}" if rng.random() < 0.3 else demo.street(),
                town=town,
                postcode=postcode,
                telephone=demo.phone(),
                pupils=rng.randint(14, 60) * years if rng.random() > 0.1 else rng.randint(30, 90),
                nation=School.Nation.WALES if welsh else School.Nation.ENGLAND,
                welsh_medium=welsh_medium,
                send_provision=rng.choice(SCHOOLS.send_provisions) if rng.random() < 0.06 else "",
                local_authority=la,
                easting=easting,
                northing=northing,
            )
        )
        next_urn += 1
    bulk(School, schools)
    demo.counts["schools"] = len(schools)
    demo.counts["closed schools"] = sum(s.status == School.Status.CLOSED for s in schools)
    demo.counts["Welsh-medium schools"] = sum(s.welsh_medium for s in schools)
    demo.counts["schools with a map reference"] = sum(s.easting is not None for s in schools)
    build_contacts(demo, schools)
    return schools


def open_schools_by_force(schools: list[School]) -> dict[str, list[School]]:
    """The open schools, by police force code: the ones that can be visited."""
    by_force: dict[str, list[School]] = defaultdict(list)
    for school in schools:
        if school.is_open:
            by_force[school.local_authority.police_force.code].append(school)
    return by_force


def contact(school: School, role: str, first: str, last: str) -> SchoolContact:
    return SchoolContactFactory.build(
        school=school, role=role, name=f"{first} {last}",
        email=f"{first[0]}.{last}@{school.urn}.school.example.org".lower().replace(" ", "").replace("'", ""),
        phone=school.telephone,
    )


def build_contacts(demo: Demo, schools: list[School]) -> None:
    """Every school's headteacher and designated safeguarding lead; some a deputy and an office."""
    rng = demo.rng
    contacts: list[SchoolContact] = []
    for school in schools:
        head = demo.person()
        contacts.append(contact(school, SchoolContact.Role.HEADTEACHER, *head))
        # In many primary schools the headteacher is the designated safeguarding lead.
        lead = head if rng.random() < 0.35 else demo.person()
        contacts.append(contact(school, SchoolContact.Role.DSL, *lead))
        if rng.random() < 0.45:
            contacts.append(contact(school, SchoolContact.Role.DEPUTY_DSL, *demo.person()))
        if rng.random() < 0.6:
            office = SchoolContactFactory.build(
                school=school, role=SchoolContact.Role.OFFICE, name="School office",
                email=f"office@{school.urn}.school.example.org", phone=school.telephone,
            )
            contacts.append(office)
    bulk(SchoolContact, contacts)
    demo.counts["school contacts"] = len(contacts)


def build_term_dates(demo: Demo, reference: Reference) -> None:
    """Last, this and next academic year's term calendar for every authority the demo's schools are in
    (sessions/demo/dates.py: term_calendar), replacing any the demo loaded before."""
    this_year = academic_year_of(demo.today)
    years = range(this_year - 1, this_year + 2)
    authorities = {la.pk: la for las in reference.authorities.values() for la in las}
    TermDate.objects.filter(local_authority_id__in=authorities, academic_year__in=years).delete()
    rows = [
        TermDate(local_authority_id=la_id, academic_year=year, kind=kind, starts_on=first, ends_on=last)
        for la_id in authorities for year in years for kind, first, last in term_calendar(year)
    ]
    bulk(TermDate, rows)
    demo.counts["term dates"] = len(rows)
