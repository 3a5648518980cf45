"""`survey-app backup OUT.tar.gz` and `survey-app restore IN.tar.gz`.

A backup is one tar.gz holding the database (SQLite: a consistent copy made with SQLite's
online backup API while the app keeps running; PostgreSQL: `pg_dump --format=custom`), the
storage directory (uploaded scans, page images, write-in crops) and a manifest. With
STORAGE_BACKEND=database those files are rows of the database, so its copy holds them.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.engine import make_url

from survey_app.storage import storage as stored_files

FORMAT = "survey-app-backup/1"


class BackupError(RuntimeError):
    """Backup or restore cannot go ahead; the message says why and what to do."""


def _sqlite_path(uri: str) -> Path:
    url = make_url(uri)
    if not url.database or url.database == ":memory:":
        raise BackupError("The database is in memory; there is nothing to back up.")
    return Path(url.database)


def _pg_args(uri: str) -> tuple[list[str], dict[str, str]]:
    url = make_url(uri)
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = url.password
    args = ["--host", url.host or "localhost", "--port", str(url.port or 5432)]
    if url.username:
        args += ["--username", url.username]
    return args + ["--dbname", url.database or "postgres"], env


def backup(out: Path) -> dict:
    """Write a backup archive to `out`; return its manifest."""
    uri = current_app.config["SQLALCHEMY_DATABASE_URI"]
    storage = Path(current_app.config["STORAGE_DIR"])
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        if uri.startswith("sqlite"):
            db_file = tmp_path / "database.sqlite3"
            src = sqlite3.connect(_sqlite_path(uri))
            dst = sqlite3.connect(db_file)
            with dst:
                src.backup(dst)
            src.close()
            dst.close()
            kind = "sqlite"
        elif uri.startswith("postgresql"):
            db_file = tmp_path / "database.pgdump"
            args, env = _pg_args(uri)
            if shutil.which("pg_dump") is None:
                raise BackupError("pg_dump is not installed: install the PostgreSQL client "
                                  "(apt-get install postgresql-client).")
            subprocess.run(["pg_dump", "--format=custom", "--no-owner", "--file", str(db_file),
                            *args], check=True, env=env, capture_output=True)
            kind = "postgresql"
        else:
            raise BackupError(f"Backups support SQLite and PostgreSQL, not {uri.split(':')[0]}.")
        # STORAGE_BACKEND=database: the files are rows, already in the database copy.
        manifest = {"format": FORMAT, "database": kind,
                    "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
                    "storage_backend": stored_files().name,
                    "storage_files": len(stored_files().keys())}
        (tmp_path / "manifest.json").write_text(json.dumps(manifest, indent=2))
        partial = out.with_name(out.name + ".partial")
        # Children's answers: readable by this user only, whatever the umask says.
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
            tar.add(tmp_path / "manifest.json", "manifest.json")
            tar.add(db_file, db_file.name)
            if storage.exists():
                tar.add(storage, "storage")
        partial.replace(out)  # never leave a half-written backup under the real name
    return manifest


def restore(archive: Path) -> dict:
    """Replace the database and storage with a backup's (the app must be stopped)."""
    uri = current_app.config["SQLALCHEMY_DATABASE_URI"]
    storage = Path(current_app.config["STORAGE_DIR"])
    with tempfile.TemporaryDirectory() as tmp, tarfile.open(archive, "r:gz") as tar:
        tar.extractall(tmp, filter="data")
        tmp_path = Path(tmp)
        try:
            manifest = json.loads((tmp_path / "manifest.json").read_text())
        except (OSError, ValueError):
            raise BackupError(f"{archive} is not a survey-app backup (no manifest).") from None
        if manifest.get("format") != FORMAT:
            raise BackupError(f"{archive} has an unknown backup format.")
        if manifest["database"] == "sqlite":
            if not uri.startswith("sqlite"):
                raise BackupError("This backup holds a SQLite database but DATABASE_URL is "
                                  "not SQLite.")
            target = _sqlite_path(uri)
            for suffix in ("-wal", "-shm"):
                Path(str(target) + suffix).unlink(missing_ok=True)
            shutil.copyfile(tmp_path / "database.sqlite3", target)
            target.chmod(0o600)
        else:
            if not uri.startswith("postgresql"):
                raise BackupError("This backup holds a PostgreSQL dump but DATABASE_URL is "
                                  "not PostgreSQL.")
            args, env = _pg_args(uri)
            subprocess.run(["pg_restore", "--clean", "--if-exists", "--no-owner", *args,
                            str(tmp_path / "database.pgdump")], check=True, env=env,
                           capture_output=True)
        if storage.exists():
            shutil.rmtree(storage)
        if (tmp_path / "storage").exists():
            shutil.copytree(tmp_path / "storage", storage)
    return manifest


@click.command("backup")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(out: Path) -> None:
    """Back up the database and stored scans into OUT (a .tar.gz)."""
    try:
        manifest = backup(out)
    except (BackupError, subprocess.CalledProcessError, OSError) as exc:
        raise click.ClickException(_message(exc)) from None
    click.echo(f"Backed up the {manifest['database']} database and "
               f"{manifest['storage_files']} stored files to {out}")


@click.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def restore_command(archive: Path, yes: bool) -> None:
    """Replace the database and stored scans with a backup (stop the app first)."""
    if not yes:
        click.confirm("This replaces ALL current data with the backup. Continue?",
                      abort=True)
    try:
        manifest = restore(archive)
    except (BackupError, subprocess.CalledProcessError, OSError, tarfile.TarError) as exc:
        raise click.ClickException(_message(exc)) from None
    click.echo(f"Restored the backup made at {manifest['created_at']}.")


def _message(exc: Exception) -> str:
    if isinstance(exc, subprocess.CalledProcessError):
        return f"{exc.cmd[0]} failed: {exc.stderr.decode(errors='replace').strip()}"
    return str(exc)
