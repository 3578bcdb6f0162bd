"""Builds the demo programme: believable schools, volunteers, coordinators and visits.

Used by `manage.py seed_demo`. Everything is built with the factories the tests use (`.build()`,
then `bulk_create` in batches), so a national-scale data set (20,000 schools, 3,000 volunteers,
100,000 visits) takes minutes, not hours: no per-object saves or queries in the big loops, and
passwords are hashed only for the fixed demo logins.

The same seed gives the same data (all choices come from one seeded random generator, and Faker
shares factory-boy's seeded one). Dates are relative to today, so the demo always looks current.
Secrets (calendar tokens, unusable password markers) are fresh on every run, as they must be.

A few upcoming visits in Thames Valley are built with problems a coordinator should see: a double
booking, a DBS check that will have expired by the visit date, a bank holiday, too few volunteers,
a session for the wrong ages, and a volunteer who said they are away.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import factory.random
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import models, transaction
from django.utils import timezone

from schools.factories import SchoolContactFactory, SchoolFactory
from schools.models import School, SchoolContact, years_before
from sessions.factories import (
    AssignmentFactory,
    CoordinatorFactory,
    StatusChangeFactory,
    UnavailabilityFactory,
    UserFactory,
    VisitFactory,
    VisitReportFactory,
    VisitSessionFactory,
    VolunteerFactory,
)
from sessions.models import (
    COORDINATORS_GROUP,
    DATA_ENTRY_GROUP,
    VOLUNTEERS_GROUP,
    Assignment,
    Coordinator,
    SessionType,
    StatusChange,
    Unavailability,
    Visit,
    VisitReport,
    VisitSession,
    Volunteer,
    bank_holiday_name,
)
from stats.models import Area, LocalAuthority
from stats.reference import read_csv

from .words import (
    ANGLICAN_SAINTS,
    AWAY_REASONS,
    CANCEL_REASONS,
    CATHOLIC_SAINTS,
    PLACE_WORDS,
    PLACES,
    PREFERRED_DATES,
    REPORT_NOTES,
    SEND_PROVISIONS,
    STREET_KINDS,
    STREET_WORDS,
    VISIT_NOTES,
    WELSH_MEDIUM_NAMES,
    WELSH_PLACE_WORDS,
)

# --- The fixed demo logins. For a local demo only: the README says never to use them on a real site.

DEMO_PASSWORD = "speakout-demo-2026"
DEMO_URL = "http://127.0.0.1:8000/"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    first_name: str
    last_name: str
    role: str


DEMO_LOGINS = (
    DemoLogin("admin", "Alex", "Morgan", "administrator (superuser): everything, including the admin"),
    DemoLogin("coordinator", "Claire", "Thompson", "coordinator for Thames Valley and Kent"),
    DemoLogin("volunteer", "Sam", "Okafor", "volunteer in Thames Valley, with invitations and booked visits"),
    DemoLogin("dataentry", "Dev", "Sharma", 'staff in the "Data entry" group: the admin for data entry'),
)

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
MIN_SCHOOLS, MIN_VOLUNTEERS = 20, 15
HOME_SCHOOLS, HOME_VOLUNTEERS = 14, 10  # Thames Valley at least
BATCH = 2000  # objects per bulk_create batch
VISIT_CHUNK = 5000  # visits planned and written per round, so memory stays bounded

POSTCODE_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # the letters used in the inward part of a postcode


# --- Small helpers

def school_days(first: date, last: date, nations: Iterable[str]) -> list[date]:
    """Weekdays in term time with no bank holiday in any of the nations (school holidays roughly)."""
    nations = list(nations)
    days = []
    day = first
    while day <= last:
        summer = (day.month == 7 and day.day >= 23) or day.month == 8
        christmas = (day.month == 12 and day.day >= 20) or (day.month == 1 and day.day <= 3)
        if (
            day.weekday() < 5
            and not summer
            and not christmas
            and not any(bank_holiday_name(day, nation) for nation in nations)
        ):
            days.append(day)
        day += timedelta(days=1)
    return days


def bulk(model: type[models.Model], objects: list, batch_size: int = BATCH) -> list:
    """Write the objects in batches; primary keys are set on them afterwards."""
    for start in range(0, len(objects), batch_size):
        model.objects.bulk_create(objects[start : start + batch_size])
    return objects


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=timezone.get_current_timezone())


def add_minutes(moment: time, minutes: int) -> time:
    total = moment.hour * 60 + moment.minute + minutes
    return time(total // 60, total % 60)


class DemoError(Exception):
    """The demo cannot be built as asked (too small, or no reference data)."""


@dataclass
class Plan:
    """One visit's plan, kept until the visit row has its primary key."""

    visit: Visit
    lines: list[dict] = field(default_factory=list)
    assignments: list[tuple[Volunteer, str, str]] = field(default_factory=list)  # volunteer, role, status
    history: list[str] = field(default_factory=list)  # statuses from the first to the current one


@dataclass
class Featured:
    """A deliberately troubled visit, reported after seeding with what `visit.problems()` says."""

    label: str
    visit: Visit


