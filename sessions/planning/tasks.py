"""Background tasks for planning (run by `make worker`; at once in tests)."""

from django.tasks import task

from sessions.planning.term import run_draft


@task
def plan_term_draft(draft_id: int) -> None:
    """Plan a term for a draft; the draft row records progress for its page."""
    run_draft(draft_id)
