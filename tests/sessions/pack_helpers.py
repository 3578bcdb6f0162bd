"""Shared set-up for the session pack tests: a realistic visit and reading a PDF page by page."""

from __future__ import annotations

import io
import re
from datetime import time

import pytest
from pypdf import PdfReader

from schools.factories import SchoolContactFactory, SchoolFactory
from sessions.factories import A_SCHOOL_DAY, AssignmentFactory, CoordinatorFactory, VisitFactory, VisitSessionFactory
from sessions.models import SessionType, Visit

# A figure written with a thousands separator (2,440): what a statistic looks like in the pack.
FIGURE_WITH_COMMA = re.compile(r"\d{1,3}(?:,\d{3})+")


def pages_text(pdf: bytes) -> list[str]:
    # Collapse runs of spaces: text extraction can space words unevenly.
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages]


def pupil_pages(pages: list[str]) -> list[str]:
    return [page for page in pages if "For pupils" in page]


def adult_pages(pages: list[str]) -> list[str]:
    return [page for page in pages if "For pupils" not in page]


def make_visit(area, *, slugs=("assembly-ks1", "assembly-ks2"), school_name="Riverside Primary School", **school) -> Visit:
    school = SchoolFactory(name=school_name, in_area=area, street="1 Mill Lane", town="Abingdon", postcode="OX14 1AA",
                           **school)
    SchoolContactFactory(school=school, name="Helen Ward", role="dsl", phone="01235 111222")
    SchoolContactFactory(school=school, name="Tom Okafor", role="deputy_dsl", phone="01235 111333")
    coordinator = CoordinatorFactory(user__first_name="Asha", user__last_name="Khan", areas=[area] if area else [])
    visit = VisitFactory(
        school=school,
        date=A_SCHOOL_DAY,
        starts_at=time(9, 0),
        ends_at=time(11, 30),
        coordinator=coordinator.user,
        status=Visit.Status.CONFIRMED,
        pupils_by_year={"1": 28, "2": 30, "5": 31},
    )
    starts = [time(9, 15), time(10, 0), time(10, 45), time(11, 0)]
    for slug, starts_at in zip(slugs, starts):
        st = SessionType.objects.get(slug=slug)
        years = [1, 2] if st.key_stage == "ks1" else [5, 6]
        VisitSessionFactory(visit=visit, session_type=st, starts_at=starts_at, year_groups=years, pupils=60)
    AssignmentFactory(visit=visit, volunteer__user__first_name="Priya", volunteer__user__last_name="Patel",
                      role="lead")
    return visit


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                    "OPTIONS": {"location": str(tmp_path / "media")}},
    }
    return tmp_path / "media"
