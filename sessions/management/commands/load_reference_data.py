from django.core.management.base import BaseCommand

from sessions.groups import ensure_groups
from sessions.packs import ahead
from sessions.packs.content import load_pack_content
from sessions.reference import load_session_types
from stats.reference import load_figures, load_geography


class Command(BaseCommand):
    help = "Load the shipped reference data: geography, NSPCC figures and session types. Safe to run again."

    def handle(self, *args, **options) -> None:
        shown_before = ahead.shared_content_fingerprint()
        with ahead.paused():
            counts = {
                **load_geography(), **load_figures(), **load_session_types(), **load_pack_content(), **ensure_groups()
            }
        if ahead.shared_content_fingerprint() != shown_before:  # new wording shipped: rebuild the upcoming packs
            ahead.build_all_later()
        self.stdout.write("Reference data loaded: " + ", ".join(f"{n:,} {what}" for what, n in counts.items()))
