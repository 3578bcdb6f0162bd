"""Background tasks for session packs (run by `make worker`; at once in tests)."""

from django.tasks import task

from sessions.packs import ahead
from sessions.packs.batch import build_batch, build_share


@task
def build_pack_batch(batch_id: int) -> None:
    """Build every pack of a batch into one ZIP; the batch row records progress for the page."""
    build_batch(batch_id)


@task
def build_batch_share(batch_id: int, visit_ids: list[int]) -> int:
    """Build the later half of a batch's packs on another worker while the batch task builds the first."""
    return build_share(batch_id, visit_ids)


@task
def build_packs(visit_ids: list[int]) -> int:
    """Build the packs of these visits (the upcoming ones) ahead of anyone asking; see packs/ahead.py."""
    return ahead.build(visit_ids)


@task
def build_upcoming_packs() -> int:
    """Queue every upcoming pack again after a change every pack shows (content, figures), in shares."""
    return ahead.queue_upcoming()
