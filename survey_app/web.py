"""Site-wide pages: the front page and health check."""

from __future__ import annotations

from flask import Blueprint, redirect, url_for
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
