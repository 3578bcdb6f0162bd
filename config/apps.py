from django.apps import AppConfig


class ConfigConfig(AppConfig):
    # Holds project-wide management commands (backup, restore), system checks and the sign-in rules; no models.
    name = "config"
    verbose_name = "Site"

    def ready(self) -> None:
        # auth connects the staff session rule and checks registers the system checks: both on import.
        from config import admin_widgets, auth, checks, converters  # noqa: F401, PLC0415 — need the apps ready

        admin_widgets.install()
        converters.register()  # before any URLconf is read
