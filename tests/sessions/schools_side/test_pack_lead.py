"""The session pack names the safeguarding lead the school gave for the visit on its own page, before the
school's recorded lead; without one, the recorded lead as before."""

import pytest

from sessions.packs.pdf import render_pack

pytestmark = pytest.mark.django_db


def test_the_pack_tells_volunteers_the_lead_the_school_named_for_the_visit(thames_valley, make_visit, pages_text):
    visit = make_visit(thames_valley)
    visit.safeguarding_lead_name, visit.safeguarding_lead_phone = "Grace Obi", "01235 999000"
    visit.safeguarding_lead_email = "g.obi@riverside.sch.uk"
    visit.save()

    text = " ".join(pages_text(render_pack(visit)))

    assert "Tell Grace Obi (01235 999000)" in text
    assert "Tell Helen Ward" not in text
    assert visit.arrival_time().strftime("%H:%M") == "09:00"  # a quarter of an hour before 09:15
