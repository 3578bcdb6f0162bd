"""Background tasks that send the programme's emails (enqueued by `sessions.notifications.emails.notify`).

The task takes only the kind of email and primary keys: it reads the current state of the visit
when it runs, so an email never describes a visit as it was before the transaction committed.
"""

from django.tasks import task


@task
def send_notification(kind: str, params: dict) -> int:
    """Build and send one kind of email; returns how many messages were sent."""
    from sessions.notifications.emails import deliver  # noqa: PLC0415 — emails.py imports this module to enqueue

    return deliver(kind, params)
