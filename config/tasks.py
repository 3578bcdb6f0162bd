"""Background tasks of the site itself (each app's own are in its tasks.py); the task worker runs them."""

from django.tasks import task

from config.password_reset import send_reset_links


@task
def send_password_reset(user_ids: list[int]) -> int:
    """Email a one-time link to each account; the link is made here, so the queue never holds it."""
    return send_reset_links(user_ids)
