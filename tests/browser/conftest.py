"""Fixtures of the browser tests. The reference data (areas, session types, pack content, groups) is in the
database before each test: tests/conftest.py loads it after the database is made and after every test that
empties it, so a test's world needs only its own rows."""

from pathlib import Path

import pytest
from django.core.servers.basehttp import WSGIServer
from django.db import connection
from django.test import Client

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


class OneRequestAtATime(WSGIServer):
    """With SQLite the test database lives in memory, on one connection the server shares. htmx
    refreshes several regions at once; served in parallel, those requests would use that one connection
    at the same moment. Served one after another, as here, they cannot."""

    def __init__(self, *args, connections_override=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)


@pytest.fixture
def live_server(transactional_db, plain_http, development_static_files_and_cache):
    """A live server of this test's own. pytest-django's is started once per run, before the
    per-test settings (tests/conftest.py plain_http) apply, so it would redirect to HTTPS; this one
    starts after them and speaks plain HTTP like the test client. Its WhiteNoise is made after the
    static files' settings too, so it looks files up per request and does not warn of a missing
    `collectstatic` folder."""
    from pytest_django.live_server_helper import LiveServer  # noqa: PLC0415 — only browser tests start one

    server = LiveServer("localhost", start=False)
    server.thread.server_class = OneRequestAtATime
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def chromium_for_the_process():
    """Headless Debian Chromium (Playwright cannot download its own here), started once for the test process
    at its first browser test: starting Playwright and Chromium costs about two seconds, and each test file
    started its own. Each test opens contexts of its own (windows with their own cookies, storage and cache),
    closed when it ends.

    From then on Playwright's event loop runs in this thread, and Django refuses ORM calls from a thread with
    a running event loop (they could block it), in browser tests and in any test after them in the process.
    The app has no asynchronous code: DJANGO_ALLOW_ASYNC_UNSAFE turns that guard off until the process ends."""
    from playwright.sync_api import sync_playwright  # noqa: PLC0415 — only browser tests need Playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as p:
            # Back and Forward must load pages as a browser without the back-forward cache does (that
            # cache hides what the HTTP cache would serve).
            browser = p.chromium.launch(
                executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, "--disable-features=BackForwardCache"]
            )
            yield browser
            browser.close()


@pytest.fixture
def chromium(live_server, chromium_for_the_process):
    """The process's Chromium, for a test with a live server of its own; the windows the test opened are
    closed when it ends, so the next test starts with none."""
    yield chromium_for_the_process
    for context in chromium_for_the_process.contexts:
        context.close()


def screenshot(page, path: Path) -> None:
    """The whole page as a PNG at `path` (in test-artifacts/), to look at. Taken by the SQLite suite: the
    PostgreSQL suite shows the same pages, and in CI it runs at the same time and would write the same files
    (half a second each, about 140 of them)."""
    if connection.vendor == "sqlite":
        page.screenshot(path=path, full_page=True)


def open_as(browser, live_server, user, viewport=DESKTOP):
    """A new browser context (a window of its own) logged in as `user`, or anonymous with None."""
    options = {"viewport": viewport, "locale": "en-GB", "timezone_id": "Europe/London"}
    if viewport == PHONE:
        options |= {"is_mobile": True, "has_touch": True}
    context = browser.new_context(**options)
    context.set_default_timeout(10_000)
    if user is not None:
        client = Client()
        client.force_login(user)
        context.add_cookies(
            [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
        )
    return context
