"""Consistent backups of the live database, and restoring one.

SQLite: the online backup API copies a consistent snapshot while the app keeps running.
PostgreSQL: pg_dump's custom format, restored with pg_restore.
"""

import os
import sqlite3
import subprocess
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


def restore(*, source: Path) -> None:
    """Replace the database's contents with the backup at `source`. Side effects: overwrites all data."""
    if not source.is_file():
        raise FileNotFoundError(f"No backup at {source}")
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        with sqlite3.connect(source) as backup_db:
            backup_db.backup(connection.connection)
        return
    if connection.vendor == "postgresql":
        connection.close()
        args, env = _pg_env()
        subprocess.run(
            ["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction", *args, str(source)],
            env=env,
            check=True,
        )
        return
    raise NotImplementedError(f"No restore method for {connection.vendor}")
