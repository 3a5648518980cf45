"""Public links for collections: what the QR code carries."""

from __future__ import annotations

from flask import current_app, has_request_context, request

from survey_app.models import Collection

#: The answering page's path; the answer blueprint's route uses the same prefix.
ANSWER_PREFIX = "/s/"
DEFAULT_BASE = "http://127.0.0.1:5000"


def public_url(collection: Collection) -> str:
    """The answering link, on PUBLIC_BASE_URL when set (the laptop's network address when
    serving the classroom), else on the host the request came in on."""
    base = current_app.config.get("PUBLIC_BASE_URL") or ""
    if not base:
        base = request.host_url if has_request_context() else DEFAULT_BASE
    return base.rstrip("/") + ANSWER_PREFIX + collection.public_token
