"""The demo shows a drafted term: the demo coordinator's next term, planned, for them to read and tick."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from sessions.models import Coordinator, TermDraft, Visit

pytestmark = pytest.mark.django_db


def test_the_demo_coordinator_has_a_drafted_term_to_read_and_nothing_is_booked_from_it(client):
    call_command("seed_demo", "--schools", "40", "--volunteers", "20", "--visits", "40", stdout=StringIO())
    coordinator = Coordinator.objects.get(user__username="coordinator")
    visits_before = Visit.objects.count()

    draft = TermDraft.objects.get(requested_by=coordinator.user)

    assert draft.status == TermDraft.Status.DONE
    assert set(draft.areas.all()) == set(coordinator.areas.all())
    assert draft.visits or draft.left_out
    first_day = min((row["date"] for row in draft.visits), default=None)
    assert first_day is None or first_day > timezone.localdate().isoformat()
    client.force_login(coordinator.user)
    page = client.get(reverse("planning:term_draft", args=[draft.pk])).content.decode()
    assert f"Draft of the {draft.label}" in page
    assert Visit.objects.count() == visits_before
