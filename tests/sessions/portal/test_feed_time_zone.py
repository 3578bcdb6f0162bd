"""The feed's time zone, read by parsers other than the icalendar library that writes it, as calendar
apps would: Europe/London in its usual yearly-rule form (the last Sunday of March and of October), so a
January visit at 09:00 is 09:00 UTC and a July one 08:00 UTC in every reader."""

import io
from datetime import UTC, date, datetime, time

import ics
import pytest
import vobject
from dateutil import tz

from sessions.factories import AssignmentFactory, VisitFactory, VisitSessionFactory

pytestmark = pytest.mark.django_db

WINTER, SUMMER = date(2027, 1, 12), date(2027, 7, 6)
EXPECTED_UTC = {
    WINTER: datetime(2027, 1, 12, 9, 0, tzinfo=UTC),
    SUMMER: datetime(2027, 7, 6, 8, 0, tzinfo=UTC),
}


@pytest.fixture
def feed_text(volunteer_client, thames_valley, monkeypatch) -> str:
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: date(2026, 12, 1))
    for day in (WINTER, SUMMER):
        visit = VisitFactory(school__in_area=thames_valley, school__name=f"School of {day:%B}", date=day,
                             starts_at=time(9, 0), ends_at=time(10, 30))
        VisitSessionFactory(visit=visit)
        AssignmentFactory(visit=visit, volunteer=volunteer_client.volunteer)
    return volunteer_client.get(f"/calendar/{volunteer_client.volunteer.calendar_token}.ics").content.decode()


def starts_by_school(pairs) -> dict[date, datetime]:
    return {start.date(): start.astimezone(UTC) for name, start in pairs}


def test_the_time_zone_is_written_as_yearly_rules_for_the_last_sundays_of_march_and_october(feed_text):
    zone = feed_text.split("BEGIN:VTIMEZONE")[1].split("END:VTIMEZONE")[0]

    rules = [set(line.removeprefix("RRULE:").split(";")) for line in zone.split("\r\n") if line.startswith("RRULE:")]

    assert "TZID:Europe/London" in zone
    assert rules == [{"FREQ=YEARLY", "BYMONTH=3", "BYDAY=-1SU"}, {"FREQ=YEARLY", "BYMONTH=10", "BYDAY=-1SU"}]
    assert "RDATE" not in zone
    assert zone.count("BEGIN:DAYLIGHT") == 1 and zone.count("BEGIN:STANDARD") == 1


def test_vobject_reads_a_january_and_a_july_visit_at_the_right_utc_time(feed_text):
    calendar = vobject.readOne(feed_text)

    starts = starts_by_school((event.summary.value, event.dtstart.value) for event in calendar.vevent_list)

    assert starts == EXPECTED_UTC


# ics 0.7.3 (pinned) calls re.split with a positional maxsplit, which Python 3.13 deprecates: its
# own warning, not the feed's.
@pytest.mark.filterwarnings("ignore:'maxsplit' is passed as positional argument:DeprecationWarning:ics.utils")
def test_the_ics_library_reads_a_january_and_a_july_visit_at_the_right_utc_time(feed_text):
    calendar = ics.Calendar(feed_text)

    starts = starts_by_school((event.name, event.begin.datetime) for event in calendar.events)

    assert starts == EXPECTED_UTC


def test_dateutils_vtimezone_reader_puts_the_changes_on_the_last_sundays_of_march_and_october(feed_text):
    zone_text = "BEGIN:VTIMEZONE" + feed_text.split("BEGIN:VTIMEZONE")[1].split("END:VTIMEZONE")[0] + "END:VTIMEZONE"
    london = tz.tzical(io.StringIO(zone_text.replace("\r\n", "\n"))).get("Europe/London")

    assert datetime(2027, 1, 12, 9, 0, tzinfo=london).utcoffset().total_seconds() == 0
    assert datetime(2027, 7, 6, 9, 0, tzinfo=london).utcoffset().total_seconds() == 3600
    # 2030: the last Sunday of March is the 31st, of October the 27th.
    assert datetime(2030, 3, 31, 0, 30, tzinfo=london).utcoffset().total_seconds() == 0
    assert datetime(2030, 3, 31, 2, 30, tzinfo=london).utcoffset().total_seconds() == 3600
    assert datetime(2030, 10, 27, 0, 30, tzinfo=london).utcoffset().total_seconds() == 3600
    assert datetime(2030, 10, 27, 1, 30, tzinfo=london, fold=1).utcoffset().total_seconds() == 0
