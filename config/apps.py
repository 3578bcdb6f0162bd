from django.apps import AppConfig


class ConfigConfig(AppConfig):
    # Holds project-wide management commands (backup, restore) and the sign-in rules; no models.
    name = "config"
    verbose_name = "Site"

    def ready(self) -> None:
        from config import auth  # noqa: F401  (connects the staff session rule)
