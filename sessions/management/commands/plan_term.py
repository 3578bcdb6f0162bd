import json

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from schools.models import academic_year_label
from sessions.planning.term import TermChoice, check_year, parse_academic_year, parse_term, plan_term
from stats.models import Area


class Command(BaseCommand):
    help = (
        "Propose a term's visits for one police force area, staffed, as the term planner at /plan/term/ does, "
        "and print the draft. Writes nothing. Example: plan_term E23000029 2026/27 spring --json"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("area", help="The police force area's ONS code, such as E23000029.")
        parser.add_argument("academic_year", help="The academic year, such as 2026/27.")
        parser.add_argument("term", help="autumn, spring or summer.")
        parser.add_argument("--cap", type=int, default=None,
                            help=f"Most visits a month per volunteer (default {settings.TERM_PLAN_MONTHLY_CAP}).")
        parser.add_argument("--json", action="store_true",
                            help='Print one JSON object: {"visits": [...], "left_out": [...]}.')

    def handle(self, *args, area: str, academic_year: str, term: str, cap: int | None, json: bool, **options):
        found = Area.objects.police_forces().filter(code=area.strip().upper()).first()
        if found is None:
            raise CommandError(f"{area!r} is not the ONS code of a police force area (such as E23000029).")
        try:
            term = parse_term(term)
            year = parse_academic_year(academic_year)
            check_year(year, timezone.localdate())
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        cap = settings.TERM_PLAN_MONTHLY_CAP if cap is None else cap
        if not 1 <= cap <= 20:
            raise CommandError("--cap must be a whole number of visits from 1 to 20.")
        plan = plan_term(TermChoice(areas=(found,), academic_year=year, term=term, monthly_cap=cap))
        if json:
            self.stdout.write(_dumps(plan.as_json()))
            return
        self.stdout.write(f"The {term} term {academic_year_label(year)} for {found.name}: "
                          f"{len(plan.visits)} visit(s) proposed, {len(plan.left_out)} school(s) left out, "
                          f"{plan.total_km} km in all. Nothing has been written.")
        for visit in plan.visits:
            team = ", ".join(
                f"{visit.names[v]} ({'lead' if v == visit.lead else 'support'}, "
                f"{'distance unknown' if visit.km[v] is None else f'{round(visit.km[v])} km'})"
                for v in [visit.lead, *visit.support]
            )
            sessions = ", ".join(line["name"] for line in visit.sessions)
            self.stdout.write(f"{visit.date:%a %-d %b %Y} {visit.starts_at:%H:%M}–{visit.ends_at:%H:%M}  "
                              f"{visit.school} (URN {visit.urn}): {sessions}; {team}")
        if plan.left_out:
            self.stdout.write("Left out:")
            for school in plan.left_out:
                self.stdout.write(f"  {school.school} (URN {school.urn}): {school.reason}")


def _dumps(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False)
