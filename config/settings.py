"""The one settings file. Everything that differs between machines comes from the environment."""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP

from config.env import env_bool, env_int, env_list, env_log_level, env_networks, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY") or (
    # Only for development: a production start-up without SECRET_KEY must not be silently insecure.
    "django-insecure-development-only-key-do-not-use-in-production"
)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
CSRF_FAILURE_VIEW = "config.views.csrf_failure"
# The site's public address, for links in emails (which are sent outside any request).
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")
# The development key must never serve real users: config/wsgi.py refuses to start without SECRET_KEY
# when DEBUG is off.
SECRET_KEY_FROM_ENVIRONMENT = bool(env_str("SECRET_KEY"))

# --- HTTPS (production: DEBUG off). Behind a proxy that terminates TLS, the proxy's
# X-Forwarded-Proto header tells Django the request was secure, so the redirect does not loop.
BEHIND_PROXY = env_bool("BEHIND_PROXY", True)
# The proxies whose X-Forwarded-For is believed (config/auth.py: client_address): the socket's peer must be
# one of these addresses or networks. By default a proxy on this machine; empty to believe none.
TRUSTED_PROXIES = env_networks("TRUSTED_PROXIES", ["127.0.0.1/8", "::1"])
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_PROXY else None
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_tasks_db",
    "axes",
    "simple_history",
    "config",
    "stats",
    "schools",
    "sessions.apps.SchoolSessionsConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files with hashed names, compressed, cached for a year (production: `make serve`).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Vary: HX-Request on every answer, and fragments never cached (config/htmx.py).
    "config.htmx.VaryOnHtmxMiddleware",
    # One structured line per request (config/logging.py).
    "config.logging.RequestLogMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Cache-Control: no-store, private on every response to a signed-in person (config/cache_control.py).
    "config.cache_control.NoStoreMiddleware",
    # Records who made each change in the history tables (django-simple-history).
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "sessions.access.roles",
            ],
        },
    },
]

# --- Database: SQLite by default, DATABASE_URL for PostgreSQL (or another SQLite file).
# Connections are kept for a minute between requests (checked before reuse): a new PostgreSQL connection
# costs a server process and a few milliseconds on every request otherwise.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE takes the write lock at BEGIN: concurrent bookings queue instead of failing
        # with "database is locked" half-way through a transaction.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool("POSTGRES_SESSION_SETTINGS", True):
    # The app's queries are short and its data fits in memory (docs/benchmarks.md):
    # - jit=off: PostgreSQL's JIT compiler once spent 438 ms compiling a 60 ms query;
    # - random_page_cost=1.1 (the default 4 assumes spinning disks): PostgreSQL read all 45,000 assignments
    #   to count a month's bookings (10 ms) rather than look up the month's 540 visits' (2.5 ms).
    # Set on this app's connections; set POSTGRES_SESSION_SETTINGS=false behind a pooler that refuses
    # startup options, and set both on the database instead (ALTER DATABASE … SET …).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off -c random_page_cost=1.1"

if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool("POSTGRES_PREPARED_STATEMENTS", True):
    # Parameters are sent apart from the query (server-side binding), so psycopg prepares a query the fifth time
    # a connection runs it, and PostgreSQL then parses it once and can keep its plan. Planning cost more than
    # running the app's short queries (the visit behind a staffing panel: 2.0 ms to plan, 0.3 to run); the live
    # problems check took 7.4 ms of PostgreSQL's processor time, now 2.8 (docs/benchmarks.md). Set
    # POSTGRES_PREPARED_STATEMENTS=false behind a pooler in transaction mode that cannot keep prepared statements.
    # (Django leaves psycopg's preparing off unless a threshold is given.)
    DATABASES["default"].setdefault("OPTIONS", {}).update(server_side_binding=True, prepare_threshold=5)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# The second is Django's ModelBackend, reading each request's user with their roles (config/auth.py). A session
# signed in under another backend's name is signed out, once.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "config.auth.RolesBackend"]
# Sessions last two weeks for volunteers and coordinators; staff sessions end after 12 hours (config/auth.py).
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 14 * 24 * 60 * 60)
# Login throttling (django-axes): 5 failures for one username from one address lock that pair out for
# 15 minutes; a success clears the count. The address comes from config.auth.client_address.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "config.auth.client_address"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Failed attempts are kept (for the admin's "Access attempts"), but no log of every successful login.
AXES_DISABLE_ACCESS_LOG = True
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Language and time: British English (and Welsh for schools in Wales), UK time. The compiled
# translations are committed (locale/cy/LC_MESSAGES/django.mo): no gettext is needed at run time.
LANGUAGE_CODE = "en-gb"
LANGUAGES = [("en-gb", "English"), ("cy", "Cymraeg")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# --- Uploads: no uploaded file is read past MAX_UPLOAD_BYTES (config/uploads.py); each form has its own,
# smaller limit. Other form data is capped at Django's 2.5 MB.
MAX_UPLOAD_BYTES = env_int("MAX_UPLOAD_BYTES", 100 * 1024 * 1024)
FILE_UPLOAD_HANDLERS = [
    "config.uploads.SizeLimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# --- Static files and media (generated packs live in media storage)
STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
# Production serves `collectstatic`'s output through WhiteNoise: hashed names, gzip and Brotli variants,
# cached for a year. In development (DEBUG) the files are served as they are.
STATIC_STORAGE = env_str(
    "STATIC_STORAGE",
    "django.contrib.staticfiles.storage.StaticFilesStorage" if DEBUG
    else "whitenoise.storage.CompressedManifestStaticFilesStorage",
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": STATIC_STORAGE},
}
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))

