from datetime import date

import factory

from stats.models import Area, Figure, Indicator, LocalAuthority, Source


class AreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Area
        django_get_or_create = ("code",)

    kind = Area.Kind.POLICE_FORCE
    code = factory.Sequence(lambda n: f"E2390{n:04d}")
    name = factory.Sequence(lambda n: f"Test Police Area {n}")


class LocalAuthorityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LocalAuthority
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"E0990{n:04d}")
    name = factory.Sequence(lambda n: f"Test District {n}")
    police_force = factory.SubFactory(AreaFactory)


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source

    title = factory.Sequence(lambda n: f"Child sexual offences recorded by police, release {n}")
    publisher = "NSPCC"
    url = factory.Sequence(lambda n: f"https://example.org/releases/{n}")
    published = date(2018, 2, 20)
    caveats = "Police-recorded crime, not prevalence."


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"indicator-{n}")
    name = factory.Sequence(lambda n: f"Indicator {n}")


class FigureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Figure

    area = factory.SubFactory(AreaFactory)
    indicator = factory.SubFactory(IndicatorFactory)
    period = "2016/17"
    value = 100
    source = factory.SubFactory(SourceFactory)
