"""What each UK nation calls the people and stages a session pack names.

The pack fills the content's placeholders (`sessions.packs.content.PLACEHOLDERS`) from here, and names
a session by its ages rather than by England's key stages where the school is not in England (Wales's
curriculum has progression steps, Scotland's levels and Northern Ireland's key stages cover other
ages). Year groups are named by `sessions.models.year_group_label`.

Sources for the role names: Keeping Children Safe in Education (England: designated safeguarding lead;
the local authority designated officer, LADO); Keeping Learners Safe (Wales: designated safeguarding
person); National Guidance for Child Protection in Scotland 2021 (child protection coordinator);
Safeguarding and Child Protection in Schools, Department of Education NI (designated teacher; a
concern about the principal goes to the chair of the board of governors).
"""

from __future__ import annotations

from dataclasses import dataclass

from schools.models import School

Nation = School.Nation


@dataclass(frozen=True)
class Terms:
    lead_role: str  # the school's safeguarding lead
    deputy_role: str
    head: str
    designated_officer: str  # who takes a concern about the head
    uses_key_stages: bool


TERMS = {
    Nation.ENGLAND: Terms(
        lead_role="designated safeguarding lead",
        deputy_role="deputy designated safeguarding lead",
        head="headteacher",
        designated_officer="the local authority designated officer (LADO)",
        uses_key_stages=True,
    ),
    Nation.WALES: Terms(
        lead_role="designated safeguarding person",
        deputy_role="deputy designated safeguarding person",
        head="headteacher",
        designated_officer="the local authority's designated officer for concerns about people who work with "
        "children",
        uses_key_stages=False,
    ),
    Nation.SCOTLAND: Terms(
        lead_role="child protection coordinator",
        deputy_role="deputy child protection coordinator",
        head="headteacher",
        designated_officer="the local authority's education child protection lead (through the council's "
        "social work service)",
        uses_key_stages=False,
    ),
    Nation.NORTHERN_IRELAND: Terms(
        lead_role="designated teacher for child protection",
        deputy_role="deputy designated teacher",
        head="principal",
        designated_officer="the chair of the board of governors, and the Education Authority's Child Protection "
        "Support Service",
        uses_key_stages=False,
    ),
}


def terms_for(nation: str) -> Terms:
    return TERMS.get(nation, TERMS[Nation.ENGLAND])


def session_name(session_type, nation: str) -> str:
    """England's name ("Assembly for Key Stage 1"); elsewhere by ages ("Assembly for ages 5–7")."""
    if terms_for(nation).uses_key_stages:
        return session_type.name
    return f"{session_type.get_format_display()} for ages {session_type.age_range}"


def stage_label(session_type, nation: str) -> str:
    if terms_for(nation).uses_key_stages:
        return session_type.get_key_stage_display()
    return f"Ages {session_type.age_range}"
