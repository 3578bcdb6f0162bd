"""Background tasks for session packs (run by `make worker`; at once in tests)."""

from django.tasks import task

from sessions.packs import ahead
from sessions.packs.batch import build_batch


@task
def build_pack_batch(batch_id: int) -> None:
    """Build every pack of a batch into one ZIP; the batch row records progress for the page."""
    build_batch(batch_id)


@task
def build_packs(visit_ids: list[int]) -> int:
    """Build the packs of these visits (the upcoming ones) ahead of anyone asking; see packs/ahead.py."""
    return ahead.build(visit_ids)


@task
def build_upcoming_packs() -> int:
    """Build every upcoming pack again after a change every pack shows (content, figures)."""
    return ahead.build(ahead.upcoming().values_list("pk", flat=True))
