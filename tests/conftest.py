"""Fixtures shared by the whole suite.

The test database holds the shipped reference data (areas, local authorities, figures, session
types), loaded once per run, as the app has in production.
"""

import email
import email.policy
import socket
from dataclasses import dataclass, field

import pytest
from aiosmtpd.controller import Controller
from asgiref.local import Local
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.management import call_command
from django.tasks import task_backends
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from sessions.factories import CoordinatorFactory, UserFactory, VolunteerFactory
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


def _is_transactional(request) -> bool:
    marker = request.node.get_closest_marker("django_db")
    uses_marker = marker is not None and (marker.kwargs.get("transaction") or (marker.args and marker.args[0]))
    return bool(uses_marker) or {"transactional_db", "live_server"} & set(request.fixturenames)


@pytest.fixture(autouse=True)
def reference_data_survives_transactional_tests(request, django_db_blocker):
    """A transactional test (live server, concurrency) empties every table when it ends; put the
    reference data back for the tests after it. (Set up before the database fixture, so this
    runs after its flush.)"""
    transactional = _is_transactional(request)
    if transactional:
        with django_db_blocker.unblock():
            call_command("load_reference_data", verbosity=0)
    yield
    if transactional:
        with django_db_blocker.unblock():
            call_command("load_reference_data", verbosity=0)


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


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Factories set real passwords; a fast hasher keeps the suite quick (production keeps PBKDF2)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def development_static_files_and_cache(settings):
    """Tests render templates without running collectstatic, and each test starts with an empty cache
    (production: hashed static files through WhiteNoise, and the database cache)."""
    settings.STORAGES = {**settings.STORAGES,
                         "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.WHITENOISE_AUTOREFRESH = True  # looks files up per request: no collected directory needed
    cache.clear()


@pytest.fixture(autouse=True)
def plain_http(settings):
    """The test client and the live server speak plain HTTP; production redirects to HTTPS."""
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False


@pytest.fixture
def media(settings, tmp_path):
    """Generated files (session packs) go to a folder of the test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                    "OPTIONS": {"location": str(tmp_path / "media")}},
    }
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
