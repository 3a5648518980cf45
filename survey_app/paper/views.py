"""Printing paper copies (and later scanning them) (stub; being built)."""

from flask import Blueprint

bp = Blueprint("paper", __name__, url_prefix="/admin/paper")
