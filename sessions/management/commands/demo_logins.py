from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from sessions.demo import DEMO_LOGINS, DEMO_PASSWORD, DEMO_URL


class Command(BaseCommand):
    help = "Print the demo logins (made by seed_demo) and the address to open. For a local demo only."

    def handle(self, *args, **options) -> None:
        present = set(
            get_user_model().objects.filter(username__in=[login.username for login in DEMO_LOGINS])
            .values_list("username", flat=True)
        )
        self.stdout.write(f"Open {DEMO_URL} and log in as one of these (demo logins only: never on a real site):")
        width = max(len(login.username) for login in DEMO_LOGINS)
        for login in DEMO_LOGINS:
            missing = "" if login.username in present else "  (not created yet: run `python manage.py seed_demo`)"
            self.stdout.write(f"  {login.username:<{width}}  password {DEMO_PASSWORD}  {login.role}{missing}")
