"""Background tasks for session packs (run by `make worker`; at once in tests)."""

from django.tasks import task

from sessions.packs.batch import build_batch


@task
def build_pack_batch(batch_id: int) -> None:
    """Build every pack of a batch into one ZIP; the batch row records progress for the page."""
    build_batch(batch_id)
