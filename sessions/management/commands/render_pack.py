from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from sessions.models import Visit
from sessions.packs.pdf import pack_for, read_pack


class Command(BaseCommand):
    help = "Write a visit's session pack to a file (from the stored pack when its inputs have not changed)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("visit_id", type=int, help="The visit's number, as in /visits/<number>/.")
        parser.add_argument("-o", "--output", required=True, help="The PDF file to write.")
        parser.add_argument(
            "--handouts", action="store_true", help="Write the pupil handouts alone (safe to photocopy)."
        )

    def handle(self, *args, visit_id: int, output: str, handouts: bool = False, **options) -> None:
        if not Visit.objects.filter(pk=visit_id).exists():
            raise CommandError(f"There is no visit {visit_id}.")
        stored = pack_for(visit_id, handouts_only=handouts)
        Path(output).write_bytes(read_pack(stored))
        self.stdout.write(f"Wrote {output}: {stored.pages} pages, {stored.size:,} bytes (pack {stored.key[:12]}).")
