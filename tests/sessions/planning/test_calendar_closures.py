"""The planners' calendar names, and shades, the days schools in the areas shown are closed: bank holidays
of the areas' nations, the authorities' holidays, half-terms and INSET days (term calendars), and a
school's own closures (named, not shaded). Words in the cell and in a tooltip, never colour alone."""

from datetime import date

import pytest

from schools.factories import SchoolClosureFactory, SchoolFactory, TermDateFactory
from schools.models import SchoolClosure, TermDate
from stats.models import LocalAuthority

pytestmark = pytest.mark.django_db


def day_cell(html: str, label: str) -> str:
    """The calendar cell whose heading is `label` ("Tue 16 Feb"), from its opening tag to the next day's."""
    before, after = html.split(f'<h3 class="day-name">{label}', 1)
    opening = before.rsplit('<div class="day', 1)[1]
    return '<div class="day' + opening + after.split('<div class="day', 1)[0]


def half_term(authority: LocalAuthority) -> TermDate:
    return TermDateFactory(local_authority=authority, kind=TermDate.Kind.HALF_TERM, starts_on=date(2027, 2, 15),
                           ends_on=date(2027, 2, 19))


def test_a_half_term_shades_its_days_naming_every_authority_that_has_it(coordinator_client, thames_valley):
    first, second = LocalAuthority.objects.filter(police_force=thames_valley).order_by("name")[:2]
    half_term(first)
    half_term(second)

    html = coordinator_client.get("/plan/calendar/?week=2027-02-15").content.decode()

    tuesday = day_cell(html, "Tue 16 Feb")
    assert "closed-day" in tuesday.split(">")[0]
    assert f"February half-term: {first.name}, {second.name}" in tuesday
    assert f'title="February half-term, 15 February – 19 February: {first.name}, {second.name}."' in tuesday
    assert "closed-day" not in day_cell(html, "Sat 20 Feb").split(">")[0]
    assert "Shaded days are a bank holiday, or a school holiday or INSET day" in html


def test_a_holiday_every_authority_with_schools_has_says_so_instead_of_naming_them_all(
        coordinator_client, thames_valley):
    first, second, third = LocalAuthority.objects.filter(police_force=thames_valley).order_by("name")[:3]
    for authority in (first, second):
        SchoolFactory(local_authority=authority)
        half_term(authority)
    half_term(third)  # an authority without schools (merged away, say) does not count

    tuesday = day_cell(coordinator_client.get("/plan/calendar/?week=2027-02-15").content.decode(), "Tue 16 Feb")
    assert "February half-term: every local authority shown" in tuesday
    assert first.name not in tuesday

    SchoolFactory(local_authority=LocalAuthority.objects.filter(police_force=thames_valley).order_by("name")[3])
    tuesday = day_cell(coordinator_client.get("/plan/calendar/?week=2027-02-15").content.decode(), "Tue 16 Feb")
    assert f"February half-term: {first.name}, {second.name}, {third.name}" in tuesday  # not every one now


def test_an_inset_day_is_named_for_its_authority(coordinator_client, thames_valley):
    authority = LocalAuthority.objects.filter(police_force=thames_valley).order_by("name").first()
    TermDateFactory(local_authority=authority, kind=TermDate.Kind.INSET, starts_on=date(2027, 3, 1),
                    ends_on=date(2027, 3, 1))

    monday = day_cell(coordinator_client.get("/plan/calendar/?week=2027-03-01").content.decode(), "Mon 1 Mar")

    assert "closed-day" in monday.split(">")[0] and f"INSET day: {authority.name}" in monday


def test_term_time_is_not_marked(coordinator_client, thames_valley):
    TermDateFactory(local_authority=LocalAuthority.objects.filter(police_force=thames_valley).first())

    html = coordinator_client.get("/plan/calendar/?week=2027-03-08").content.decode()

    assert "closed-day" not in html and "day-mark" not in html


