"""Who may open what: every URL of the app × every role, generated from the URL configuration.

The table below is the whole access policy in one place. A URL added without a row here fails
`test_every_url_has_an_entry_in_the_access_matrix`, so nobody can add a page without deciding who may see it.
"""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from sessions.models import (
    Assignment,
    PackBatch,
    TeacherFeedback,
    TermDraft,
    Unavailability,
    Visit,
    VisitReport,
    VisitSession,
    Volunteer,
)
from tests.security.world import ROLES


def url_patterns() -> list[tuple[str, list[str]]]:
    """(name, keyword names) for every named URL pattern of ours; the admin's own URLs are Django's to guard."""
    found = []

    def walk(resolver, namespace):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                if pattern.app_name == "admin":
                    continue
                inner = pattern.namespace
                walk(pattern, f"{namespace}:{inner}" if namespace and inner else (inner or namespace))
            elif isinstance(pattern, URLPattern):
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                found.append((name, list(pattern.pattern.converters)))

    walk(get_resolver(), None)
    return found


# What a request gets: the page (OK), the login page (LOGIN), nothing at all (NOT_FOUND: the object is not
# theirs, so it does not exist for them), a page saying why not (FORBIDDEN: theirs, but not yet allowed),
# or a redirect to the page for their role (a path prefix).
OK, LOGIN, NOT_FOUND, FORBIDDEN = "ok", "login", "404", "403"
ME, PLAN, ADMIN = "/me/", "/plan/", "/admin/"
NEW_VISIT = "/visits/new/"

