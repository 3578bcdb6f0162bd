from django.apps import AppConfig


class SchoolSessionsConfig(AppConfig):
    # "sessions" is taken by django.contrib.sessions; a session here is one assembly or workshop.
    name = "sessions"
    label = "school_sessions"
    verbose_name = "Visits and volunteers"

    def ready(self) -> None:
        # Emails are sent from model signals, so every path that changes a visit notifies.
        from sessions.notifications import receivers  # noqa: PLC0415 — models are loaded only now

        receivers.connect()
        # Cached coordinators' calendar feeds are rebuilt when anything they show changes.
        from sessions.portal import feed_changes  # noqa: PLC0415

        feed_changes.connect()
        # Session packs are built in the task worker whenever what they show changes.
        from sessions.packs import ahead  # noqa: PLC0415

        ahead.connect()
        # The statistics pages ask for schools due and coverage through stats.coverage; the
        # programme's answer lives here, since stats may not import schools or visits.
        from sessions.reach import coverage  # noqa: PLC0415, F401 — registers itself once models are loaded
