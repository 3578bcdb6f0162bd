from django.apps import AppConfig


class ConfigConfig(AppConfig):
    # Holds project-wide management commands (backup, restore) and the sign-in rules; no models.
    name = "config"
    verbose_name = "Site"

    def ready(self) -> None:
        from config import admin_widgets, auth  # noqa: F401, PLC0415 — apps are loaded only now; auth connects the staff session rule

        admin_widgets.install()