class DemoBuilder:
    def __init__(self, *, seed: int, schools: int, volunteers: int, visits: int, today: date | None = None,
                 log: Callable[[str], None] = lambda line: None) -> None:
        if schools < MIN_SCHOOLS:
            raise DemoError(f"The demo needs at least {MIN_SCHOOLS} schools (asked for {schools}).")
        if volunteers < MIN_VOLUNTEERS:
            raise DemoError(f"The demo needs at least {MIN_VOLUNTEERS} volunteers (asked for {volunteers}).")
        if visits < 0:
            raise DemoError("The number of visits cannot be negative.")
        self.seed, self.n_schools, self.n_volunteers, self.n_visits = seed, schools, volunteers, visits
        self.today = today or timezone.localdate()
        self.log = log
        self.rng = random.Random(seed)
        # Faker (through factory-boy) draws from factory-boy's generator: seed it too.
        factory.random.reseed_random(seed)
        self.counts: Counter[str] = Counter()
        self.featured: list[Featured] = []
        self.fake = factory.Faker._get_faker(locale="en_GB")  # the factories' Faker, seeded above
        self.booked: set[tuple[int, date]] = set()  # (volunteer pk, date) with an active booking
        self.away: dict[int, list[tuple[date, date]]] = defaultdict(list)
        self.last_visit: dict[int, date] = {}  # school pk → date of its latest live visit so far

    # --- Reference data

    def load_reference(self) -> None:
        session_types = {st.slug: st for st in SessionType.objects.all()}
        missing = {"assembly-ks1", "workshop-year-2", "assembly-ks2", "workshop-years-5-6"} - set(session_types)
        if missing or not Area.objects.filter(code=THAMES_VALLEY).exists():
            raise DemoError("Load the reference data first: python manage.py load_reference_data")
        self.session_types = session_types
        # Only districts that exist today (the 2017 lookup also holds districts since merged away).
        current = {row["LAD23CD"] for row in read_csv("lad23_csp23_pfa23_lookup_ew.csv")}
        authorities = LocalAuthority.objects.filter(code__in=current).select_related("police_force").order_by("code")
        by_force: dict[str, list[LocalAuthority]] = defaultdict(list)
        for la in authorities:
            by_force[la.police_force.code].append(la)
        if self.n_schools >= NATIONAL_FROM:
            # National: every force in England and Wales, weighted by its number of districts; the
            # featured forces keep a larger share so the demo logins still see plenty.
            weights = {code: len(las) + 4 * FEATURED_FORCES.get(code, 0) for code, las in by_force.items()}
        else:
            weights = dict(FEATURED_FORCES)
        self.force_codes = sorted(weights, key=lambda code: (code not in FEATURED_FORCES, code))
        self.weights = [weights[code] for code in self.force_codes]
        self.authorities = {code: by_force[code] for code in self.force_codes}
        self.areas = {area.code: area for area in Area.objects.filter(code__in=self.force_codes)}
        self.data_entry_group = Group.objects.get_or_create(name=DATA_ENTRY_GROUP)[0]
        self.coordinators_group = Group.objects.get_or_create(name=COORDINATORS_GROUP)[0]
        self.volunteers_group = Group.objects.get_or_create(name=VOLUNTEERS_GROUP)[0]

    def quota(self, total: int, minimum_home: int) -> list[str]:
        """A force code per item, in shuffled order, shared out by weight (Thames Valley at least `minimum_home`)."""
        weight_sum = sum(self.weights)
        shares = {code: int(total * w / weight_sum) for code, w in zip(self.force_codes, self.weights)}
        shares[THAMES_VALLEY] = max(shares[THAMES_VALLEY], min(total, minimum_home))
        # Hand out what rounding left over (or take back what the home minimum added), biggest first.
        order = sorted(self.force_codes, key=lambda c: -self.weights[self.force_codes.index(c)])
        i = 0
        while sum(shares.values()) != total:
            code = order[i % len(order)]
            if sum(shares.values()) < total:
                shares[code] += 1
            elif code != THAMES_VALLEY and shares[code] > 0:
                shares[code] -= 1
            i += 1
        codes = [code for code in self.force_codes for _ in range(shares[code])]
        self.rng.shuffle(codes)
        return codes

    # --- Places and people

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

    def street(self) -> str:
        return f"{self.rng.choice(STREET_WORDS)} {self.rng.choice(STREET_KINDS)}"

    def phone(self, mobile: bool = False) -> str:
        # Ofcom's numbers reserved for drama: never a real person's.
        prefix = "07700 900" if mobile else "01632 960"
        return f"{prefix}{self.rng.randrange(1000):03d}"

    def person(self) -> tuple[str, str]:
        return self.fake.first_name(), self.fake.last_name()

    # --- Schools

    def school_name(self, la: LocalAuthority, town: str, kind: str, welsh: bool, welsh_medium: bool) -> tuple[str, str]:
        """A name and establishment type that fit the kind of school (primary, infant or junior)."""
        rng = self.rng
        ending = {"primary": "Primary School", "infant": "Infant School", "junior": "Junior School"}[kind]
        if welsh_medium:
            word = rng.choice(WELSH_MEDIUM_NAMES)
            return rng.choice([f"Ysgol Gymraeg {word}", f"Ysgol Gynradd Gymraeg {word}", f"Ysgol {word}"]), (
                "Community school"
            )
        roll = rng.random()
        if roll < 0.22:
            church = "Church in Wales" if welsh else rng.choice(["Church of England", "CofE", "C of E"])
            return f"{rng.choice(ANGLICAN_SAINTS)} {church} {ending}", rng.choice(
                ["Voluntary aided school", "Voluntary controlled school"]
                + ([] if welsh else ["Academy converter"])
            )
        if roll < 0.32:
            return f"{rng.choice(CATHOLIC_SAINTS)} Catholic {ending}", (
                "Voluntary aided school" if welsh else rng.choice(["Voluntary aided school", "Academy converter"])
            )
        words = WELSH_PLACE_WORDS if welsh else PLACE_WORDS
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

    def build_schools(self) -> None:
        rng = self.rng
        existing_max = School.objects.aggregate(m=models.Max("urn"))["m"] or 0
        next_urn = max(700000, existing_max + 1)  # clear of the DfE's ranges and of real imported schools
        codes = self.quota(self.n_schools, minimum_home=HOME_SCHOOLS)
        # The first Thames Valley schools are open and of fixed kinds, so the visits built on purpose
        # always have an infant school and enough primary schools to go to.
        forced = iter(["infant", *["primary"] * 10, "junior"])
        schools: list[School] = []
        used_names: set[tuple[int, str]] = set()
        for code in codes:
            la = rng.choice(self.authorities[code])
            welsh = la.code.startswith("W")
            kind = next(forced, None) if code == THAMES_VALLEY else None
            fixed = kind is not None
            if kind is None:
                kind = rng.choices(["primary", "infant", "junior"], weights=[76, 12, 12])[0]
            welsh_medium = welsh and rng.random() < 0.3 and kind == "primary"
            town, postcode = self.place(la)
            for _ in range(5):
                name, establishment_type = self.school_name(la, town, kind, welsh, welsh_medium)
                if (la.pk, name) not in used_names:
                    break
            used_names.add((la.pk, name))
            low, high = {"primary": (4, 11), "infant": (4, 7), "junior": (7, 11)}[kind]
            years = high - low
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
                    street=f"{rng.randint(1, 120)} {self.street()}" if rng.random() < 0.3 else self.street(),
                    town=town,
                    postcode=postcode,
                    telephone=self.phone(),
                    pupils=rng.randint(14, 60) * years if rng.random() > 0.1 else rng.randint(30, 90),
                    nation=School.Nation.WALES if welsh else School.Nation.ENGLAND,
                    welsh_medium=welsh_medium,
                    send_provision=rng.choice(SEND_PROVISIONS) if rng.random() < 0.06 else "",
                    local_authority=la,
                )
            )
            next_urn += 1
        self.schools = bulk(School, schools)
        self.counts["schools"] = len(schools)
        self.counts["closed schools"] = sum(s.status == School.Status.CLOSED for s in schools)
        self.counts["Welsh-medium schools"] = sum(s.welsh_medium for s in schools)
        self.schools_by_force: dict[str, list[School]] = defaultdict(list)
        for school in schools:
            if school.is_open:
                self.schools_by_force[school.local_authority.police_force.code].append(school)
        self.build_contacts()

    def build_contacts(self) -> None:
        rng = self.rng
        contacts: list[SchoolContact] = []
        for school in self.schools:
            domain = f"{school.urn}.school.example.org"

            def contact(role: str, first: str, last: str, title: str = "") -> SchoolContact:
                name = f"{title} {first} {last}".strip()
                return SchoolContactFactory.build(
                    school=school, role=role, name=name,
                    email=f"{first[0]}.{last}@{domain}".lower().replace(" ", "").replace("'", ""),
                    phone=school.telephone,
                )

            head = self.person()
            contacts.append(contact(SchoolContact.Role.HEADTEACHER, *head))
            # In many primary schools the headteacher is the designated safeguarding lead.
            lead = head if rng.random() < 0.35 else self.person()
            contacts.append(contact(SchoolContact.Role.DSL, *lead))
            if rng.random() < 0.45:
                contacts.append(contact(SchoolContact.Role.DEPUTY_DSL, *self.person()))
            if rng.random() < 0.6:
                office = SchoolContactFactory.build(
                    school=school, role=SchoolContact.Role.OFFICE, name="School office",
                    email=f"office@{domain}", phone=school.telephone,
                )
                contacts.append(office)
        bulk(SchoolContact, contacts)
        self.counts["school contacts"] = len(contacts)

    # --- People

    def fixed_user(self, login: DemoLogin, **flags) -> models.Model:
        """A demo login: created or reset (the only users given a real, hashed password)."""
        User = get_user_model()
        user, _ = User.objects.get_or_create(username=login.username)
        user.first_name, user.last_name = login.first_name, login.last_name
        user.email = f"{login.username}@example.org"
        for name, value in flags.items():
            setattr(user, name, value)
        user.is_active = True
        user.set_password(DEMO_PASSWORD)
        user.save()
        return user

    def build_fixed_users(self) -> None:
        admin, coordinator, volunteer, data_entry = DEMO_LOGINS
        self.fixed_user(admin, is_staff=True, is_superuser=True)
        staff = self.fixed_user(data_entry, is_staff=True, is_superuser=False)
        staff.groups.add(self.data_entry_group)
        user = self.fixed_user(coordinator, is_staff=False, is_superuser=False)
        self.demo_coordinator, _ = Coordinator.objects.get_or_create(user=user)
        self.demo_coordinator.phone = "01632 960001"
        self.demo_coordinator.save()
        self.demo_coordinator.areas.set([self.areas[THAMES_VALLEY], self.areas[KENT]])
        user = self.fixed_user(volunteer, is_staff=False, is_superuser=False)
        defaults = {
            "phone": "07700 900001",
            "postcode": "RG1 4QA",
            "dbs_checked_on": years_before(self.today, 4),
            "dbs_reference": "001122334455",
            "dbs_update_service": True,
            "training_on": self.today - timedelta(days=200),
            "active": True,
            "left_on": None,
        }
        self.demo_volunteer, _ = Volunteer.objects.update_or_create(user=user, defaults=defaults)
        self.demo_volunteer.areas.set([self.areas[THAMES_VALLEY]])
        self.counts["demo logins"] = len(DEMO_LOGINS)

    def username_taken(self) -> set[str]:
        return set(get_user_model().objects.values_list("username", flat=True))

    def unique_username(self, first: str, last: str, taken: set[str]) -> str:
        base = f"{first}.{last}".lower().replace(" ", "").replace("'", "")
        name, n = base, 1
        while name in taken:
            n += 1
            name = f"{base}{n}"
        taken.add(name)
        return name

    def build_coordinators(self) -> None:
        taken = self.username_taken()
        others = [code for code in self.force_codes if code not in (THAMES_VALLEY, KENT)]
        featured = [code for code in others if code in FEATURED_FORCES]
        rest = [code for code in others if code not in FEATURED_FORCES]
        # One coordinator per other featured force; nationally, one for every two further forces.
        groups = [[code] for code in featured] + [rest[i : i + 2] for i in range(0, len(rest), 2)]
        users, coordinators = [], []
        for _ in groups:
            first, last = self.person()
            users.append(
                UserFactory.build(
                    username=self.unique_username(first, last, taken), first_name=first, last_name=last,
                    email=f"{first}.{last}@example.org".lower().replace(" ", "").replace("'", ""),
                    password=None,  # through the factory's Password: an unusable password, no hashing
                )
            )
        bulk(get_user_model(), users)
        for user in users:
            coordinators.append(CoordinatorFactory.build(user=user, phone=self.phone()))
        bulk(Coordinator, coordinators)
        Through = Coordinator.areas.through
        bulk(Through, [Through(coordinator_id=c.pk, area_id=self.areas[code].pk)
                       for c, codes in zip(coordinators, groups) for code in codes])
        self.add_to_group(users, self.coordinators_group)
        self.coordinator_for = {THAMES_VALLEY: self.demo_coordinator.user, KENT: self.demo_coordinator.user}
        for coordinator, codes in zip(coordinators, groups):
            for code in codes:
                self.coordinator_for[code] = coordinator.user
        self.counts["coordinators"] = len(coordinators) + 1

    def add_to_group(self, users: Sequence, group: Group) -> None:
        Through = get_user_model().groups.through
        bulk(Through, [Through(user_id=user.pk, group_id=group.pk) for user in users])

    def clearance_dates(self, kind: str) -> dict:
        """DBS and training dates for a kind of volunteer, relative to today."""
        rng, today = self.rng, self.today
        three_years_ago = years_before(today, 3)
        recent = lambda: today - timedelta(days=rng.randint(30, 3 * 365 - 70))  # noqa: E731
        dates = {"dbs_checked_on": recent(), "training_on": recent(), "dbs_update_service": False}
        if kind == "update_service":
            dates.update(dbs_checked_on=today - timedelta(days=rng.randint(365, 9 * 365)), dbs_update_service=True)
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

    def build_volunteers(self) -> None:
        rng = self.rng
        taken = self.username_taken()
        n = self.n_volunteers - 1  # the demo volunteer is one of them
        codes = self.quota(n, minimum_home=HOME_VOLUNTEERS - 1)
        mix = {"cleared": 45, "update_service": 27, "expiring": 11, "expired": 9, "pending": 3, "left": 5}
        kinds = [kind for kind, share in mix.items() for _ in range(round(n * share / 100))]
        kinds = (kinds + ["cleared"] * n)[:n]
        rng.shuffle(kinds)
        # Thames Valley always has someone expiring soon and someone already expired (the demo
        # coordinator's clearance list and the troubled visits need them).
        home = [i for i, code in enumerate(codes) if code == THAMES_VALLEY]
        for i, kind in zip(home, ["expiring", "expired", "fresh", "fresh", "fresh", "fresh", "fresh", "fresh"]):
            kinds[i] = kind
        users, volunteers, areas = [], [], []
        for code, kind in zip(codes, kinds):
            first, last = self.person()
            users.append(
                UserFactory.build(
                    username=self.unique_username(first, last, taken), first_name=first, last_name=last,
                    email=f"{first}.{last}@example.org".lower().replace(" ", "").replace("'", ""),
                    password=None,  # through the factory's Password: an unusable password, no hashing
                )
            )
            la = rng.choice(self.authorities[code])
            volunteers.append(
                dict(phone=self.phone(mobile=True), postcode=self.place(la)[1],
                     dbs_reference=f"{rng.randrange(10**12):012d}", **self.clearance_dates(kind))
            )
            covers = [code]
            if rng.random() < 0.15:
                covers.append(rng.choice(self.force_codes))
            areas.append(sorted(set(covers)))
        bulk(get_user_model(), users)
        built = [VolunteerFactory.build(user=user, **fields) for user, fields in zip(users, volunteers)]
        bulk(Volunteer, built)
        Through = Volunteer.areas.through
        bulk(Through, [Through(volunteer_id=v.pk, area_id=self.areas[c].pk) for v, cs in zip(built, areas) for c in cs])
        self.add_to_group(users, self.volunteers_group)
        self.volunteers = [self.demo_volunteer, *built]
        self.pool: dict[str, list[Volunteer]] = defaultdict(list)
        for volunteer, covers in zip(built, areas):
            for code in covers:
                self.pool[code].append(volunteer)
        self.pool[THAMES_VALLEY].insert(0, self.demo_volunteer)
        self.counts["volunteers"] = len(built) + 1
        self.counts["volunteers cleared today"] = sum(v.is_cleared_on(self.today) for v in self.volunteers)
        self.counts["volunteers whose clearance expires within 60 days"] = sum(
            v.is_cleared_on(self.today) and v.clearance_expires_within(60, self.today) for v in self.volunteers
        )
        self.counts["volunteers on the DBS Update Service"] = sum(v.dbs_update_service for v in self.volunteers)
        self.build_unavailability()

    def build_unavailability(self) -> None:
        rng = self.rng
        rows = []
        for volunteer in self.volunteers[1:]:
            if not volunteer.active or rng.random() > 0.3:
                continue
            for _ in range(rng.randint(1, 2)):
                start = self.today + timedelta(days=rng.randint(-300, 150))
                end = start + timedelta(days=rng.choice([0, 0, 1, 4, 6, 13]))
                rows.append(UnavailabilityFactory.build(volunteer=volunteer, starts_on=start, ends_on=end,
                                                        reason=rng.choice(AWAY_REASONS)))
        # The demo volunteer is away for a week next month, so the portal shows it.
        start = self.next_days(self.today + timedelta(days=35), 1)[0]
        rows.append(UnavailabilityFactory.build(volunteer=self.demo_volunteer, starts_on=start,
                                                ends_on=start + timedelta(days=6), reason="On holiday"))
        for row in rows:
            self.away[row.volunteer.pk].append((row.starts_on, row.ends_on))
        bulk(Unavailability, rows)
        self.counts["unavailable periods"] = len(rows)

    # --- Visits

    def free(self, volunteer: Volunteer, day: date) -> bool:
        """May be asked for that day: cleared on it (the model's rule), not away, not booked."""
        return (
            (volunteer.pk, day) not in self.booked
            and volunteer.is_cleared_on(day)
            and not any(start <= day <= end for start, end in self.away.get(volunteer.pk, ()))
        )

    def pick(self, code: str, day: date, k: int, prefer: Volunteer | None = None,
             exclude: Iterable[Volunteer] = ()) -> list[Volunteer]:
        pool = self.pool[code]
        chosen: list[Volunteer] = []
        skip = {v.pk for v in exclude}
        if prefer is not None and prefer.pk not in skip and self.free(prefer, day):
            chosen.append(prefer)
        # A couple of dozen candidates at random: enough to staff a visit, cheap on a national pool.
        for index in self.rng.sample(range(len(pool)), min(len(pool), 24)):
            if len(chosen) >= k:
                break
            candidate = pool[index]
            if candidate.pk not in skip and candidate not in chosen and self.free(candidate, day):
                chosen.append(candidate)
        return chosen

    def lines_for(self, school: School, starts_at: time) -> list[dict]:
        """Session lines that suit the school's ages, back to back from the start time."""
        rng = self.rng
        per_year = max(8, (school.pupils or 210) // max(1, (school.high_age or 11) - (school.low_age or 4)))
        options = {
            (4, 7): [["assembly-ks1"], ["assembly-ks1", "workshop-year-2"], ["workshop-year-2"]],
            (7, 11): [["assembly-ks2"], ["assembly-ks2", "workshop-years-5-6"]],
        }.get((school.low_age, school.high_age), [
            ["assembly-ks1", "assembly-ks2"], ["assembly-ks1", "assembly-ks2"],
            ["assembly-ks1", "assembly-ks2", "workshop-years-5-6"], ["assembly-ks2", "workshop-years-5-6"],
        ])
        years = {"assembly-ks1": [1, 2], "workshop-year-2": [2], "assembly-ks2": [3, 4, 5, 6],
                 "workshop-years-5-6": [5, 6]}
        lines, moment = [], starts_at
        for slug in rng.choice(options):
            session_type = self.session_types[slug]
            pupils = per_year * len(years[slug])
            if session_type.format == "workshop":
                pupils = min(pupils, 32)  # a workshop is one class
            lines.append({"session_type": session_type, "starts_at": moment, "year_groups": years[slug],
                          "pupils": pupils, "welsh_language": school.welsh_medium,
                          "send_adapted": bool(school.send_provision) and rng.random() < 0.5})
            moment = add_minutes(moment, session_type.duration_minutes + 10)
        return lines

    def status_for(self, day: date) -> str:
        ago = (self.today - day).days
        r = self.rng.random()
        S = Visit.Status
        if ago > 14:
            return S.DELIVERED if r < 0.88 else S.CANCELLED
        if ago > 0:
            return S.DELIVERED if r < 0.6 else S.CONFIRMED if r < 0.9 else S.CANCELLED
        if ago > -14:
            return S.CONFIRMED if r < 0.75 else S.PROPOSED if r < 0.9 else S.CANCELLED
        if ago > -60:
            return S.CONFIRMED if r < 0.45 else S.PROPOSED if r < 0.8 else S.REQUESTED if r < 0.92 else S.CANCELLED
        return S.PROPOSED if r < 0.35 else S.REQUESTED if r < 0.85 else S.CONFIRMED if r < 0.95 else S.CANCELLED

    def plan_visit(self, school: School, day: date, status: str, *, starts_at: time | None = None,
                   lines: list[dict] | None = None, volunteers: list[Volunteer] | None = None,
                   statuses: list[str] | None = None, prefer: Volunteer | None = None) -> Plan:
        """Plan a visit (unsaved) with its lines, assignments and history; books its volunteers."""
        rng = self.rng
        S = Visit.Status
        code = school.local_authority.police_force.code
        starts_at = starts_at or rng.choice([time(9, 0), time(9, 15), time(9, 30), time(10, 45), time(13, 15)])
        lines = lines if lines is not None else self.lines_for(school, starts_at)
        last = lines[-1]
        ends_at = add_minutes(last["starts_at"], last["session_type"].duration_minutes + 15)
        # The status reached before any cancellation, and the path there: a school's request starts
        # at requested; a coordinator's own booking starts at proposed.
        final = rng.choice([S.PROPOSED, S.CONFIRMED, S.CONFIRMED]) if status == S.CANCELLED else status
        requested = final == S.REQUESTED or rng.random() < 0.5
        path = [S.REQUESTED, S.PROPOSED, S.CONFIRMED, S.DELIVERED]
        history = path[(0 if requested else 1) : path.index(final) + 1]
        if status == S.CANCELLED:
            history.append(S.CANCELLED)
        fields = {}
        if requested:
            first, last_name = self.person()
            fields.update(
                requester_name=f"{first} {last_name}",
                requester_email=f"{first[0]}.{last_name}@{school.urn}.school.example.org".lower().replace("'", ""),
                requester_phone=school.telephone,
                preferred_dates=rng.choice(PREFERRED_DATES),
                pupils_by_year={str(y): line["pupils"] // len(line["year_groups"])
                                for line in lines for y in line["year_groups"]},
            )
        visit = VisitFactory.build(
            school=school, date=day, starts_at=starts_at, ends_at=ends_at, status=status,
            coordinator=None if status == S.REQUESTED else self.coordinator_for.get(code),
            needs_welsh=school.welsh_medium, needs_send=any(line["send_adapted"] for line in lines),
            cancel_reason=rng.choice(CANCEL_REASONS) if status == S.CANCELLED else "",
            notes=rng.choice(VISIT_NOTES),
            version=len(history) - 1,
            **fields,
        )
        plan = Plan(visit=visit, lines=lines, history=history)
        if final != S.REQUESTED:
            if volunteers is None:
                needed = max(line["session_type"].volunteers_needed for line in lines)
                volunteers = self.pick(code, day, needed, prefer=prefer)
                if len(volunteers) < needed and day >= self.today and status == S.CONFIRMED:
                    # Not enough volunteers free: the coordinator is still looking.
                    status = final = visit.status = S.PROPOSED
                    plan.history = history = history[: history.index(S.PROPOSED) + 1]
                    visit.version = len(history) - 1
            for i, volunteer in enumerate(volunteers):
                role = Assignment.Role.LEAD if i == 0 else Assignment.Role.SUPPORT
                if final == S.PROPOSED:
                    state = Assignment.Status.ACCEPTED if rng.random() < 0.3 else Assignment.Status.INVITED
                else:
                    state = Assignment.Status.ACCEPTED
                plan.assignments.append((volunteer, role, state))
                if status != S.CANCELLED:
                    self.booked.add((volunteer.pk, day))
        if statuses:  # explicit assignment statuses for the troubled visits
            plan.assignments = [(v, r, s) for (v, r, _), s in zip(plan.assignments, statuses)]
        if status != S.CANCELLED:
            self.last_visit[school.pk] = max(day, self.last_visit.get(school.pk, day))
        return plan

    def write(self, plans: list[Plan]) -> None:
        """Save the planned visits and everything that hangs off them, in bulk."""
        rng = self.rng
        S = Visit.Status
        bulk(Visit, [plan.visit for plan in plans])
        lines, assignments, reports, changes = [], [], [], []
        now = timezone.now()
        for plan in plans:
            visit = plan.visit
            delivered = visit.status == S.DELIVERED
            own_lines = []
            for line in plan.lines:
                reached = round(line["pupils"] * rng.uniform(0.88, 1.0)) if delivered else None
                own_lines.append(VisitSessionFactory.build(visit=visit, children_reached=reached, **line))
            lines.extend(own_lines)
            lead = None
            for volunteer, role, state in plan.assignments:
                responded = None
                if state != Assignment.Status.INVITED:
                    responded = at(visit.date - timedelta(days=rng.randint(7, 40)), rng.randint(8, 20))
                assignments.append(AssignmentFactory.build(visit=visit, volunteer=volunteer, role=role,
                                                           status=state, responded_at=responded))
                if role == Assignment.Role.LEAD:
                    lead = volunteer
            if delivered:
                filed = min(at(visit.date + timedelta(days=rng.randint(0, 3)), 16, 30), now)
                reports.append(VisitReportFactory.build(
                    visit=visit, filed_by=lead, filed_at=filed,
                    children_reached=sum(line.children_reached for line in own_lines),
                    sessions_delivered=len(plan.lines), follow_up=rng.random() < 0.07,
                    notes=rng.choice(REPORT_NOTES),
                ))
            steps = len(plan.history) - 1
            for i, (before, after) in enumerate(zip(plan.history, plan.history[1:])):
                # Spread the changes over the weeks before the visit (delivery is marked after it).
                when = (at(visit.date + timedelta(days=1), 17) if after == S.DELIVERED
                        else at(visit.date - timedelta(days=7 * (steps - i) + rng.randint(0, 6)), 10))
                changes.append(StatusChangeFactory.build(
                    visit=visit, from_status=before, to_status=after, by=visit.coordinator,
                    at=min(when, now - timedelta(days=steps - i)),
                    reason=visit.cancel_reason if after == S.CANCELLED else "",
                ))
        bulk(VisitSession, lines)
        bulk(Assignment, assignments)
        bulk(VisitReport, reports)
        bulk(StatusChange, changes)
        self.counts["visits"] += len(plans)
        self.counts["session lines"] += len(lines)
        self.counts["assignments"] += len(assignments)
        self.counts["visit reports"] += len(reports)
        for plan in plans:
            self.counts[f"visits {plan.visit.status}"] += 1

    def reserve_schools(self) -> None:
        """Keep some Thames Valley schools out of the random visits, for the visits built on purpose."""
        home = self.schools_by_force[THAMES_VALLEY]
        infants = [s for s in home if (s.low_age, s.high_age) == (4, 7)]
        primaries = [s for s in home if (s.low_age, s.high_age) == (4, 11)]
        self.reserved = {"infant": infants[0], "primary": primaries[:9]}
        taken = {self.reserved["infant"].pk, *(s.pk for s in self.reserved["primary"])}
        self.schools_by_force[THAMES_VALLEY] = [s for s in home if s.pk not in taken]

    def build_visits(self) -> None:
        rng, today = self.rng, self.today
        # Visits come at the pace of the programme: each open school about once a programme cycle
        # (two years), so the history is two years for the demo and longer for more visits per
        # school (100,000 visits over 20,000 schools: about twelve years). A demo gets a fifth of
        # its visits in the coming four months, so there is plenty to plan.
        normal = max(0, self.n_visits - 10)  # the visits built on purpose count towards the total
        open_schools = sum(len(schools) for schools in self.schools_by_force.values())
        window = 730 * 1.15 * normal / max(1, open_schools)
        history_days = max(730, min(4380, round(window - 120)))
        share_ahead = 0.2 if history_days == 730 else 120 / (history_days + 120)
        nations = {s.nation for s in self.schools}
        days = school_days(today - timedelta(days=history_days), today + timedelta(days=120), nations)
        past = [day for day in days if day < today]
        ahead = [day for day in days if day >= today]
        n_ahead = round(normal * share_ahead)
        dates = sorted([rng.choice(past) for _ in range(normal - n_ahead)] + [rng.choice(ahead) for _ in range(n_ahead)])
        codes = [code for code in self.force_codes if self.schools_by_force[code]]
        weights = [self.weights[self.force_codes.index(code)] for code in codes]
        # Each force works through its schools in turn (in a shuffled order), as coordinators work
        # down the list of schools due a visit: no school is visited again before the others.
        rotation = {code: rng.sample(self.schools_by_force[code], len(self.schools_by_force[code])) for code in codes}
        turns: Counter[str] = Counter()
        demo_bookings = 0
        plans: list[Plan] = []
        for day in dates:
            code = rng.choices(codes, weights=weights)[0]
            school = rotation[code][turns[code] % len(rotation[code])]
            turns[code] += 1
            status = self.status_for(day)
            # The demo volunteer takes a share of Thames Valley's visits, but no more than one
            # person could: a few dozen, leaving days free for the visits built on purpose.
            prefer = None
            if code == THAMES_VALLEY and rng.random() < 0.1 and demo_bookings < 40:
                prefer = self.demo_volunteer
                demo_bookings += 1
            plans.append(self.plan_visit(school, day, status, prefer=prefer))
            if len(plans) >= VISIT_CHUNK:
                self.write(plans)
                self.log(f"  … {self.counts['visits']:,} visits")
                plans = []
        if plans:
            self.write(plans)
        self.build_featured_visits()

    def next_days(self, start: date, count: int) -> list[date]:
        days = school_days(start, start + timedelta(days=120), [School.Nation.ENGLAND])
        return days[:count]

    def build_featured_visits(self) -> None:
        """The demo volunteer's own visits, and the troubled visits a coordinator should see."""
        S, A = Visit.Status, Assignment.Status
        today, tv = self.today, THAMES_VALLEY
        primaries = list(self.reserved["primary"])
        me = self.demo_volunteer
        plans: list[tuple[str, Plan]] = []
        days = self.next_days(today + timedelta(days=3), 40)

        def visit(label: str, school: School, day: date, status: str, volunteers: list[Volunteer],
                  statuses: list[str] | None = None, **kwargs) -> Plan:
            plan = self.plan_visit(school, day, status, volunteers=volunteers, statuses=statuses, **kwargs)
            plans.append((label, plan))
            return plan

        def others(day: date, k: int, exclude: Iterable[Volunteer] = ()) -> list[Volunteer]:
            return self.pick(tv, day, k, exclude=[me, *exclude])

        # The demo volunteer: an accepted visit and an invitation soon, and one delivered last term.
        free_days = [d for d in days if self.free(me, d)]
        day = free_days[0]
        visit("", primaries.pop(), day, S.CONFIRMED, [me, *others(day, 1)])
        day = free_days[3]
        visit("", primaries.pop(), day, S.PROPOSED, [me, *others(day, 1)], statuses=[A.INVITED, A.INVITED])
        past = [d for d in school_days(today - timedelta(days=120), today - timedelta(days=30),
                                       [School.Nation.ENGLAND]) if self.free(me, d)]
        if past:
            day = past[0]
            visit("", primaries.pop(), day, S.DELIVERED, [me, *others(day, 1)])

        # A double booking: one volunteer on two overlapping visits on the same day.
        day = days[8]
        pair = others(day, 3)
        visit("double booking", primaries.pop(), day, S.CONFIRMED, pair[:2], starts_at=time(9, 0))
        self.booked.discard((pair[0].pk, day))
        visit("double booking", primaries.pop(), day, S.PROPOSED, [pair[0], pair[2]],
              statuses=[A.INVITED, A.INVITED], starts_at=time(9, 30))

        # A DBS check or training that will have expired by the visit date.
        expiring = next(v for v in self.pool[tv][1:] if v.is_cleared_on(today)
                        and v.clearance_expires_within(60, today))
        expiry = expiring.clearance_expires_on
        day = self.next_days(expiry + timedelta(days=7), 1)[0]
        visit("clearance expired by the visit date", primaries.pop(), day, S.PROPOSED,
              [expiring, *others(day, 1, exclude=[expiring])], statuses=[A.ACCEPTED, A.INVITED])

        # A bank holiday: the school asked for the first bank holiday after Christmas.
        day = today + timedelta(days=1)
        while not (day.weekday() < 5 and bank_holiday_name(day, School.Nation.ENGLAND)
                   and not (day.month == 12 or day.month == 1 and day.day <= 3)):
            day += timedelta(days=1)
        visit("bank holiday", primaries.pop(), day, S.PROPOSED, others(day, 2), statuses=[A.INVITED, A.INVITED])

        # Too few volunteers: one invited where the sessions need two.
        day = days[12]
        visit("understaffed", primaries.pop(), day, S.PROPOSED, others(day, 1), statuses=[A.INVITED])

        # A workshop for Years 5 and 6 booked at an infant school.
        day = days[15]
        infant = self.reserved["infant"]
        wrong = [{"session_type": self.session_types["workshop-years-5-6"], "starts_at": time(9, 30),
                  "year_groups": [5, 6], "pupils": 30, "welsh_language": False, "send_adapted": False}]
        visit("session for the wrong ages", infant, day, S.PROPOSED, others(day, 2),
              statuses=[A.INVITED, A.INVITED], starts_at=time(9, 30), lines=wrong)

        # A volunteer invited for a day they said they would be away.
        away_start, away_end = next((start, end) for start, end in self.away[me.pk] if start > today)
        day = self.next_days(away_start, 1)[0]
        if day <= away_end:
            self.booked.discard((me.pk, day))
            visit("volunteer unavailable", primaries.pop(), day, S.PROPOSED, [me, *others(day, 1)],
                  statuses=[A.INVITED, A.INVITED])

        self.write([plan for _, plan in plans])
        self.featured = [Featured(label, plan.visit) for label, plan in plans if label]

    # --- All of it

    def build(self) -> Counter[str]:
        with transaction.atomic():
            self.load_reference()
            self.log(f"Building the demo programme (seed {self.seed}) for {self.today:%-d %B %Y}…")
            self.build_fixed_users()
            self.build_schools()
            self.log(f"  {self.counts['schools']:,} schools")
            self.build_coordinators()
            self.build_volunteers()
            self.log(f"  {self.counts['volunteers']:,} volunteers")
            self.reserve_schools()
            self.build_visits()
        return self.counts


def seed_demo(*, seed: int = 2026, schools: int = 300, volunteers: int = 80, visits: int = 300,
              today: date | None = None, log: Callable[[str], None] = lambda line: None) -> DemoBuilder:
    """Build the demo programme in one transaction and return the builder (counts, featured visits).

    Side effects: creates or resets the fixed demo logins (with DEMO_PASSWORD) and the "Data entry",
    "Coordinators" and "Volunteers" groups; adds schools, contacts, coordinators, volunteers,
    unavailability and visits with their lines, assignments, reports and status history.
    """
    builder = DemoBuilder(seed=seed, schools=schools, volunteers=volunteers, visits=visits, today=today, log=log)
    builder.build()
    return builder
