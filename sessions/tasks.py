"""Background tasks for session packs (run by `make worker`; at once in tests)."""

from django.tasks import task


@task
def build_pack_batch(batch_id: int) -> None:
    """Build every pack of a batch into one ZIP; the batch row records progress for the page."""
    from sessions.pdf import build_batch

    build_batch(batch_id)
