"""The public answering page (stub; being built)."""

from flask import Blueprint

bp = Blueprint("answer", __name__)


@bp.route("/s/<token>", methods=["GET", "POST"])
def form(token: str):
    return "todo"
