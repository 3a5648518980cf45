"""Public links for collections: what the QR code carries, and the /join address."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from flask import current_app, has_request_context, request
from flask_babel import LazyString, lazy_gettext

from survey_app.models import Collection

#: The answering page's path; the answer blueprint's route uses the same prefix.
ANSWER_PREFIX = "/s/"
#: The page where a pupil types a collection's join code (survey_app.join.views).
JOIN_PATH = "/join"
DEFAULT_BASE = "http://127.0.0.1:5000"


def public_base() -> str:
    """The address QR codes carry: PUBLIC_BASE_URL when set (the laptop's network address
    when serving the classroom), else the host the request came in on."""
    base = current_app.config["PUBLIC_BASE_URL"]
    if not base:
        base = request.host_url if has_request_context() else DEFAULT_BASE
    return base.rstrip("/")


def public_url(collection: Collection) -> str:
    """The answering link (the unguessable one, in the QR code)."""
    return public_base() + ANSWER_PREFIX + collection.public_token


def join_url() -> str:
    """Where pupils type a join code by hand."""
    return public_base() + JOIN_PATH


def unreachable_from_phones(base: str) -> bool:
    """True when a phone on the network cannot open `base`: loopback (127.0.0.0/8, ::1,
    localhost), 'every interface' (0.0.0.0, ::) or a link-local address."""
    host = (urlsplit(base).hostname or "").lower().rstrip(".")
    if host == "localhost" or host.endswith(".localhost") or not host:
        return True
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return False  # a name: assume the school's DNS resolves it
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_loopback or ip.is_unspecified or ip.is_link_local


def reach() -> dict:
    """For the pages that hand out links: the base address, and whether phones can open it."""
    base = public_base()
    return {"base": base, "unreachable": unreachable_from_phones(base)}


def cover_web_text(collection: Collection) -> LazyString:
    """The class pack cover's "answer online instead" text: the link, and the join code.

    Lazy: it becomes words in the language active when it is turned to text, so a Welsh
    cover (drawn under `force_locale`) says it in Welsh whatever the staff page's language,
    and an English letter home (`paper.letters`) says it in English."""
    from survey_app.join.codes import format_join_code

    return lazy_gettext("%(link)s (or open %(join)s and type the code %(code)s)",
                        link=public_url(collection), join=join_url(),
                        code=format_join_code(collection.join_code))
