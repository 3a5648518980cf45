"""Site-wide pages: the front page, health check and the favicon."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, current_app, redirect, url_for
from flask_login import current_user

bp = Blueprint("web", __name__)


@bp.get("/")
def index():
    if current_user.is_authenticated:
        return redirect(url_for("admin.dashboard"))
    return redirect(url_for("auth.login"))


@bp.get("/healthz")
def healthz():
    return {"ok": True}


@bp.get("/favicon.ico")
def favicon():
    """Browsers ask every site for /favicon.ico (pupil pages included): answering it keeps
    their consoles free of a 404 error and shows the pupil icon in the tab."""
    icon = Path(current_app.static_folder, "favicon.ico").read_bytes()  # 5 KB
    return current_app.response_class(icon, mimetype="image/vnd.microsoft.icon",
                                       headers={"Cache-Control": "public, max-age=86400"})
