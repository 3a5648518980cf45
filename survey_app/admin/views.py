"""Coordinator and teacher pages (stub; being built)."""

from flask import Blueprint
from flask_login import login_required

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/")
@login_required
def dashboard():
    return "todo"
