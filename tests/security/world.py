"""One small programme with every kind of object, and a user for each role, for the access tests."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.core.files.base import ContentFile

from sessions.factories import (
    AssignmentFactory,
    CoordinatorFactory,
    UnavailabilityFactory,
    UserFactory,
    VolunteerFactory,
)
from sessions.models import Assignment, CoverRequest, PackBatch, TeacherFeedback, TermDraft

ROLES = ("anonymous", "volunteer", "other_volunteer", "other_coordinator", "coordinator", "staff", "superuser")


@dataclass
class World:
    users: dict
    visit: object
    school: object
    volunteer: object
    other_volunteer: object
    invitation: object
    unavailability: object
    batch: object
    draft: object
    area_code: str
    cover: object
    feedback: object

    def kwargs(self) -> dict:
        """Values for every URL keyword, all pointing at objects of the coordinator's area / the volunteer."""
        return {
            "urn": self.school.urn,
            "pk": self.visit.pk,
            "visit_id": self.visit.pk,
            "assignment_pk": self.invitation.pk,
            "assignment_id": self.invitation.pk,
            "volunteer_pk": self.other_volunteer.pk,
            "unavailability_id": self.unavailability.pk,
            "batch_id": self.batch.pk,
            "draft_id": self.draft.pk,
            "token": self.volunteer.calendar_token,
            "cover_token": self.cover.token,
            "feedback_token": self.feedback.token,
            "rating": 4,
            "school_token": self.visit.school_token,
            "code": self.area_code,
            "uidb64": "MQ",
            "token_reset": "set-password",
        }


def build_world(area, other_area, planned_visit) -> World:
    visit = planned_visit(area)
    volunteer = VolunteerFactory(areas=[area])
    other_volunteer = VolunteerFactory(areas=[area], may_lead=False)
    invitation = AssignmentFactory(visit=visit, volunteer=volunteer, status=Assignment.Status.INVITED)
    coordinator = CoordinatorFactory(areas=[area])
    other_coordinator = CoordinatorFactory(areas=[other_area])
    staff = UserFactory(is_staff=True)
    staff.groups.add(Group.objects.get_or_create(name="Data entry")[0])
    superuser = UserFactory(is_staff=True, is_superuser=True)
    batch = PackBatch.objects.create(requested_by=coordinator.user, area=area, first_date=visit.date,
                                     last_date=visit.date, status=PackBatch.Status.DONE, total=1, done=1)
    batch.file.save("packs.zip", ContentFile(b"PK\x05\x06" + bytes(18)))
    draft = TermDraft.objects.create(requested_by=coordinator.user, academic_year=2026, term="spring", monthly_cap=4,
                                     status=TermDraft.Status.DONE)
    draft.areas.set([area])
    return World(
        users={
            "anonymous": None,
            "volunteer": volunteer.user,
            "other_volunteer": other_volunteer.user,
            "other_coordinator": other_coordinator.user,
            "coordinator": coordinator.user,
            "staff": staff,
            "superuser": superuser,
        },
        visit=visit,
        school=visit.school,
        volunteer=volunteer,
        other_volunteer=other_volunteer,
        invitation=invitation,
        unavailability=UnavailabilityFactory(volunteer=volunteer),
        batch=batch,
        draft=draft,
        area_code=area.code,
        # The other volunteer is asked to cover the visit: the emailed token is the page's only key.
        cover=CoverRequest.objects.create(visit=visit, volunteer=other_volunteer, sent_by=coordinator.user),
        # The school's teacher is asked for feedback: the emailed token is the page's only key.
        feedback=TeacherFeedback.objects.create(visit=visit, sent_to="head@school.example.org"),
    )
