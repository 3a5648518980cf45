"""CSV and codebook downloads for coordinators and teachers (stub; being built)."""

from flask import Blueprint

bp = Blueprint("export", __name__, url_prefix="/admin/export")