# --- Content Security Policy: no inline script or style anywhere.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

# --- Background tasks: the database queue and its worker (`make worker`).
TASKS = {"default": {"BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}
# /healthz reports the queue as stalled when a task has waited longer than this.
TASK_QUEUE_STALE_SECONDS = env_int("TASK_QUEUE_STALE_SECONDS", 300)

# --- Email: SMTP (EMAIL_HOST, by default a mail server on this machine); printed to the console
# instead in development (DEBUG on) when no EMAIL_HOST is given.
EMAIL_HOST = env_str("EMAIL_HOST")
MAILERS = {
    "default": (
        {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
        if DEBUG and not EMAIL_HOST
        else {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": EMAIL_HOST or "localhost",
                "port": env_int("EMAIL_PORT", 587 if EMAIL_HOST else 25),
                "username": env_str("EMAIL_HOST_USER"),
                "password": env_str("EMAIL_HOST_PASSWORD"),
                "use_tls": env_bool("EMAIL_USE_TLS", bool(EMAIL_HOST)),
                "timeout": env_int("EMAIL_TIMEOUT", 10),
            },
        }
    )
}
del EMAIL_HOST  # MAILERS holds it; the old-style setting is deprecated
# The display name is quoted: it has full stops, which an unquoted name may not hold, and Django's SMTP
# backend refuses such an address (config/checks.py makes `manage.py check` say so for any sender).
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", '"Speak Out. Stay Safe." <speakout@localhost>')
SERVER_EMAIL = env_str("SERVER_EMAIL") or DEFAULT_FROM_EMAIL

# --- The programme's rules (data the programme can change without a code change).
# A school is due a visit when it has had no delivered visit within this many years.
PROGRAMME_CYCLE_YEARS = env_int("PROGRAMME_CYCLE_YEARS", 2)
# A DBS check is accepted for this many years, unless the volunteer is on the DBS Update Service.
DBS_CHECK_VALID_YEARS = env_int("DBS_CHECK_VALID_YEARS", 3)
# Safeguarding training must have been done within this many years.
SAFEGUARDING_TRAINING_VALID_YEARS = env_int("SAFEGUARDING_TRAINING_VALID_YEARS", 3)
# Warn this many days before a DBS check or training expires.
CLEARANCE_WARNING_DAYS = env_int("CLEARANCE_WARNING_DAYS", 60)
# A DBS check on the Update Service keeps counting only while its status has been checked this recently.
DBS_UPDATE_SERVICE_CHECK_DAYS = env_int("DBS_UPDATE_SERVICE_CHECK_DAYS", 365)
# A volunteer who drops out this close to a visit leaves it needing cover (the dashboard's top list).
COVER_WINDOW_DAYS = env_int("COVER_WINDOW_DAYS", 7)
# Build every upcoming visit's session pack in the task worker as soon as anything it shows changes, so a
# download is never a wait (sessions/packs/ahead.py).
PACKS_BUILT_AHEAD = env_bool("PACKS_BUILT_AHEAD", True)
# The admin's history pages are a record: changes go through the forms and their rules, never a revert.
SIMPLE_HISTORY_REVERT_DISABLED = True
# Volunteers who left more than this many years ago are anonymised by `anonymise_leavers` (run daily).
# Six years: safeguarding records about people who worked with children are commonly kept that long after
# they leave, in case a concern about the past is raised; set the charity's own policy here.
VOLUNTEER_RETENTION_YEARS = env_int("VOLUNTEER_RETENTION_YEARS", 6)
# The term planner (/plan/term/): the most visits it proposes for one volunteer in a month (the
# coordinator may change it per plan), how long its solver may take, and how long drafts are kept.
TERM_PLAN_MONTHLY_CAP = env_int("TERM_PLAN_MONTHLY_CAP", 4)
TERM_PLAN_SOLVER_SECONDS = env_int("TERM_PLAN_SOLVER_SECONDS", 30)
TERM_DRAFT_KEEP_DAYS = env_int("TERM_DRAFT_KEEP_DAYS", 7)

# A shared cache for every web process (the request form's rate limit): the database's by default in
# production (`make serve` creates its table), or memory in development.
CACHE_BACKEND = env_str("CACHE_BACKEND", "locmem" if DEBUG else "database")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    if CACHE_BACKEND == "locmem"
    else {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "speakout_cache"}
}

# Logs: JSON lines on stdout in production (LOG_FORMAT=json, config/logging.py), plain text in development.
LOG_FORMAT = env_str("LOG_FORMAT", "plain" if DEBUG else "json")
# A Server-Timing header on every response (its time and processor time, `app` and `cpu`), for the load test
# (bench/loadtest.py); off in production, where it would tell anyone how long each page takes the server.
SERVER_TIMING = env_bool("SERVER_TIMING", False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "config.logging.JsonFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout",
                             "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": env_log_level("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},  # lockouts are warnings; every successful login is not news
        # Who opened sensitive data (ids only; config/access_log.py): keep these lines whatever LOG_LEVEL says.
        "speakout.access": {"level": "INFO"},
        "speakout.request": {"level": env_log_level("REQUEST_LOG_LEVEL", "INFO")},
        # Our request line replaces Django's own warning for every 404.
        "django.request": {"level": "ERROR"},
        # WeasyPrint logs every layout step of every pack (about 70 lines each) at INFO; its warnings stay.
        "weasyprint": {"level": "WARNING"},
    },
}
