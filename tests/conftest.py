"""Fixtures shared by the whole suite.

The test database holds the shipped reference data (areas, local authorities, figures, session
types), loaded once per run, as the app has in production.
"""

import email
import email.policy
import io
import re
import socket
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import time

import pypdfium2
import pytest
from aiosmtpd.controller import Controller
from asgiref.local import Local
from django.conf import settings as django_settings
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.tasks import task_backends
from django.test import override_settings
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from pytest_django.plugin import blocking_manager_key

from schools.factories import SchoolContactFactory, SchoolFactory
from sessions.factories import (
    A_SCHOOL_DAY,
    AssignmentFactory,
    CoordinatorFactory,
    UserFactory,
    VisitFactory,
    VisitSessionFactory,
    VolunteerFactory,
)
from sessions.models import SessionType, Visit
from stats.models import Area

# Property-based tests: enough examples to find what breaks, few enough for a 2-core CI machine; no
# deadline (a shared machine's timing is not the property); function-scoped fixtures hold the world the
# examples post into, and each example checks what it changed itself.
hypothesis_settings.register_profile(
    "speakout", max_examples=30, deadline=None, derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
hypothesis_settings.load_profile("speakout")

THAMES_VALLEY = "E23000029"
KENT = "E23000032"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("load_reference_data", verbosity=0)


def _is_transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    uses_marker = marker is not None and (marker.kwargs.get("transaction") or (marker.args and marker.args[0]))
    return bool(uses_marker) or {"transactional_db", "live_server"} & set(item.fixturenames)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A transactional test (live server, concurrency) empties every table as the last step of its teardown;
    put the reference data back for the tests after it. (Here, after the whole teardown: a fixture's own
    teardown would run before that flush. After the last test the test database is gone, and the connection
    names the real one again: nothing is loaded then.)"""
    try:
        return (yield)
    finally:
        if _is_transactional(item) and nextitem is not None:
            with item.config.stash[blocking_manager_key].unblock():  # its line of counts is not the test's output
                call_command("load_reference_data", verbosity=0, stdout=io.StringIO())
                # Closed here, by what opened it: left open, it outlived the session (the next browser test
                # worked on another connection) and PostgreSQL would not drop a test database in use.
                connections.close_all()


@pytest.fixture(autouse=True, scope="session")
def immediate_tasks():
    """Tasks run at once in tests, so their effects (emails, packs) can be asserted."""
    use_task_backend("django.tasks.backends.immediate.ImmediateBackend")
    yield


def use_task_backend(path: str) -> None:
    task_backends._settings = {"default": {"BACKEND": path}}
    task_backends.__dict__.pop("settings", None)
    task_backends._connections = Local(task_backends.thread_critical)


@pytest.fixture
def queued_tasks():
    """Tasks wait in a queue instead of running, as with the task worker in production; the fixture is
    that queue (a list of task results: `.task`, `.args`, `.kwargs`)."""
    use_task_backend("django.tasks.backends.dummy.DummyBackend")
    yield task_backends["default"].results
    use_task_backend("django.tasks.backends.immediate.ImmediateBackend")


# The settings every test runs under (set by the autouse fixtures below, and by `shared_by_the_module`).
PACKS_BUILT_ON_REQUEST = {"PACKS_BUILT_AHEAD": False}
FAST_PASSWORD_HASHING = {"PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"]}
EMPTY_MEMORY_CACHE = {"CACHES": {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}}


def media_settings(folder, storages) -> dict:
    """Generated files (session packs, batches) stored in `folder`."""
    return {"MEDIA_ROOT": folder, "STORAGES": {
        **storages, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                                "OPTIONS": {"location": str(folder)}}}}


@pytest.fixture(autouse=True)
def packs_built_on_request(settings):
    """Saving a visit in a test renders no PDF; tests/sessions/packs/test_built_ahead.py turns it on."""
    settings.PACKS_BUILT_AHEAD = PACKS_BUILT_ON_REQUEST["PACKS_BUILT_AHEAD"]


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Factories set real passwords; a fast hasher keeps the suite quick (production keeps PBKDF2)."""
    settings.PASSWORD_HASHERS = FAST_PASSWORD_HASHING["PASSWORD_HASHERS"]


@pytest.fixture(autouse=True)
def development_static_files_and_cache(settings):
    """Tests render templates without running collectstatic, and each test starts with an empty cache
    (production: hashed static files through WhiteNoise, and the database cache)."""
    settings.STORAGES = {**settings.STORAGES,
                         "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    settings.CACHES = EMPTY_MEMORY_CACHE["CACHES"]
    settings.WHITENOISE_AUTOREFRESH = True  # looks files up per request: no collected directory needed
    cache.clear()


@contextmanager
def shared_by_the_module(django_db_blocker, media_folder):
    """For data a module's many tests all read (as Django's `setUpTestData`): what the block makes is made once,
    inside a transaction that stays open while the module's tests run, each test's own changes being rolled
    back at its end as always, and the whole is rolled back when the module ends. Made under the suite's test
    settings, with generated files in `media_folder`, which stays the media folder of the module's tests.
    The fixture that uses it gives each test a deep copy of what it made, so changes to objects in memory stay
    in the test that makes them."""
    with override_settings(**PACKS_BUILT_ON_REQUEST, **FAST_PASSWORD_HASHING, **EMPTY_MEMORY_CACHE,
                           **media_settings(media_folder, django_settings.STORAGES)), django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture(autouse=True)
def plain_http(settings):
    """The test client and the live server speak plain HTTP; production redirects to HTTPS."""
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False


@pytest.fixture
def importer_client(client):
    """Signed in as staff allowed to import figures (the admin's upload, by hand and fuzzed)."""
    user = UserFactory(is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(
        content_type__app_label="stats", codename__in=["add_figure", "change_figure", "add_source", "change_source",
                                                      "view_figure"]))
    client.force_login(user)
    return client


@pytest.fixture
def media(settings, tmp_path):
    """Generated files (session packs) go to a folder of the test's own."""
    for name, value in media_settings(tmp_path / "media", settings.STORAGES).items():
        setattr(settings, name, value)
    return tmp_path / "media"


@pytest.fixture
def thames_valley(db) -> Area:
    return Area.objects.get(code=THAMES_VALLEY)


@pytest.fixture
def kent(db) -> Area:
    return Area.objects.get(code=KENT)


@pytest.fixture
def coordinator(thames_valley):
    return CoordinatorFactory(user__first_name="Asha", user__last_name="Khan", areas=[thames_valley])


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator.user)
    client.coordinator = coordinator
    client.area = coordinator.areas.get()
    return client


@pytest.fixture
def volunteer(thames_valley):
    return VolunteerFactory(user__first_name="Priya", user__last_name="Patel", areas=[thames_valley])


@pytest.fixture
def volunteer_client(client, volunteer):
    client.force_login(volunteer.user)
    client.volunteer = volunteer
    return client


@pytest.fixture
def staff_user(db):
    user = UserFactory(is_staff=True)
    group, _ = Group.objects.get_or_create(name="Data entry")
    user.groups.add(group)
    return user


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


# --- A real mail server on this machine, for the SMTP path the console and memory backends hide.


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def smtp_mailer(port: int) -> dict:
    """MAILERS pointing Django's SMTP backend at 127.0.0.1:port (plain SMTP, as to a local relay)."""
    return {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                        "OPTIONS": {"host": "127.0.0.1", "port": port, "use_tls": False, "timeout": 5}}}


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: email.message.EmailMessage

    def text(self) -> str:
        return self.message.get_body(preferencelist=("plain",)).get_content()


