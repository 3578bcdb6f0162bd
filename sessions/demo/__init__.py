"""The demo programme (`manage.py seed_demo`, `manage.py demo_logins`, bench/'s national data set).

The names other code imports from `sessions.demo` are re-exported here, so the package's inner
layout can change without touching them.
"""

from .builder import DEMO_LOGINS, DEMO_PASSWORD, DEMO_URL, DemoBuilder, DemoError, DemoLogin, Featured, seed_demo

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
