"""One visit from the school's request to the reach report, in Chromium, each person in their own window:
the school asks for a visit on the public form; the coordinator proposes the date; the school agrees on its
own page, opened from the emailed link (a real SMTP server receives every email); the coordinator confirms;
the day comes; the lead files the report; the coordinator marks it delivered; the school rates the visit
from the emailed link; the reach report counts the visit's children once (Years 5 and 6 were at both the
assembly and the workshop). Screenshots go to test-artifacts/journey-*.png."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from schools.factories import SchoolFactory
from sessions.factories import AssignmentFactory, CoordinatorFactory, VolunteerFactory
from sessions.models import SessionType, TeacherFeedback, Visit, VisitSession
from stats.models import Area
from tests.browser.conftest import ARTIFACTS, DESKTOP, PHONE, open_as, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCHOOL_EMAIL = "m.ahmed@hawthorn.example"


def a_weekday_ahead(days: int):
    day = timezone.localdate() + timedelta(days=days)
    while day.weekday() != 1:  # a Tuesday, as the school prefers
        day += timedelta(days=1)
    return day


def emails_to(smtp_server, address: str, subject_start: str) -> list:
    return [m for m in smtp_server.messages if address in m.rcpt_tos and m.message["Subject"].startswith(subject_start)]


def test_a_visit_from_the_schools_request_to_the_reach_report(live_server, chromium, smtp_server, settings):
    settings.SITE_URL = live_server.url
    area = Area.objects.get(code="E23000029")
    coordinator = CoordinatorFactory(user__first_name="Asha", user__last_name="Khan", areas=[area])
    month_ago = timezone.localdate() - timedelta(days=30)
    cleared = {"dbs_checked_on": month_ago, "training_on": month_ago}
    lead = VolunteerFactory(user__first_name="Sam", user__last_name="Okafor", areas=[area], may_lead=True, **cleared)
    supporter = VolunteerFactory(user__first_name="Ffion", user__last_name="Evans", areas=[area], **cleared)
    school = SchoolFactory(in_area=area, name="Hawthorn Primary", town="Didcot", pupils=210, low_age=4, high_age=11)
    first_choice = a_weekday_ahead(21)

    # 1. The school asks for a visit on a phone.
    asking = open_as(chromium, live_server, None, PHONE).new_page()
    asking.goto(f"{live_server.url}/request-a-visit/?school={school.urn}")
    asking.get_by_label("Your name").fill("Mo Ahmed")
    asking.get_by_role("radio", name="Class teacher").check()
    asking.get_by_label("Your email address").fill(SCHOOL_EMAIL)
    asking.get_by_label("Your phone number").fill("01632 960123")
    lead_group = asking.get_by_role("group", name="Your school's designated safeguarding lead")
    lead_group.get_by_label("Their name").fill("Rita Okafor")
    lead_group.get_by_label("Their phone number").fill("01632 960999")
    asking.get_by_label("Pupils in Year 5").fill("30")
    asking.get_by_label("Pupils in Year 6").fill("28")
    asking.get_by_label("Your first choice of date").fill(first_choice.isoformat())
    asking.get_by_role("button", name="Send the request").click()
    expect(asking.get_by_role("heading", name="Thank you: we have your request")).to_be_visible()
    screenshot(asking, ARTIFACTS / "journey-1-requested-phone.png")
    visit = Visit.objects.get(school=school)
    assert visit.status == Visit.Status.REQUESTED and visit.date == first_choice
    assert emails_to(smtp_server, SCHOOL_EMAIL, "We have your request for a visit to Hawthorn Primary")

    # 2. The coordinator plans it: the sessions and the team (booked as other journeys show, here directly),
    # then proposes the date from the visit page.
    assembly = VisitSession.objects.create(visit=visit, session_type=SessionType.objects.get(slug="assembly-ks2"),
                                           starts_at=visit.starts_at, year_groups=[5, 6], pupils=58)
    VisitSession.objects.create(visit=visit, session_type=SessionType.objects.get(slug="workshop-years-5-6"),
                                starts_at=assembly.starts_at.replace(hour=assembly.starts_at.hour + 1),
                                year_groups=[5, 6], pupils=58)
    AssignmentFactory(visit=visit, volunteer=lead, role="lead", status="accepted")
    AssignmentFactory(visit=visit, volunteer=supporter, role="support", status="accepted")
    Visit.objects.filter(pk=visit.pk).update(coordinator=coordinator.user, ends_at=assembly.starts_at.replace(
        hour=assembly.starts_at.hour + 3))
    planner = open_as(chromium, live_server, coordinator.user, DESKTOP).new_page()
    planner.goto(f"{live_server.url}/visits/{visit.pk}/")
    planner.get_by_role("button", name="Mark as proposed").click()
    expect(planner.get_by_role("main").get_by_text("The visit is now proposed.")).to_be_visible()
    expect(planner.locator("#problems")).to_contain_text("has not yet agreed to this date and time")

    # 3. The school agrees on its own page, from the link in the email.
    [proposal] = emails_to(smtp_server, SCHOOL_EMAIL, f"Does {first_choice:%A %-d %B} suit you?")
    link = re.search(r"http://\S+/school-visit/[A-Za-z0-9_-]+/", proposal.text()).group(0)
    school_page = open_as(chromium, live_server, None, PHONE).new_page()
    school_page.goto(link.replace("http://127.0.0.1:8000", live_server.url))
    when = school_page.locator("#when")
    when.get_by_label("Your name").fill("Mo Ahmed")
    when.get_by_role("button", name=f"Yes, {first_choice:%A %-d %B} suits us").click()
    expect(school_page.get_by_role("main").get_by_text("Thank you: you have agreed to the date and time.")).to_be_visible()
    screenshot(school_page, ARTIFACTS / "journey-2-school-agreed-phone.png")

    # 4. The coordinator sees the school's word and confirms.
    planner.reload()
    expect(planner.locator("#problems")).not_to_contain_text("has not yet agreed")
    planner.get_by_role("button", name="Confirm the visit").click()
    expect(planner.locator("#workflow")).to_contain_text("The visit is now confirmed.")
    assert emails_to(smtp_server, SCHOOL_EMAIL, "Confirmed: Speak Out. Stay Safe. visit")

    # 5. The day comes (the visit and what the school agreed to move to yesterday together, as time would).
    yesterday = timezone.localdate() - timedelta(days=1)
    Visit.objects.filter(pk=visit.pk).update(date=yesterday, school_agreed_date=yesterday)

    # 6. The lead files the report on a phone: the figures start from the plan.
    phone = open_as(chromium, live_server, lead.user, PHONE).new_page()
    phone.goto(f"{live_server.url}/me/visits/{visit.pk}/report/")
    assembly_group = phone.get_by_role("group", name=re.compile("Assembly for Key Stage 2"))
    workshop_group = phone.get_by_role("group", name=re.compile("Workshop for Years 5 and 6"))
    expect(assembly_group.get_by_label("Year 5")).to_have_value("30")
    assembly_group.get_by_label("Year 6").fill("27")  # one pupil away
    workshop_group.get_by_label("Year 5").fill("29")  # one went to a music lesson
    phone.get_by_role("button", name="File the visit report").click()
    expect(phone.get_by_text("the report for Hawthorn Primary is filed")).to_be_visible()

    # 7. The coordinator marks it delivered; the school is asked for its feedback.
    planner.goto(f"{live_server.url}/visits/{visit.pk}/")
    planner.get_by_role("button", name="Mark as delivered").click()
    expect(planner.locator(".badge.status-delivered")).to_be_visible()
    [ask] = emails_to(smtp_server, SCHOOL_EMAIL, "How was our visit to Hawthorn Primary?")
    rating_link = re.search(r"4 – Very good: (\S+)", ask.text()).group(1)

    # 8. The school rates it.
    teacher = open_as(chromium, live_server, None, PHONE).new_page()
    teacher.goto(rating_link)
    teacher.get_by_role("button", name="Send my rating: very good").click()
    expect(teacher.get_by_text("your rating (very good) is saved")).to_be_visible()
    assert TeacherFeedback.objects.get(visit=visit).rating == 4

    # 9. The reach report counts each child once: per year group the larger session (Year 5: 30 at the
    # assembly, Year 6: 28 at the workshop) = 58, not the 114 of both sessions added up.
    year = yesterday.year if yesterday.month >= 9 else yesterday.year - 1
    planner.goto(f"{live_server.url}/reach/?year={year}")
    totals = planner.locator(".reach-totals")
    headline = totals.locator("div", has_text="Children reached, each counted once").locator("dd").first
    expect(headline).to_have_text("58")
    expect(planner.get_by_text("1 of 1 school asked for feedback answered (100%)")).to_be_visible()
    screenshot(planner, ARTIFACTS / "journey-3-reach-report.png")
