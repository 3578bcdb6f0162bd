"""The national-scale data set the benchmarks run on, built once with `seed_demo` and reused.

SQLite: a file in bench/data/ (not in git). PostgreSQL: the database named by DATABASE_URL. Either is
reused while it was built from the same migrations with the same seed_demo arguments (a hash of both,
the stamp, is kept beside the SQLite file and in a one-row table in PostgreSQL); otherwise it is
rebuilt, which takes a few minutes. Building runs the ordinary management commands in a child process,
so what is measured is exactly what `migrate`, `load_reference_data` and `seed_demo` make.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs, urlparse

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "bench" / "data"
SQLITE_FILE = DATA_DIR / "national.sqlite3"
SQLITE_STAMP = DATA_DIR / "national.stamp"
# The national scale: about 20,000 primary schools, 3,000 volunteers, a decade of visits.
SEED_ARGS = ["--seed", "2026", "--schools", "20000", "--volunteers", "3000", "--visits", "100000"]
STAMP_TABLE = "bench_dataset_stamp"


def stamp() -> str:
    """A hash of every migration file and the seed arguments: a new migration means a new data set."""
    digest = hashlib.sha256(" ".join(SEED_ARGS).encode())
    for path in sorted(ROOT.glob("*/migrations/*.py")):
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def sqlite_url(path: Path = SQLITE_FILE) -> str:
    return f"sqlite:///{path}"


def is_postgres(url: str) -> bool:
    return url.startswith(("postgres://", "postgresql://", "pgsql://"))


def manage(url: str, *args: str) -> None:
    """Run a management command against `url`, in a child process, failing loudly."""
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "false"}
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], cwd=ROOT, env=env, check=True)


def build(url: str, log) -> None:
    started = time.perf_counter()
    log(f"Building the national data set ({' '.join(SEED_ARGS)}); this takes a few minutes…")
    manage(url, "migrate", "--no-input", "-v", "0")
    manage(url, "load_reference_data", "-v", "0")
    manage(url, "seed_demo", *SEED_ARGS, "-v", "1")
    log(f"Built in {time.perf_counter() - started:.0f} s.")


def ensure_sqlite(*, rebuild: bool, log) -> str:
    """The SQLite data set's URL, built first when missing, stale or asked for."""
    wanted = stamp()
    if not rebuild and SQLITE_FILE.exists() and SQLITE_STAMP.exists() and SQLITE_STAMP.read_text().strip() == wanted:
        log(f"Reusing {SQLITE_FILE.relative_to(ROOT)} (stamp {wanted}).")
        return sqlite_url()
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    # Built under another name and moved into place at the end: a build cut short is never reused.
    building = DATA_DIR / "national.building.sqlite3"
    for leftover in DATA_DIR.glob("national*.sqlite3*"):
        leftover.unlink()
    SQLITE_STAMP.unlink(missing_ok=True)
    build(sqlite_url(building), log)
    import sqlite3

    with sqlite3.connect(building) as db:  # fold the write-ahead log into the file before moving it
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db.execute("PRAGMA journal_mode=DELETE")
    building.rename(SQLITE_FILE)
    SQLITE_STAMP.write_text(wanted + "\n")
    return sqlite_url()


def _pg_connect(url: str):
    import psycopg

    parsed = urlparse(url)
    params = {key: values[-1] for key, values in parse_qs(parsed.query).items()}
    return psycopg.connect(
        dbname=parsed.path.lstrip("/"),
        user=parsed.username or None,
        password=parsed.password or None,
        host=parsed.hostname or params.get("host"),
        port=parsed.port or None,
        autocommit=True,
    )


def ensure_postgres(url: str, *, rebuild: bool, log) -> str:
    """The PostgreSQL data set in DATABASE_URL's database, rebuilt (schema dropped) when stale."""
    wanted = stamp()
    with _pg_connect(url) as db:
        found = None
        if db.execute("SELECT to_regclass(%s)", [STAMP_TABLE]).fetchone()[0]:
            row = db.execute(f"SELECT stamp FROM {STAMP_TABLE}").fetchone()
            found = row[0] if row else None
        if not rebuild and found == wanted:
            log(f"Reusing PostgreSQL database {db.info.dbname} (stamp {wanted}).")
            return url
        log(f"Emptying PostgreSQL database {db.info.dbname} for a new data set.")
        db.execute("DROP SCHEMA public CASCADE")
        db.execute("CREATE SCHEMA public")
    build(url, log)
    with _pg_connect(url) as db:
        db.execute("VACUUM ANALYZE")  # what autovacuum would soon do on a live server
        db.execute(f"CREATE TABLE {STAMP_TABLE} (stamp text NOT NULL)")
        db.execute(f"INSERT INTO {STAMP_TABLE} VALUES (%s)", [wanted])
    return url
