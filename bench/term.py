"""The term planner at national scale (part of `make bench`): the demo coordinator's areas' next term,
planned by the solver and by a greedy baseline on the same input, so the gain is measured.

    .venv/bin/python bench/run.py --only term

Reports the whole plan's time and the solver's part, the visits placed and the total travel of each.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date

AIM_SECONDS = 60


@dataclass
class TermBench:
    label: str
    areas: str
    due: int
    solver: dict
    greedy: dict


def next_term(today: date) -> tuple[int, str]:
    from sessions.demo.context import Demo
    from sessions.demo.term_draft import next_term as demo_next_term

    return demo_next_term(Demo(seed=0, today=today, log=lambda line: None))


def measure(user, log) -> TermBench:
    from django.utils import timezone

    from sessions.planning.term import TermChoice, greedy_plan, plan_term

    areas = tuple(user.coordinator.areas.order_by("pk"))
    year, term = next_term(timezone.localdate())
    choice = TermChoice(areas=areas, academic_year=year, term=term)
    log(f"  term planner: the {choice.label} for {', '.join(a.name for a in areas)}…")
    started = time.perf_counter()
    plan = plan_term(choice)
    solver = plan.summary() | {"wall": time.perf_counter() - started}
    started = time.perf_counter()
    greedy = greedy_plan(choice)
    baseline = greedy.summary() | {"wall": time.perf_counter() - started}
    return TermBench(choice.label, ", ".join(a.name for a in areas), len(plan.visits) + len(plan.left_out),
                     solver, baseline)


def table(result: TermBench | None) -> str:
    if result is None:
        return ""
    s, g = result.solver, result.greedy
    met = "✓" if s["wall"] < AIM_SECONDS else "✗"
    per = lambda d: d["total_km"] / d["placed"] if d["placed"] else 0  # noqa: E731
    return "\n".join([
        f"Term planner: the {result.label} for {result.areas}, {result.due:,} schools due a visit.",
        "",
        "| Term plan | Seconds | Solver s | Visits placed | Total km | km a visit | Aim | |",
        "|---|--:|--:|--:|--:|--:|---|---|",
        f"| Solver (HiGHS MIP{'' if s['optimal'] else ', stopped at its time limit'}) | {s['wall']:.1f} | "
        f"{s['solver_seconds']:.1f} | {s['placed']:,} | {s['total_km']:,.0f} | {per(s):.1f} | "
        f"< {AIM_SECONDS} s | {met} |",
        f"| Greedy baseline (list order, nearest free) | {g['wall']:.1f} | | {g['placed']:,} | "
        f"{g['total_km']:,.0f} | {per(g):.1f} | | |",
    ])
