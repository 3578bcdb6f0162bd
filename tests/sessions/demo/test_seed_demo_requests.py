"""The demo shows what schools said through the request form: structured answers, a school's own INSET day,
and a school that asked again."""

from io import StringIO

import pytest
from django.core.management import call_command

from schools.models import SchoolClosure
from sessions.models import Visit, VisitNote

pytestmark = pytest.mark.django_db


def test_the_demo_has_structured_requests_an_own_inset_day_and_a_request_added_as_a_note():
    out = StringIO()
    call_command("seed_demo", "--schools", "40", "--volunteers", "20", "--visits", "40", stdout=out)

    asked = Visit.objects.exclude(requester_name="")
    assert asked.exists() and not asked.filter(requester_role="").exists()
    assert asked.exclude(safeguarding_lead_name="").exists()
    assert any(visit.preferences for visit in asked)

    closure = SchoolClosure.objects.get(kind=SchoolClosure.Kind.INSET)
    visit = Visit.objects.get(school=closure.school, date=closure.starts_on)
    assert closure.school.local_authority.police_force.code == "E23000029"
    assert f"is an INSET day at {closure.school.name}" in " ".join(p.message for p in visit.problems())

    note = VisitNote.objects.get()
    assert note.visit.status in ("requested", "proposed", "confirmed") and note.author_role == "Headteacher"
    assert note.visit.school.local_authority.police_force.code in ("E23000029", "E23000032")
    assert "First choice:" in note.text
    assert "1 requests added to a visit as a note" in " ".join(out.getvalue().split())
