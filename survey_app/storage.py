"""Where scan uploads, page images and write-in crops are kept: one interface, two places.

- `local` (the default): files under STORAGE_DIR, named by their key ("pages/12/3.jpg").
  Right for one machine, or several sharing one disk.
- `database`: rows of the `stored_file` table. Every app server and worker that shares
  the PostgreSQL sees the same files with no shared disk, and `pg_dump` (so
  `survey-app backup`) holds them with the answers that point at them.

STORAGE_BACKEND chooses (config.py). Everything that writes, reads or deletes these files
goes through `storage()`, never through a path, so either backend serves every route.

Writes are never half-done under the real key: the local folder writes a temporary file
and renames it; the database writes the row in the caller's transaction, so a page and
its image are committed together or not at all. A key written twice is overwritten (a
resumed scan job writes the same names again rather than orphaning files).
"""

from __future__ import annotations

import mimetypes
import os
import tempfile
from pathlib import Path
from typing import Protocol

from flask import current_app
from sqlalchemy import delete, func, select

BACKENDS = ("local", "database")


class Storage(Protocol):
    """What the scan import, the review pages, erasure and backup need of a file store."""

    name: str

    def put(self, key: str, data: bytes) -> str:
        """Store `data` under `key` (replacing what was there); returns the key."""

    def get(self, key: str) -> bytes:
        """The stored bytes; FileNotFoundError when there are none."""

    def exists(self, key: str) -> bool: ...

    def delete(self, key: str) -> None:
        """Remove `key` if it is there (a missing key is not an error)."""

    def delete_many(self, keys) -> list[str]:
        """Remove every key (missing ones are fine); returns "key: why" for each that
        could not be removed, and goes on with the rest."""

    def keys(self) -> list[str]:
        """Every stored key, sorted (backup manifests and tests count them)."""

    def source(self, key: str) -> Path | bytes:
        """What `scanner.inputs.open_scan` should open: a path where there is one (a
        200 MB upload is then not read into memory), else the bytes."""


def _safe_key(key: str) -> str:
    """Keys are made by the app ("uploads/ab/<sha256>"), never by a user; refuse anything
    that could leave the storage folder all the same."""
    parts = key.split("/")
    if not key or key.startswith("/") or any(p in ("", ".", "..") for p in parts):
        raise ValueError(f"not a storage key: {key!r}")
    return key


class LocalStorage:
    """Files in a folder (STORAGE_DIR)."""

    name = "local"

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def path(self, key: str) -> Path:
        return self.root / _safe_key(key)

    def put(self, key: str, data: bytes) -> str:
        """Via a temporary file and a rename, so a crash or a full disk never leaves a
        half-written file under the real name."""
        path = self.path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".part-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return key

    def get(self, key: str) -> bytes:
        return self.path(key).read_bytes()

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)

    def delete_many(self, keys) -> list[str]:
        failed = []
        for key in keys:
            try:
                self.delete(key)
            except OSError as exc:
                failed.append(f"{key}: {exc.strerror or exc}")
        return failed

    def keys(self) -> list[str]:
        if not self.root.exists():
            return []
        return sorted(p.relative_to(self.root).as_posix() for p in self.root.rglob("*")
                      if p.is_file() and not p.name.startswith(".part-"))

    def source(self, key: str) -> Path:
        path = self.path(key)
        if not path.is_file():
            raise FileNotFoundError(f"stored file {key} is missing")
        return path


class DatabaseStorage:
    """Rows of `stored_file`, through the app's database session.

    `put` joins the caller's transaction (the caller commits, as it does for the rows that
    name the file); `delete` commits at once, because callers delete files only after
    committing the rows that pointed at them (erasure, deleting a batch)."""

    name = "database"

    def put(self, key: str, data: bytes) -> str:
        from survey_app.extensions import db
        from survey_app.models.base import utcnow
        from survey_app.models.storage import StoredFile

        values = {"key": _safe_key(key), "data": data, "size": len(data),
                  "created_at": utcnow()}
        if db.engine.dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        stmt = insert(StoredFile).values(**values)
        db.session.execute(stmt.on_conflict_do_update(
            index_elements=[StoredFile.key],
            set_={"data": stmt.excluded.data, "size": stmt.excluded.size,
                  "created_at": stmt.excluded.created_at}))
        return key

    def get(self, key: str) -> bytes:
        from survey_app.extensions import db
        from survey_app.models.storage import StoredFile

        data = db.session.scalar(select(StoredFile.data).where(StoredFile.key == key))
        if data is None:
            raise FileNotFoundError(f"stored file {key} is missing")
        return bytes(data)

    def exists(self, key: str) -> bool:
        from survey_app.extensions import db
        from survey_app.models.storage import StoredFile

        return db.session.scalar(select(func.count()).select_from(StoredFile)
                                 .where(StoredFile.key == key)) > 0

    def delete(self, key: str) -> None:

        self.delete_many([key])

    def delete_many(self, keys) -> list[str]:
        from survey_app.extensions import db
        from survey_app.models.storage import StoredFile

        keys = sorted(set(keys))
        for start in range(0, len(keys), 500):
            db.session.execute(delete(StoredFile).where(
                StoredFile.key.in_(keys[start:start + 500])))
        db.session.commit()
        return []

    def keys(self) -> list[str]:
        from survey_app.extensions import db
        from survey_app.models.storage import StoredFile

        return list(db.session.scalars(select(StoredFile.key).order_by(StoredFile.key)))

    def source(self, key: str) -> bytes:
        return self.get(key)


def storage() -> Storage:
    """The store this app is configured with (STORAGE_BACKEND, default `local`)."""
    backend = current_app.config["STORAGE_BACKEND"]
    if backend == "database":
        return DatabaseStorage()
    return LocalStorage(current_app.config["STORAGE_DIR"])


def mimetype(key: str) -> str:
    """The content type of a stored image, from the extension its key was given."""
    return mimetypes.guess_type(key)[0] or "application/octet-stream"
