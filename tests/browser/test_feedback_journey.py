"""Reach and feedback in a real browser: the lead files the report (a number far over the plan is
questioned first), the coordinator marks the visit delivered, the school's teacher rates it from the
emailed link (a real SMTP server receives the email) and answers the questions at phone width, and the
reach report counts the visit's children once and shows the feedback. Axe on every page; screenshots
go to test-artifacts/.
"""

import re
from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from schools.factories import SchoolFactory
from sessions.factories import (
    AssignmentFactory,
    CoordinatorFactory,
    VisitFactory,
    VisitSessionFactory,
    VolunteerFactory,
)
from sessions.models import SessionType, TeacherFeedback, Visit
from stats.models import Area
from tests.browser.conftest import ARTIFACTS, DESKTOP, PHONE, open_as, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BLOCKING = {"serious", "critical"}


def check(page, name: str) -> None:
    """Screenshot the page and fail on any serious or critical axe-core violation."""
    screenshot(page, ARTIFACTS / f"feedback-{name}.png")
    violations = [v for v in Axe().run(page).response["violations"] if v["impact"] in BLOCKING]
    assert not violations, [(v["id"], v["help"], [n["target"] for n in v["nodes"]]) for v in violations]


def test_the_school_rates_the_visit_from_the_email_and_the_reach_report_counts_each_child_once(
        live_server, chromium, smtp_server, settings):
    settings.SITE_URL = live_server.url
    area = Area.objects.get(code="E23000029")
    coordinator = CoordinatorFactory(user__first_name="Asha", user__last_name="Khan", areas=[area])
    lead = VolunteerFactory(user__first_name="Sam", user__last_name="Okafor", areas=[area])
    school = SchoolFactory(in_area=area, name="Oak Primary School", pupils=210)
    day = timezone.localdate() - timedelta(days=1)
    visit = VisitFactory(school=school, date=day, status=Visit.Status.CONFIRMED, coordinator=coordinator.user,
                         requester_name="Ruth Mensah", requester_email="r.mensah@oak.example.org",
                         pupils_by_year={"3": 30, "4": 30, "5": 30, "6": 30})
    VisitSessionFactory(visit=visit, session_type=SessionType.objects.get(slug="assembly-ks2"),
                        year_groups=[3, 4, 5, 6], pupils=120)
    VisitSessionFactory(visit=visit, session_type=SessionType.objects.get(slug="workshop-years-5-6"),
                        starts_at=visit.starts_at.replace(hour=10), year_groups=[5, 6], pupils=60)
    AssignmentFactory(visit=visit, volunteer=lead, role="lead")

    # The lead files the report on their phone: the figures start from the plan; 45 in Year 5 is questioned.
    volunteer = open_as(chromium, live_server, lead.user, PHONE).new_page()
    volunteer.goto(f"{live_server.url}/me/visits/{visit.pk}/report/")
    assembly = volunteer.get_by_role("group", name=re.compile("09:00 Assembly for Key Stage 2"))
    workshop = volunteer.get_by_role("group", name=re.compile("10:00 Workshop for Years 5 and 6"))
    expect(assembly.get_by_label("Year 5")).to_have_value("30")
    check(volunteer, "1-report-form-phone")
    assembly.get_by_label("Year 3").fill("28")
    assembly.get_by_label("Year 5").fill("45")
    workshop.get_by_label("Year 6").fill("29")
    volunteer.get_by_role("button", name="File the visit report").click()
    expect(volunteer.get_by_text("Year 5: 45 children reached, but 30 were planned.").first).to_be_visible()
    check(volunteer, "2-report-questioned-phone")
    volunteer.get_by_role("group", name=re.compile("09:00 Assembly")).get_by_label("Year 5").fill("29")
    volunteer.get_by_role("button", name="File the visit report").click()
    expect(volunteer.get_by_text("the report for Oak Primary School is filed")).to_be_visible()

    # The coordinator marks the visit delivered: the teacher who asked for it is emailed.
    planner = open_as(chromium, live_server, coordinator.user, DESKTOP).new_page()
    planner.goto(f"{live_server.url}/visits/{visit.pk}/")
    expect(planner.get_by_text("Children reached, each counted once")).to_be_visible()
    planner.get_by_role("button", name="Mark as delivered").click()
    expect(planner.locator(".badge.status-delivered")).to_be_visible()
    assert len(smtp_server.messages) >= 1
    [request] = [m for m in smtp_server.messages if "r.mensah@oak.example.org" in m.rcpt_tos]
    assert request.message["Subject"] == "How was our visit to Oak Primary School? One click to tell us"
    text = request.text()
    link = re.search(r"4 – Very good: (\S+)", text).group(1)
    assert link.startswith(live_server.url + "/feedback/")

    # The teacher opens the "Very good" link on their phone: nothing is recorded until they press the button.
    teacher = open_as(chromium, live_server, None, PHONE).new_page()
    teacher.goto(link)
    check(teacher, "3-rate-phone")
    assert TeacherFeedback.objects.get().rating is None
    teacher.get_by_role("button", name="Send my rating: very good").click()
    expect(teacher.get_by_text("your rating (very good) is saved")).to_be_visible()
    assert TeacherFeedback.objects.get().rating == 4

    # The questions, answered with the keyboard where a teacher would.
    teacher.get_by_role("group", name="The sessions were right for our pupils' ages").get_by_label("Agree",
                                                                                                  exact=True).check()
    teacher.get_by_role("group", name="Our pupils were engaged").get_by_label("Strongly agree").check()
    teacher.get_by_role("group", name="The volunteers were well prepared").get_by_label("Strongly agree").check()
    teacher.get_by_role("group", name="Would you like us to visit your school again?").get_by_label("Yes").check()
    expect(teacher.get_by_text("Please do not name a child.")).to_be_visible()
    teacher.get_by_label(re.compile("Anything else you would like to tell us")).fill(
        "The children talked about the assembly all afternoon.")
    check(teacher, "4-questions-phone")
    teacher.get_by_role("button", name="Send my answers").focus()
    teacher.keyboard.press("Enter")
    expect(teacher.get_by_text("your answers are saved")).to_be_visible()
    check(teacher, "5-answers-saved-phone")
    feedback = TeacherFeedback.objects.get()
    assert (feedback.right_for_ages, feedback.pupils_engaged, feedback.volunteers_prepared, feedback.come_back) == (
        3, 4, 4, "yes")

    # The coordinator sees the school's answers on the visit page.
    planner.goto(f"{live_server.url}/visits/{visit.pk}/")
    expect(planner.get_by_role("heading", name="Teacher feedback")).to_be_visible()
    expect(planner.get_by_text("The children talked about the assembly all afternoon.")).to_be_visible()
    check(planner, "6-visit-page")

    # The lead tells the coordinator two Year 3 pupils had gone home ill: she corrects the report, saying why.
    planner.get_by_role("link", name="Correct the report").click()
    fixes = planner.get_by_role("group", name=re.compile("09:00 Assembly for Key Stage 2"))
    expect(fixes.get_by_label("Year 3")).to_have_value("28")
    fixes.get_by_label("Year 3").fill("26")
    check(planner, "6b-correct-report")
    planner.get_by_role("button", name="Save the correction").click()
    expect(planner.get_by_role("main").get_by_text("Say why you are correcting the report.")).to_be_visible()
    planner.get_by_label("Why are you correcting the report?").fill("Two Year 3 pupils went home ill")
    planner.get_by_role("button", name="Save the correction").click()
    expect(planner.get_by_text("Oak Primary School now counts 116 children reached")).to_be_visible()

    # The reach report counts each child once, per year group the larger session: Year 3 26 (corrected),
    # Year 4 30, Year 5 30 (the workshop), Year 6 30 (the assembly) = 116, not the 174 of both sessions.
    year = day.year if day.month >= 9 else day.year - 1
    planner.goto(f"{live_server.url}/reach/?year={year}")
    totals = planner.locator(".reach-totals")
    expect(totals.get_by_text("Children reached, each counted once")).to_be_visible()
    headline = totals.locator("div", has_text="Children reached, each counted once").locator("dd").first
    expect(headline).to_have_text("116")
    feedback_table = planner.get_by_role("region", name="What schools told us")
    expect(feedback_table.get_by_role("row", name=re.compile("Overall rating 4.0 1"))).to_be_visible()
    expect(planner.get_by_text("1 of 1 school asked for feedback answered (100%); 1 would like us back.")
           ).to_be_visible()
    check(planner, "7-reach-report")

    # At phone width too.
    phone = open_as(chromium, live_server, coordinator.user, PHONE).new_page()
    phone.goto(f"{live_server.url}/reach/?year={year}")
    check(phone, "8-reach-report-phone")