def test_a_bank_holiday_of_the_areas_nation_is_shaded_and_another_nations_is_not(coordinator_client):
    may_day = coordinator_client.get("/plan/calendar/?week=2027-05-03").content.decode()
    scottish_only = coordinator_client.get("/plan/calendar/?week=2027-01-04").content.decode()

    monday = day_cell(may_day, "Mon 3 May")
    assert "closed-day" in monday.split(">")[0] and "Bank holiday: May Day" in monday
    assert 'title="May Day: a bank holiday in England."' in monday
    # 4 January 2027 is a bank holiday in Scotland only: not for Thames Valley's coordinators.
    assert "New Year Holiday" not in day_cell(scottish_only, "Mon 4 Jan")


def test_another_areas_holidays_are_not_shown(coordinator_client, kent):
    half_term(LocalAuthority.objects.filter(police_force=kent).first())

    html = coordinator_client.get("/plan/calendar/?week=2027-02-15").content.decode()

    assert "half-term" not in html and "closed-day" not in html


def test_a_schools_own_closure_is_named_without_shading_the_day(coordinator_client, thames_valley):
    school = SchoolFactory(in_area=thames_valley, name="Hawthorn Primary")
    SchoolClosureFactory(school=school, kind=SchoolClosure.Kind.INSET, starts_on=date(2027, 3, 2),
                         ends_on=date(2027, 3, 2))
    SchoolClosureFactory(school=school, kind=SchoolClosure.Kind.CLOSURE, starts_on=date(2027, 3, 4),
                         ends_on=date(2027, 3, 4), reason="polling station")

    html = coordinator_client.get("/plan/calendar/?month=2027-03").content.decode()

    tuesday, thursday = day_cell(html, "Tue 2 Mar"), day_cell(html, "Thu 4 Mar")
    assert "Hawthorn Primary: INSET day" in tuesday and "closed-day" not in tuesday.split(">")[0]
    assert 'title="Hawthorn Primary closed, 4 March: polling station."' in thursday


def test_a_day_with_many_schools_closed_names_three_and_counts_the_rest(coordinator_client, thames_valley):
    for n in range(5):
        SchoolClosureFactory(school=SchoolFactory(in_area=thames_valley, name=f"School {n}"),
                             starts_on=date(2027, 3, 2), ends_on=date(2027, 3, 2))

    tuesday = day_cell(coordinator_client.get("/plan/calendar/?week=2027-03-01").content.decode(), "Tue 2 Mar")

    assert tuesday.count('class="day-mark day-mark-closure"') == 4 and "2 more schools closed" in tuesday


def test_each_mark_is_read_out_with_its_dates(coordinator_client, thames_valley):
    half_term(LocalAuthority.objects.filter(police_force=thames_valley).first())

    html = coordinator_client.get("/plan/calendar/?week=2027-02-15").content.decode()

    assert '<span class="visually-hidden"> (February half-term, 15 February – 19 February:' in html
    assert 'aria-label="Holidays and closures on 16 February"' in html


@pytest.mark.parametrize("n", [1, 3])
def test_the_calendar_costs_the_same_queries_for_any_number_of_holidays_and_closures(
    coordinator_client, thames_valley, reading_coordinators_authorities, django_assert_num_queries, n, HTMX
):
    for authority in LocalAuthority.objects.filter(police_force=thames_valley).order_by("code")[:n]:
        half_term(authority)
        TermDateFactory(local_authority=authority, kind=TermDate.Kind.INSET, starts_on=date(2027, 2, 22),
                        ends_on=date(2027, 2, 22))
        SchoolClosureFactory(school=SchoolFactory(local_authority=authority), starts_on=date(2027, 2, 24),
                             ends_on=date(2027, 2, 24))

    # session, user (with their roles), the areas shown, their holidays and INSET days, the authorities with
    # schools, their schools' own closures, visits (none, so nothing of theirs to read)
    with django_assert_num_queries(7 + reading_coordinators_authorities):
        response = coordinator_client.get("/plan/calendar/?month=2027-02", headers=HTMX)

    html = response.content.decode()
    assert html.count("February half-term:") == 5 and html.count('class="day-mark day-mark-closure"') == n


def test_staff_who_see_every_nation_are_told_where_a_bank_holiday_is(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("staff", is_staff=True))

    html = client.get("/plan/calendar/?week=2027-11-29").content.decode()

    assert "Bank holiday in Scotland: Saint Andrew&#x27;s Day" in day_cell(html, "Tue 30 Nov")
