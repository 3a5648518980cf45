"""The answering page as an installable web app that keeps answers through a dropped
connection: its service worker, its web app manifest, and when a late answer was given.

The browser side lives in static files: `outbox.js` (answers waiting in IndexedDB, sent
with their own submission id when the connection returns, so the server's unique key
stores each exactly once), `offline.js` (the page's part) and `answer-sw.js` (the
service worker, which keeps the page and its files so that a reload or "Next pupil"
works offline). Without JavaScript none of it runs and the form posts as it always did.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, url_for
from sqlalchemy import select

from survey_app.answer.wtf import WAITED_FIELD
from survey_app.extensions import db
from survey_app.languages import html_lang, in_language
from survey_app.models import Collection
from survey_app.models.base import utcnow

bp = Blueprint("answer_offline", __name__)

#: Longer waits are counted as this long: a tablet left in a cupboard for a term should
#: not date an answer before the survey existed.
LONGEST_WAIT = timedelta(days=7)
#: Kept by the service worker for offline use (the page itself is kept per survey link).
OFFLINE_FILES = ("app.css", "answer.css", "answer.js", "outbox.js", "offline.js",
                 "icons/pupil-192.png", "icons/done.svg")
WORKER_FILE = "answer-sw.js"
#: The pupil pages' background and accent (answer.css), for the installed app's frame.
BACKGROUND = "#f4f1e8"
THEME = "#1d4f91"


def answered_at(form) -> datetime | None:
    """When Send was pressed, for answers that waited in the browser; None when they came
    straight away or the wait is not a number (a bad value never costs the answers)."""
    raw = form.get(WAITED_FIELD, "")
    if not raw.isdigit() or len(raw) > 15:
        return None
    waited = min(timedelta(milliseconds=int(raw)), LONGEST_WAIT)
    return utcnow() - waited


#: (mtimes) -> the worker script, so each navigation's update check costs a few stats.
_worker_cache: dict[tuple, bytes] = {}


def _worker_script() -> bytes:
    """The worker: its list of files and a version (a hash of their contents, so any
    change to them makes browsers fetch the new set) put in front of the static script."""
    static = Path(current_app.static_folder)
    paths = [static / WORKER_FILE, *(static / name for name in OFFLINE_FILES)]
    key = tuple(p.stat().st_mtime_ns for p in paths)
    body = _worker_cache.get(key)
    if body is None:
        digest = hashlib.sha256()
        for p in paths:
            digest.update(p.read_bytes())
        files = [url_for("static", filename=name) for name in OFFLINE_FILES]
        head = (f"var VERSION = {json.dumps(digest.hexdigest()[:16])};\n"
                f"var OFFLINE_FILES = {json.dumps(files)};\n"
                f"var OUTBOX_SCRIPT = {json.dumps(url_for('static', filename='outbox.js'))};\n")
        body = head.encode() + paths[0].read_bytes()
        _worker_cache.clear()
        _worker_cache[key] = body
    return body


@bp.get("/s/sw.js")
def service_worker():
    """Served under /s/ so that its scope is every survey link and nothing else."""
    return Response(_worker_script(), mimetype="text/javascript",
                    headers={"Cache-Control": "no-cache"})


@bp.get("/s/<token>/manifest.webmanifest")
def manifest(token: str):
    """Installing a survey link puts it on the tablet's home screen, opening full screen."""
    collection = db.session.scalar(select(Collection).where(Collection.public_token == token))
    if collection is None:
        abort(404)
    survey = in_language(collection.survey_version.definition, collection.language)
    start = url_for("answer.form", token=token)
    body = {
        "id": start, "name": survey.title, "short_name": survey.title[:12],
        "start_url": start, "scope": start, "display": "standalone",
        "lang": html_lang(collection.language),
        "background_color": BACKGROUND, "theme_color": THEME,
        "icons": [
            {"src": url_for("static", filename=f"icons/pupil-{px}.png"),
             "sizes": f"{px}x{px}", "type": "image/png", "purpose": "any"}
            for px in (192, 512)
        ] + [{"src": url_for("static", filename="icons/pupil-512.png"), "sizes": "512x512",
              "type": "image/png", "purpose": "maskable"}],
    }
    return Response(json.dumps(body), mimetype="application/manifest+json",
                    headers={"Cache-Control": "private, max-age=300"})
