"""The demo programme (`manage.py seed_demo`, `manage.py demo_logins`, bench/'s national data set).

The modules, in the order the builder runs them:

- logins.py     the fixed demo logins, and making or resetting their users
- reference.py  the reference data the demo needs, and how it shares itself out over police forces
- schools.py    schools and their contacts
- people.py     coordinators, volunteers with their clearances, and when they are away
- visits.py     the programme's visits with their sessions, volunteers, reports and history
- featured.py   the demo volunteer's own visits and the troubled ones a coordinator should see
- builder.py    all of it in order, in one transaction (`seed_demo`)

beside context.py (one run's seeded randomness, counts and invented details), dates.py (school days)
and words.py (the word lists in sessions/data/demo_words.toml). The names other code imports from
`sessions.demo` are re-exported here, so the layout inside can change without touching them.
"""

from .builder import DemoBuilder, seed_demo
from .context import DemoError
from .featured import Featured
from .logins import DEMO_LOGINS, DEMO_PASSWORD, DEMO_URL, DemoLogin

__all__ = [
    "DEMO_LOGINS",
    "DEMO_PASSWORD",
    "DEMO_URL",
    "DemoBuilder",
    "DemoError",
    "DemoLogin",
    "Featured",
    "seed_demo",
]