@dataclass
class SmtpSink:
    """What a local SMTP server (aiosmtpd) received: how many connections, and each message."""

    port: int = 0
    connections: int = 0
    messages: list[Received] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


class CountingController(Controller):
    def factory(self):
        self.handler.connections += 1  # called once for each connection made to the server
        return super().factory()


@pytest.fixture
def smtp_sink() -> SmtpSink:
    """A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps what it receives."""
    sink = SmtpSink(port=free_port())
    controller = CountingController(sink, hostname="127.0.0.1", port=sink.port)
    controller.start()
    sink.connections = 0  # the controller's own connection, made to check the server started
    yield sink
    controller.stop()


@pytest.fixture
def smtp_server(settings, smtp_sink) -> SmtpSink:
    """The SMTP sink, with Django's SMTP backend sending to it."""
    settings.MAILERS = smtp_mailer(smtp_sink.port)
    return smtp_sink


@pytest.fixture
def mail_server_down(settings) -> None:
    """Django's SMTP backend pointed at a port where nothing listens: the mail server is down."""
    settings.MAILERS = smtp_mailer(free_port())


# --- Builders and readers shared by every test folder, offered as fixtures (each returns the helper)

_HTMX = {"HX-Request": "true"}
_NAMES = [("Priya", "Patel"), ("Tom", "Jones"), ("Sam", "Okafor"), ("Lee", "Wong"), ("Ana", "Silva")]


