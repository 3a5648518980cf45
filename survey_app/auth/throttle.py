"""Sign-in throttling: wrong passwords are counted per (client address, email) and, more
generously, per client address. Successful sign-ins cost nothing, so one person mistyping
(or someone guessing one account) does not lock out everyone behind the same school NAT or
proxy. The counts live in the rate-limit storage (RATELIMIT_STORAGE_URI)."""

from __future__ import annotations

from flask import current_app
from limits import parse_many

from survey_app.extensions import limiter

#: (setting, key prefix, whether the email is part of the key)
_LIMITS = (("LOGIN_RATE_LIMIT", "login-fail", True),
           ("LOGIN_ADDRESS_RATE_LIMIT", "login-fail-address", False))


def _keyed(address: str, email: str):
    for setting, prefix, by_email in _LIMITS:
        key = (prefix, address, email[:254]) if by_email else (prefix, address)
        for item in parse_many(current_app.config[setting]):
            yield item, key


def sign_in_blocked(address: str, email: str) -> bool:
    """Too many wrong passwords lately from this address (for this email, or at all)."""
    if not limiter.enabled:
        return False
    return any(not limiter.limiter.test(item, *key) for item, key in _keyed(address, email))


def count_failure(address: str, email: str) -> None:
    if limiter.enabled:
        for item, key in _keyed(address, email):
            limiter.limiter.hit(item, *key)