# Rows: URL name → (anonymous, volunteer, other volunteer, coordinator of another area, coordinator of the
# area, data-entry staff, superuser) for a GET; None where the URL takes no GET (see POSTS below).
# "volunteer" is invited to the visit; "other volunteer" is in the same area but not on it.
EVERYONE = (OK,) * 7
SIGNED_IN = (LOGIN,) + (OK,) * 6
PLANNERS = (LOGIN, NOT_FOUND, NOT_FOUND, OK, OK, OK, OK)
AREA_PLANNERS = (LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK, OK, OK)
OWN_VOLUNTEER_RECORD = (LOGIN, OK, OK, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)
COORDINATORS = (LOGIN, NOT_FOUND, NOT_FOUND, OK, OK, NOT_FOUND, NOT_FOUND)
THE_COORDINATOR = (LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK, NOT_FOUND, NOT_FOUND)
GETS = {
    "home": (LOGIN, ME, ME, PLAN, PLAN, ADMIN, ADMIN),
    "healthz": EVERYONE,
    "favicon": EVERYONE,
    "about_data": EVERYONE,
    "login": EVERYONE,
    "logout": None,
    "password_change": SIGNED_IN,
    "password_change_done": SIGNED_IN,
    "password_reset": EVERYONE,
    "password_reset_done": EVERYONE,
    "password_reset_confirm": EVERYONE,  # an invalid link says so, to anyone
    "password_reset_complete": EVERYONE,
    # The language switch: a GET changes nothing and goes home; a POST sets the language, for anyone.
    "set_language": ("/",) * 7,
    "planning:dashboard": PLANNERS,
    "planning:calendar": PLANNERS,
    "planning:due": PLANNERS,
    "planning:schools": PLANNERS,
    "planning:school": AREA_PLANNERS,
    "planning:volunteers": PLANNERS,
    # A volunteer covering the coordinator's area; another area's coordinator finds nothing.
    "planning:volunteer": AREA_PLANNERS,
    "planning:visit_create": PLANNERS,
    "planning:visit_validate_new": None,
    "planning:visit_school_options": (LOGIN, NOT_FOUND, NOT_FOUND, NEW_VISIT, NEW_VISIT, NEW_VISIT, NEW_VISIT),
    "planning:visit": AREA_PLANNERS,
    "planning:visit_edit": AREA_PLANNERS,
    "planning:visit_validate": None,
    "planning:visit_problems": AREA_PLANNERS,
    "planning:visit_staffing": AREA_PLANNERS,
    "planning:visit_workflow": AREA_PLANNERS,
    "planning:assign": None,
    "planning:unassign": None,
    "planning:change_status": None,
    "planning:make_lead": None,
    "planning:allow_to_lead": None,
    "planning:find_cover": AREA_PLANNERS,
    # Correcting a visit report: the area's planners (this visit has no report yet, and the page says so).
    "planning:report_correct": AREA_PLANNERS,
    # The term planner is for coordinators (their own areas); a draft is its requester's alone.
    "planning:term_plan": COORDINATORS,
    "planning:term_draft": THE_COORDINATOR,
    "planning:term_draft_create": None,
    "planning:request": EVERYONE,
    "planning:request_thanks": EVERYONE,
    "packs:pack": (LOGIN, OK, NOT_FOUND, NOT_FOUND, OK, OK, OK),
    "packs:handouts": (LOGIN, OK, NOT_FOUND, NOT_FOUND, OK, OK, OK),  # the pack's rule, exactly
    "packs:batch_new": PLANNERS,
    # A batch is its requester's (and staff's): another coordinator, even of the same area, finds nothing.
    "packs:batch": AREA_PLANNERS,
    "packs:batch_download": AREA_PLANNERS,
    "portal:home": OWN_VOLUNTEER_RECORD,
    "portal:accept": None,
    "portal:decline": None,
    "portal:unavailable": OWN_VOLUNTEER_RECORD,
    "portal:unavailable_delete": None,
    # The invited volunteer sees why the report cannot be filed yet (the visit has not happened).
    "portal:report": (LOGIN, FORBIDDEN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    "portal:details": OWN_VOLUNTEER_RECORD,
    "portal:details_json": OWN_VOLUNTEER_RECORD,
    "portal:details_csv": OWN_VOLUNTEER_RECORD,
    "portal:calendar": (LOGIN, OK, OK, OK, OK, NOT_FOUND, NOT_FOUND),
    "portal:calendar_regenerate": None,
    # The feed's secret token is its credential (calendar apps cannot log in); a wrong token is 404, below.
    "portal:feed": EVERYONE,
    # So is a cover link's: the volunteer it was emailed to may open it on any device; a wrong token is 404.
    "portal:cover": EVERYONE,
    # A school's feedback link: its token is the only key (the teacher has no account); a wrong one is 404.
    # A GET shows the rating to send and never records it (mail scanners open links).
    "feedback:rate": EVERYONE,
    "feedback:respond": EVERYONE,
    # So is the school's own page for its visit: the token emailed to the school is its only key, and no
    # sign-in is asked for or used (a wrong or retired token is 404, tests/security/test_school_page.py).
    "schools_side:page": EVERYONE,
    "schools_side:details": None,
    "schools_side:agree": None,
    "schools_side:other_dates": None,
    "schools_side:cancel": None,
    "stats:index": PLANNERS,
    "stats:areas_csv": PLANNERS,
    "stats:area": PLANNERS,
    "reach:report": PLANNERS,
    "reach:csv": PLANNERS,
    "reach:breakdowns_csv": PLANNERS,
}

# POSTs: URL name → outcome per role (DONE: accepted, whatever the form then says). A refused POST changes nothing.
DONE = "done"
ANYONE_POSTS = (DONE,) * 7
PLANNERS_POST = (LOGIN, NOT_FOUND, NOT_FOUND, DONE, DONE, DONE, DONE)
AREA_PLANNERS_POST = (LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, DONE, DONE, DONE)
THE_VOLUNTEER_POSTS = (LOGIN, DONE, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)
POSTS = {
    "login": ANYONE_POSTS,
    "logout": (LOGIN,) * 7,  # signed out, everyone lands on the login page
    "password_change": (LOGIN,) + (DONE,) * 6,
    "password_reset": ANYONE_POSTS,
    "password_reset_confirm": ANYONE_POSTS,
    "set_language": ANYONE_POSTS,
    "planning:visit_create": PLANNERS_POST,
    "planning:visit_validate_new": PLANNERS_POST,
    "planning:visit_edit": AREA_PLANNERS_POST,
    "planning:visit_validate": AREA_PLANNERS_POST,
    "planning:assign": AREA_PLANNERS_POST,
    "planning:unassign": AREA_PLANNERS_POST,
    "planning:change_status": AREA_PLANNERS_POST,
    "planning:make_lead": AREA_PLANNERS_POST,
    "planning:allow_to_lead": AREA_PLANNERS_POST,
    "planning:find_cover": AREA_PLANNERS_POST,
    "planning:term_plan": (LOGIN, NOT_FOUND, NOT_FOUND, DONE, DONE, NOT_FOUND, NOT_FOUND),
    "planning:term_draft_create": (LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, DONE, NOT_FOUND, NOT_FOUND),
    "planning:request": ANYONE_POSTS,
    "packs:batch_new": PLANNERS_POST,
    "portal:accept": THE_VOLUNTEER_POSTS,
    "portal:decline": THE_VOLUNTEER_POSTS,
    "portal:unavailable": (LOGIN, DONE, DONE, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    "portal:unavailable_delete": THE_VOLUNTEER_POSTS,
    "portal:report": (LOGIN, FORBIDDEN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    "portal:details": (LOGIN, DONE, DONE, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    "portal:calendar_regenerate": (LOGIN, DONE, DONE, DONE, DONE, NOT_FOUND, NOT_FOUND),
    "portal:cover": ANYONE_POSTS,
    "planning:report_correct": AREA_PLANNERS_POST,
    "feedback:rate": ANYONE_POSTS,
    "feedback:respond": ANYONE_POSTS,
    "schools_side:details": ANYONE_POSTS,
    "schools_side:agree": ANYONE_POSTS,
    "schools_side:other_dates": ANYONE_POSTS,
    "schools_side:cancel": ANYONE_POSTS,
}

# Which feed to give a new address: each role asks for its own.
POST_DATA = {"portal:calendar_regenerate": {"role": "volunteer"}}
POST_DATA_BY_ROLE = {("portal:calendar_regenerate", "other_coordinator"): {"role": "coordinator"},
                     ("portal:calendar_regenerate", "coordinator"): {"role": "coordinator"}}

PATTERNS = dict(url_patterns())
# The feed's token and the password-reset link's token share a keyword; the reset link gets its own.
RESET_LINK = {"uidb64": "MQ", "token": "set-password"}


def url_for(name: str, world) -> str:
    values = RESET_LINK if name == "password_reset_confirm" else world.kwargs()
    return reverse(name, kwargs={key: values[key] for key in PATTERNS[name]})


def outcome(response) -> str:
    if response.status_code == 302:
        return LOGIN if response.url.startswith("/accounts/login/") else response.url.split("?")[0]
    return {200: OK, 404: NOT_FOUND, 403: FORBIDDEN}.get(response.status_code, str(response.status_code))


def post_outcome(response) -> str:
    found = outcome(response)
    return found if found in (LOGIN, NOT_FOUND, FORBIDDEN) or found.isdigit() and found != "200" else DONE


def state(world) -> tuple:
    """What a refused POST must leave exactly as it was."""

    return (
        list(Visit.objects.order_by("pk").values_list("pk", "status", "date", "starts_at", "ends_at", "school_token",
                                                      "school_agreed_at", "safeguarding_lead_name")),
        list(Assignment.objects.order_by("pk").values_list("pk", "status", "volunteer_id")),
        list(Unavailability.objects.order_by("pk").values_list("pk", "starts_on", "ends_on")),
        list(Volunteer.objects.order_by("pk").values_list("pk", "calendar_token", "email_reminders", "may_lead")),
        PackBatch.objects.count(),
        TermDraft.objects.count(),
        VisitReport.objects.count(),
        list(VisitReport.objects.order_by("pk").values_list("pk", "children_reached", "follow_up")),
        list(VisitSession.objects.order_by("pk").values_list("pk", "attendance")),
        list(TeacherFeedback.objects.order_by("pk").values_list("pk", "rating", "responded_at", "comment")),
    )


def test_every_url_has_an_entry_in_the_access_matrix():
    missing = sorted(set(PATTERNS) - set(GETS))
    stale = sorted(set(GETS) - set(PATTERNS))
    assert not missing, f"Decide who may open these URLs and add them to GETS (and POSTS): {missing}"
    assert not stale, f"These URLs no longer exist; remove their rows: {stale}"
    assert set(POSTS) <= set(PATTERNS)


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(GETS))
def test_each_role_gets_what_the_matrix_says_when_opening(name, client, world):
    url = url_for(name, world)
    expected = GETS[name]
    found = []
    for role in ROLES:
        client.logout()
        if world.users[role]:
            client.force_login(world.users[role])
        found.append(outcome(client.get(url)))
    if expected is None:
        assert found == ["405"] * 7, f"{name} takes no GET"
    else:
        assert dict(zip(ROLES, found)) == dict(zip(ROLES, expected)), url


POST_CASES = [(name, role) for name in sorted(POSTS) for role in ROLES]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "role"), POST_CASES)
def test_each_role_gets_what_the_matrix_says_when_posting_to(name, role, client, world):
    url = url_for(name, world)
    if world.users[role]:
        client.force_login(world.users[role])
    before = state(world)

    found = post_outcome(client.post(url, POST_DATA_BY_ROLE.get((name, role), POST_DATA.get(name, {}))))

    assert found == POSTS[name][ROLES.index(role)], url
    if found in (LOGIN, NOT_FOUND):
        assert state(world) == before, f"a refused POST to {url} changed something"


@pytest.mark.django_db
def test_every_url_that_takes_a_post_has_a_row_for_it(client, world):
    takes_post = set()
    for name in PATTERNS:
        client.force_login(world.users["superuser"])  # again: one of them signs out
        if client.post(url_for(name, world), {}).status_code != 405:
            takes_post.add(name)
    assert takes_post <= set(POSTS), f"Decide who may POST to these URLs: {sorted(takes_post - set(POSTS))}"


@pytest.mark.django_db
def test_a_calendar_feed_with_a_wrong_or_old_token_is_not_found(client, world):
    old = world.volunteer.calendar_token
    client.force_login(world.volunteer.user)
    client.post(reverse("portal:calendar_regenerate"), {"role": "volunteer"})
    client.logout()

    assert client.get(reverse("portal:feed", kwargs={"token": old})).status_code == 404
    assert client.get(reverse("portal:feed", kwargs={"token": "x" * 43})).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("token", ["x" * 43, "short", "not a token at all"])
def test_a_cover_link_with_a_wrong_token_is_not_found_and_books_nobody(client, world, token):

    before = Assignment.objects.count()
    assert client.get(f"/cover/{token}/").status_code == 404
    assert client.post(f"/cover/{token}/").status_code == 404
    assert Assignment.objects.count() == before


@pytest.mark.django_db
@pytest.mark.parametrize("token", ["x" * 43, "short", "not a token at all"])
def test_a_feedback_link_with_a_wrong_token_is_not_found_and_records_nothing(client, world, token):
    assert client.get(f"/feedback/{token}/").status_code == 404
    assert client.get(f"/feedback/{token}/rate/4/").status_code == 404
    assert client.post(f"/feedback/{token}/rate/4/").status_code == 404
    assert client.post(f"/feedback/{token}/", {"rating": "4"}).status_code == 404
    assert not TeacherFeedback.objects.filter(rating__isnull=False).exists()


@pytest.mark.django_db
def test_a_rating_outside_one_to_four_is_not_found(client, world):
    for rating in (0, 5, 99):
        assert client.post(f"/feedback/{world.feedback.token}/rate/{rating}/").status_code == 404
    assert TeacherFeedback.objects.get().rating is None