def _planned_visit(area, *, date=A_SCHOOL_DAY, volunteers: int = 0, **kwargs):
    """A visit in the area with one KS2 assembly and `volunteers` accepted volunteers, the first the lead."""
    school = kwargs.pop("school", None) or SchoolFactory(in_area=area)
    visit = VisitFactory(school=school, date=date, **kwargs)
    VisitSessionFactory(visit=visit, session_type=SessionType.objects.get(slug="assembly-ks2"))
    for n in range(volunteers):
        # Plain names (a random one may hold an apostrophe, which the page shows escaped).
        first, last = _NAMES[n % len(_NAMES)]
        volunteer = VolunteerFactory(areas=[area], user__first_name=first, user__last_name=last)
        AssignmentFactory(visit=visit, volunteer=volunteer, role="lead" if n == 0 else "support")
    return visit


def _session_line_data(prefix: str = "sessions", *, session_type=None, starts_at="09:15", years=(3, 4), pupils=60,
                      total=1, initial=0) -> dict:
    session_type = session_type or SessionType.objects.get(slug="assembly-ks2")
    data = {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "1",
        f"{prefix}-MAX_NUM_FORMS": "1000",
        f"{prefix}-0-session_type": str(session_type.pk),
        f"{prefix}-0-starts_at": starts_at,
        f"{prefix}-0-year_groups": [str(y) for y in years],
        f"{prefix}-0-pupils": str(pupils),
    }
    return data


def _visit_data(school, *, date="2027-03-02", starts_at="09:00", ends_at="10:30", **lines) -> dict:
    return {"school": str(school.urn), "date": date, "starts_at": starts_at, "ends_at": ends_at, "notes": "",
            **_session_line_data(**lines)}




def _allow_double_booking() -> None:
    """Let this test's transaction hold a double booking, to see how it is reported.

    On PostgreSQL the exclusion constraint refuses one (which is the point); deferred, it is checked only
    at a commit or at the test's end, so delete the double booking before the test ends. SQLite has no
    such constraint.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS assignment_no_double_booking DEFERRED")


# A figure written with a thousands separator (2,440): what a statistic looks like in the pack.
_FIGURE_WITH_COMMA = re.compile(r"\d{1,3}(?:,\d{3})+")


def _pages_text(pdf: bytes) -> list[str]:
    """Each page's text as a reader's copy-and-paste would give it, with runs of spaces and line breaks
    collapsed (text extraction can space words unevenly). PDFium, Chromium's PDF engine, reads a pack in
    about 60 ms where pypdf took 1.5 s; it marks a word hyphenated at a line's end with U+0002."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        return [" ".join(page.get_textpage().get_text_bounded().replace("\x02", "- ").split()) for page in document]
    finally:
        document.close()


def _pupil_pages(pages: list[str]) -> list[str]:
    return [page for page in pages if "For pupils" in page]


def _materials_pages(pages: list[str]) -> list[str]:
    """Cards and feelings faces: printed from the pack to show children in the session."""
    return [page for page in pages if "Session materials, to show children" in page]


def _adult_pages(pages: list[str]) -> list[str]:
    return [page for page in pages if "For pupils" not in page and "Session materials, to show children" not in page]


