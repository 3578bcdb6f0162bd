"""Consistent backups of the live database, and restoring one.

SQLite: the online backup API copies a consistent snapshot while the app keeps running.
PostgreSQL: pg_dump's custom format, restored with pg_restore.
"""

import os
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

from django.db import connection


def _pg_env() -> tuple[list[str], dict[str, str]]:
    params = connection.settings_dict
    args = ["--dbname", params["NAME"]]
    if params.get("HOST"):
        args += ["--host", params["HOST"]]
    if params.get("PORT"):
        args += ["--port", str(params["PORT"])]
    if params.get("USER"):
        args += ["--username", params["USER"]]
    env = {**os.environ}
    if params.get("PASSWORD"):
        env["PGPASSWORD"] = params["PASSWORD"]
    return args, env


def backup(*, to: Path) -> Path:
    """Write a consistent copy of the database to `to`. Side effects: creates the file."""
    to.parent.mkdir(parents=True, exist_ok=True)
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        with sqlite3.connect(to) as target:
            connection.connection.backup(target)
        return to
    if connection.vendor == "postgresql":
        args, env = _pg_env()
        subprocess.run(["pg_dump", "--format=custom", "--no-owner", "--file", str(to), *args], env=env, check=True)
        return to
    raise NotImplementedError(f"No backup method for {connection.vendor}")


class NotABackup(Exception):
    """The file cannot be restored into this database; the message says why and that nothing changed."""

    def __init__(self, source: Path, reason: str) -> None:
        super().__init__(f"{source} is not a backup this database can be restored from: {reason} Nothing was changed.")


def check_backup(source: Path) -> None:
    """Raise NotABackup unless `source` reads whole as a backup of this app for this database. Side effects: none
    (the file is opened read-only)."""
    if not source.is_file():
        raise NotABackup(source, "there is no file there.")
    if connection.vendor == "sqlite":
        _check_sqlite_backup(source)
    elif connection.vendor == "postgresql":
        args, env = _pg_env()
        listed = subprocess.run(["pg_restore", "--list", str(source)], env=env, capture_output=True, text=True)
        if listed.returncode != 0:
            raise NotABackup(source, f"pg_restore cannot read it ({_first_line(listed.stderr)}); make restore needs "
                                     "a file made by make backup from a PostgreSQL database.")


def _check_sqlite_backup(source: Path) -> None:
    try:
        with closing(sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)) as backup_db:
            problems = [row[0] for row in backup_db.execute("PRAGMA integrity_check")]
            if problems != ["ok"]:
                raise NotABackup(source, f"the SQLite file is damaged ({problems[0]}).")
            found = backup_db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'django_migrations'")
            if found.fetchone() is None:
                raise NotABackup(source, "it is an SQLite database, but not one of this app (it has no migrations).")
    except sqlite3.DatabaseError as error:
        raise NotABackup(source, f"SQLite cannot read it ({error}); make restore needs a file made by make backup "
                                 "from an SQLite database.") from error


def _first_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[0] if lines else "no reason given"


def restore(*, source: Path) -> None:
    """Replace the database's contents with the backup at `source`. Side effects: overwrites all data.

    Raises NotABackup, having changed nothing, for a file that is not a whole backup for this database: it is
    checked first (SQLite's integrity check; pg_restore's table of contents), and PostgreSQL's restore runs in
    one transaction, so a file that fails part-way leaves the data as it was."""
    check_backup(source)
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        with closing(sqlite3.connect(source)) as backup_db:
            backup_db.backup(connection.connection)
        return
    if connection.vendor == "postgresql":
        connection.close()
        args, env = _pg_env()
        restored = subprocess.run(
            ["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction", *args, str(source)],
            env=env, capture_output=True, text=True,
        )
        if restored.returncode != 0:
            raise NotABackup(source, f"pg_restore stopped part-way ({_first_line(restored.stderr)}) and undid "
                                     "everything it had done.")
        return
    raise NotImplementedError(f"No restore method for {connection.vendor}")
