from datetime import UTC, date, datetime, time, timedelta

import factory
from django.contrib.auth import get_user_model

from schools.factories import SchoolFactory
from sessions.models import (
    Assignment,
    Coordinator,
    CoverRequest,
    SessionType,
    StatusChange,
    Unavailability,
    Visit,
    VisitReport,
    VisitSession,
    Volunteer,
)

# A Tuesday in term time with no bank holiday in any nation: a safe default visit date for tests.
A_SCHOOL_DAY = date(2027, 3, 2)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.django.Password("correct horse battery staple")


class CoordinatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Coordinator
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    phone = "01632 960000"

    @factory.post_generation
    def areas(self, create, extracted, **kwargs):
        if create and extracted:
            self.areas.set(extracted)


class VolunteerFactory(factory.django.DjangoModelFactory):
    """A volunteer cleared for the coming years (DBS and training done a month before A_SCHOOL_DAY), in
    Reading (RG1), who may lead: ready to be booked, as most tests need."""

    class Meta:
        model = Volunteer
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    phone = "07700 900000"
    postcode = "RG1 1AA"
    dbs_checked_on = A_SCHOOL_DAY - timedelta(days=30)
    dbs_level = Volunteer.DbsLevel.ENHANCED_BARRED
    dbs_reference = factory.Sequence(lambda n: f"{n:012d}")
    training_on = A_SCHOOL_DAY - timedelta(days=30)
    may_lead = True

    @factory.post_generation
    def areas(self, create, extracted, **kwargs):
        if create and extracted:
            self.areas.set(extracted)


class SessionTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SessionType
        django_get_or_create = ("slug",)

    slug = "assembly-ks2"
    name = "Assembly for Key Stage 2"
    format = "assembly"
    key_stage = SessionType.KeyStage.KS2
    min_age = 7
    max_age = 11
    duration_minutes = 30
    volunteers_needed = 2


class VisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Visit

    school = factory.SubFactory(SchoolFactory)
    date = A_SCHOOL_DAY
    starts_at = time(9, 0)
    ends_at = time(10, 30)
    status = Visit.Status.PROPOSED

    class Params:
        # The school agreed to the visit's date and time on its own page.
        school_agreed = factory.Trait(
            school_agreed_by="Jo Head",
            school_agreed_at=factory.LazyFunction(lambda: datetime(2026, 9, 1, 9, 0, tzinfo=UTC)),
            school_agreed_date=factory.SelfAttribute("date"),
            school_agreed_starts_at=factory.SelfAttribute("starts_at"),
            school_agreed_ends_at=factory.SelfAttribute("ends_at"),
        )


class VisitSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VisitSession

    visit = factory.SubFactory(VisitFactory)
    session_type = factory.SubFactory(SessionTypeFactory)
    starts_at = factory.LazyAttribute(lambda o: o.visit.starts_at)
    year_groups = factory.LazyFunction(lambda: [3, 4, 5, 6])
    pupils = 120


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assignment

    visit = factory.SubFactory(VisitFactory)
    volunteer = factory.SubFactory(VolunteerFactory)
    role = Assignment.Role.SUPPORT
    status = Assignment.Status.ACCEPTED


class CoverRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CoverRequest

    visit = factory.SubFactory(VisitFactory)
    volunteer = factory.SubFactory(VolunteerFactory)


class UnavailabilityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unavailability

    volunteer = factory.SubFactory(VolunteerFactory)
    starts_on = A_SCHOOL_DAY
    ends_on = A_SCHOOL_DAY
    reason = "On holiday"


class VisitReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VisitReport

    visit = factory.SubFactory(VisitFactory)
    children_reached = 120
    sessions_delivered = 1


class StatusChangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StatusChange

    visit = factory.SubFactory(VisitFactory)
    from_status = Visit.Status.PROPOSED
    to_status = Visit.Status.CONFIRMED
