"""Site-wide protections: headers, sign-in rate limit, cookies, production settings."""

import pytest

from survey_app import create_app
from survey_app.config import ConfigError
from tests.conftest import csrf_from


def test_security_headers_on_every_page(client):
    resp = client.get("/login")
    csp = resp.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["X-Frame-Options"] == "SAMEORIGIN"


def test_login_attempts_are_rate_limited(app, client, coordinator):
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    token = csrf_from(client.get("/login").get_data(as_text=True))
    codes = [
        client.post("/login", data={"email": coordinator.email, "password": "wrong guess",
                                    "csrf_token": token}).status_code
        for _ in range(4)
    ]
    assert codes[:3] == [200, 200, 200]
    assert codes[3] == 429
    # Even the right password is refused while the limit holds.
    resp = client.post("/login", data={"email": coordinator.email,
                                       "password": "correct horse battery", "csrf_token": token})
    assert resp.status_code == 429


def test_session_cookie_flags(app, client, coordinator):
    token = csrf_from(client.get("/login").get_data(as_text=True))
    resp = client.post("/login", data={"email": coordinator.email,
                                       "password": "correct horse battery", "csrf_token": token})
    cookie = resp.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # a classroom laptop on plain HTTP must still work


def test_https_deployment_sets_secure_cookies(monkeypatch, tmp_path):
    monkeypatch.setenv("HTTPS", "1")
    monkeypatch.setenv("SURVEY_APP_INSTANCE", str(tmp_path))
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["SESSION_COOKIE_SECURE"] is True


@pytest.mark.parametrize("key", ["", "short"])
def test_production_refuses_to_start_without_real_secret_key(monkeypatch, tmp_path, key):
    monkeypatch.setenv("SURVEY_APP_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", key)
    monkeypatch.setenv("SURVEY_APP_INSTANCE", str(tmp_path))
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app()


def test_login_without_csrf_token_is_refused(client, coordinator):
    resp = client.post("/login", data={"email": coordinator.email,
                                       "password": "correct horse battery"})
    assert resp.status_code == 400
    assert client.get("/admin/").status_code == 302  # still signed out


def test_public_links_carry_at_least_128_random_bits():
    import math

    from survey_app.models.collections import new_public_token

    tokens = {new_public_token() for _ in range(2000)}
    assert len(tokens) == 2000
    alphabet = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    for t in tokens:
        assert set(t) <= alphabet
        assert len(t) * math.log2(len(alphabet)) >= 128
