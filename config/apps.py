from django.apps import AppConfig


class ConfigConfig(AppConfig):
    # Holds project-wide management commands (backup, restore); no models.
    name = "config"
    verbose_name = "Site"
