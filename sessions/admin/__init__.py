"""The sessions app's admin, by area: people.py (session types, coordinators, volunteers,
unavailability), visits.py (visits, session lines, assignments, status changes, reports), and the
packs' content, downloads and batches in sessions/packs/admin.py. Importing them registers them."""

from sessions.admin import people, visits  # noqa: F401
from sessions.packs import admin as packs_admin  # noqa: F401
from sessions.schools_side import admin as schools_side_admin  # noqa: F401
