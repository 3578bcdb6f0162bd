from django.apps import AppConfig


class SchoolSessionsConfig(AppConfig):
    # "sessions" is taken by django.contrib.sessions; a session here is one assembly or workshop.
    name = "sessions"
    label = "school_sessions"
    verbose_name = "Visits and volunteers"
