"""The fixed demo logins, and making or resetting their users.

For a local demo only: the README says never to use them on a real site. They are the only demo
users with a real, hashed password; everyone else the demo invents gets an unusable one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model

from config.dates import years_before
from sessions.models import Coordinator, Volunteer

from .context import Demo
from .reference import KENT, THAMES_VALLEY, Reference

if TYPE_CHECKING:
    from django.contrib.auth.models import User

DEMO_PASSWORD = "speakout-demo-2026"
DEMO_URL = "http://127.0.0.1:8000/"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    first_name: str
    last_name: str
    role: str


DEMO_LOGINS = (
    DemoLogin("admin", "Alex", "Morgan", "administrator (superuser): everything, including the admin"),
    DemoLogin("coordinator", "Claire", "Thompson", "coordinator for Thames Valley and Kent"),
    DemoLogin("volunteer", "Sam", "Okafor", "volunteer in Thames Valley, with invitations and booked visits"),
    DemoLogin("dataentry", "Dev", "Sharma", 'staff in the "Data entry" group: the admin for data entry'),
)


@dataclass(frozen=True)
class DemoPeople:
    """The demo coordinator and volunteer, whom the rest of the demo is built around."""

    coordinator: Coordinator
    volunteer: Volunteer


def login_user(login: DemoLogin, **flags: Any) -> User:
    """A demo login's user: created or reset, with DEMO_PASSWORD."""
    user, _ = get_user_model().objects.get_or_create(username=login.username)
    user.first_name, user.last_name = login.first_name, login.last_name
    user.email = f"{login.username}@example.org"
    for name, value in flags.items():
        setattr(user, name, value)
    user.is_active = True
    user.set_password(DEMO_PASSWORD)
    user.save()
    return user


def make_demo_logins(demo: Demo, reference: Reference) -> DemoPeople:
    """Create or reset the four demo logins: an administrator, data entry staff, a coordinator and a volunteer."""
    admin, coordinator, volunteer, data_entry = DEMO_LOGINS
    login_user(admin, is_staff=True, is_superuser=True)
    staff = login_user(data_entry, is_staff=True, is_superuser=False)
    staff.groups.add(reference.data_entry_group)
    user = login_user(coordinator, is_staff=False, is_superuser=False)
    demo_coordinator, _ = Coordinator.objects.get_or_create(user=user)
    demo_coordinator.phone = "01632 960001"
    demo_coordinator.save()
    demo_coordinator.areas.set([reference.areas[THAMES_VALLEY], reference.areas[KENT]])
    user = login_user(volunteer, is_staff=False, is_superuser=False)
    # On the DBS Update Service with its status checked a month ago (so a four-year-old check still counts)
    # and trained recently: cleared for every visit the demo books.
    defaults = {
        "phone": "07700 900001",
        "postcode": "RG1 4QA",
        "max_travel_km": 25,
        "may_lead": True,
        "dbs_checked_on": years_before(demo.today, 4),
        "dbs_reference": "001122334455",
        "dbs_level": Volunteer.DbsLevel.ENHANCED_BARRED,
        "dbs_update_service": True,
        "dbs_status_checked_on": demo.today - timedelta(days=30),
        "training_on": demo.today - timedelta(days=200),
        "active": True,
        "left_on": None,
    }
    demo_volunteer, _ = Volunteer.objects.update_or_create(user=user, defaults=defaults)
    demo_volunteer.areas.set([reference.areas[THAMES_VALLEY]])
    demo.counts["demo logins"] = len(DEMO_LOGINS)
    return DemoPeople(coordinator=demo_coordinator, volunteer=demo_volunteer)