def _make_visit(area, *, slugs=("assembly-ks1", "assembly-ks2"), school_name="Riverside Primary School", **school) -> Visit:
    school = SchoolFactory(name=school_name, in_area=area, street="1 Mill Lane", town="Abingdon", postcode="OX14 1AA",
                           **school)
    SchoolContactFactory(school=school, name="Helen Ward", role="dsl", phone="01235 111222")
    SchoolContactFactory(school=school, name="Tom Okafor", role="deputy_dsl", phone="01235 111333")
    coordinator = CoordinatorFactory(user__first_name="Asha", user__last_name="Khan", areas=[area] if area else [])
    visit = VisitFactory(
        school=school,
        date=A_SCHOOL_DAY,
        starts_at=time(9, 0),
        ends_at=time(11, 30),
        coordinator=coordinator.user,
        status=Visit.Status.CONFIRMED,
        pupils_by_year={"1": 28, "2": 30, "5": 31},
    )
    starts = [time(9, 15), time(10, 0), time(10, 45), time(11, 0)]
    for slug, starts_at in zip(slugs, starts):
        st = SessionType.objects.get(slug=slug)
        # Years 1 and 2 or 5 and 6, those of them the session is written for (a Year 2 workshop: Year 2).
        years = [n for n in ([1, 2] if st.key_stage == "ks1" else [5, 6]) if st.suits_year_group(n)]
        line = VisitSessionFactory(visit=visit, session_type=st, starts_at=starts_at, year_groups=years, pupils=60)
        if line.ends_at > visit.ends_at:  # the visit runs until its last session ends
            visit.ends_at = line.ends_at
            visit.save(update_fields=["ends_at"])
    AssignmentFactory(visit=visit, volunteer__user__first_name="Priya", volunteer__user__last_name="Patel",
                      role="lead")
    # A confirmed visit has its lead and as many accepted volunteers as its sessions need (two).
    AssignmentFactory(visit=visit, volunteer__user__first_name="Sam", volunteer__user__last_name="Okafor",
                      role="support")
    return visit


@pytest.fixture(name="planned_visit")
def planned_visit_fixture():
    return _planned_visit


@pytest.fixture(name="session_line_data")
def session_line_data_fixture():
    return _session_line_data


@pytest.fixture(name="visit_data")
def visit_data_fixture():
    return _visit_data


@pytest.fixture(name="allow_double_booking")
def allow_double_booking_fixture():
    return _allow_double_booking


@pytest.fixture(name="pages_text")
def pages_text_fixture():
    return _pages_text


@pytest.fixture(name="pupil_pages")
def pupil_pages_fixture():
    return _pupil_pages


@pytest.fixture(name="materials_pages")
def materials_pages_fixture():
    return _materials_pages


@pytest.fixture(name="adult_pages")
def adult_pages_fixture():
    return _adult_pages


@pytest.fixture(name="make_visit")
def make_visit_fixture():
    return _make_visit


@pytest.fixture(name="HTMX")
def htmx_fixture():
    return _HTMX


@pytest.fixture(name="FIGURE_WITH_COMMA")
def figure_with_comma_fixture():
    return _FIGURE_WITH_COMMA


@pytest.fixture
def emails(django_capture_on_commit_callbacks):
    """Run what the block does, commit, and return the emails its tasks sent."""

    class Capture:
        def __enter__(self):
            self.ctx = django_capture_on_commit_callbacks(execute=True)
            self.ctx.__enter__()
            self.start = len(mail.outbox)
            self.sent = []
            return self.sent

        def __exit__(self, *exc):
            self.ctx.__exit__(*exc)
            self.sent.extend(mail.outbox[self.start:])

    return Capture()


@pytest.fixture
def reading_coordinators_authorities():
    """The queries a coordinator's list of visits costs before its own: on PostgreSQL their areas' local
    authorities are read as a list first (sessions/access.py: planning_visits), on SQLite none."""
    from django.db import connection  # noqa: PLC0415

    return 1 if connection.vendor == "postgresql" else 0
