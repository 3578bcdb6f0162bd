from django.core.management.base import BaseCommand

from sessions.groups import ensure_groups
from sessions.packs.content import load_pack_content
from sessions.reference import load_session_types
from stats.reference import load_figures, load_geography


class Command(BaseCommand):
    help = "Load the shipped reference data: geography, NSPCC figures and session types. Safe to run again."

    def handle(self, *args, **options) -> None:
        counts = {
            **load_geography(), **load_figures(), **load_session_types(), **load_pack_content(), **ensure_groups()
        }
        self.stdout.write("Reference data loaded: " + ", ".join(f"{n:,} {what}" for what, n in counts.items()))
