from datetime import date

import factory

from schools.models import School, SchoolClosure, SchoolContact, TermDate
from stats.models import LocalAuthority


def _local_authority_in(area):
    """An existing local authority of the area (or a new one), so schools land in that police force area."""
    if area is None:
        return None
    from stats.factories import LocalAuthorityFactory  # noqa: PLC0415 — stats factories import these

    return LocalAuthority.objects.filter(police_force=area).order_by("code").first() or LocalAuthorityFactory(
        police_force=area
    )


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School

    class Params:
        in_area = None  # a police force Area: picks one of its local authorities

    urn = factory.Sequence(lambda n: 900000 + n)
    name = factory.Sequence(lambda n: f"Oakfield Primary School {n}")
    phase = "Primary"
    establishment_type = "Community school"
    low_age = 4
    high_age = 11
    status = School.Status.OPEN
    street = factory.Faker("street_address", locale="en_GB")
    town = factory.Faker("city", locale="en_GB")
    postcode = factory.Faker("postcode", locale="en_GB")
    pupils = 210
    nation = School.Nation.ENGLAND
    local_authority = factory.LazyAttribute(lambda o: _local_authority_in(o.in_area))


class SchoolContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SchoolContact

    school = factory.SubFactory(SchoolFactory)
    name = factory.Faker("name", locale="en_GB")
    role = SchoolContact.Role.DSL
    email = factory.Faker("email", locale="en_GB")
    phone = factory.Faker("phone_number", locale="en_GB")


class TermDateFactory(factory.django.DjangoModelFactory):
    """By default the whole of 2026/27 as term time: a calendar is held, nothing is closed."""

    class Meta:
        model = TermDate

    local_authority = factory.LazyFunction(lambda: LocalAuthority.objects.order_by("code").first())
    academic_year = 2026
    kind = TermDate.Kind.TERM
    starts_on = date(2026, 9, 1)
    ends_on = date(2027, 7, 23)


class SchoolClosureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SchoolClosure

    school = factory.SubFactory(SchoolFactory)
    kind = SchoolClosure.Kind.CLOSURE
    starts_on = date(2027, 3, 2)
    ends_on = date(2027, 3, 2)
