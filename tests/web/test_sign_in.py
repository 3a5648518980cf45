"""Sign-in against guessing (issue 12, items 6 and 7): only wrong passwords are counted,
per (address, email) and more generously per address; X-Forwarded-For is believed only
from TRUSTED_PROXIES; an unknown email costs the same password hash as a known one."""

from __future__ import annotations

import io

import pytest
import werkzeug.security

from survey_app import create_app
from survey_app.admin.operations import SetupError, resolve_partnership
from survey_app.auth.operations import create_user
from survey_app.config import ConfigError
from survey_app.extensions import db
from tests.conftest import csrf_from, login_as, make_user
from tests.web.test_sessions import _nothing_kept_in_g_between_requests  # noqa: F401

PASSWORD = "correct horse battery"


def _try(client, email: str, password: str, **kwargs) -> int:
    token = csrf_from(client.get("/login", **kwargs).get_data(as_text=True))
    resp = client.post("/login", data={"email": email, "password": password,
                                       "csrf_token": token}, **kwargs)
    if resp.status_code == 302:  # signed in: sign out again for the next try
        page = client.get("/admin/", **kwargs).get_data(as_text=True)
        client.post("/logout", data={"csrf_token": csrf_from(page)}, **kwargs)
    return resp.status_code


def test_ten_wrong_passwords_for_one_email_do_not_lock_out_another(app, coordinator,
                                                                   partnership):
    teacher = make_user(partnership, "t@oak.example", "teacher", "Oak Primary")
    guesser, colleague = app.test_client(), app.test_client()  # same address (127.0.0.1)
    codes = [_try(guesser, coordinator.email, f"wrong guess {i}") for i in range(11)]
    assert codes == [200] * 10 + [429]
    # Even the right password is refused for that email from that address while it holds.
    assert _try(guesser, coordinator.email, PASSWORD) == 429
    # Someone else behind the same NAT signs in as usual.
    assert _try(colleague, teacher.email, PASSWORD) == 302


def test_successful_sign_ins_do_not_count(app, client, coordinator):
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    app.config["LOGIN_ADDRESS_RATE_LIMIT"] = "3 per minute"
    assert [_try(client, coordinator.email, PASSWORD) for _ in range(8)] == [302] * 8


def test_failures_per_address_are_limited_across_emails(app, client, coordinator):
    app.config["LOGIN_ADDRESS_RATE_LIMIT"] = "5 per minute"
    codes = [_try(client, f"nobody{i}@example.org", "a guess!") for i in range(6)]
    assert codes == [200] * 5 + [429]
    assert _try(client, coordinator.email, PASSWORD) == 429
    # Another address is not affected.
    assert _try(client, coordinator.email, PASSWORD,
                environ_base={"REMOTE_ADDR": "192.0.2.7"}) == 302


def test_forwarded_for_is_ignored_unless_from_a_trusted_proxy(app, client, coordinator):
    app.config["LOGIN_RATE_LIMIT"] = "2 per minute"
    # Not configured: a client cannot dodge the limit by inventing X-Forwarded-For.
    codes = [_try(client, coordinator.email, "wrong guess",
                  headers={"X-Forwarded-For": f"198.51.100.{i}"}) for i in range(3)]
    assert codes == [200, 200, 429]


def test_forwarded_for_from_a_trusted_proxy_names_the_client(monkeypatch, tmp_path,
                                                             db_uri):
    monkeypatch.setenv("SURVEY_APP_INSTANCE", str(tmp_path))
    monkeypatch.setenv("TRUSTED_PROXIES", "10.0.0.0/8, 127.0.0.1")
    app = create_app({"SQLALCHEMY_DATABASE_URI": db_uri, "TESTING": True,
                      "SECRET_KEY": "t", "LOGIN_RATE_LIMIT": "2 per minute"})
    with app.app_context():
        p = resolve_partnership("P", create=True)
        make_user(p, "c@example.org", "coordinator")
        client = app.test_client()
        via = {"environ_base": {"REMOTE_ADDR": "10.1.2.3"}}
        pupil_pc = {"headers": {"X-Forwarded-For": "203.0.113.5"}, **via}
        staff_pc = {"headers": {"X-Forwarded-For": "203.0.113.9"}, **via}
        assert [_try(client, "c@example.org", "nope", **pupil_pc) for _ in range(3)] \
            == [200, 200, 429]
        # The proxy passes a different client: that one is not locked out.
        assert _try(client, "c@example.org", PASSWORD, **staff_pc) == 302
        # From an untrusted address the header is ignored (counted by the real address).
        assert [_try(client, "c@example.org", "nope", environ_base={
            "REMOTE_ADDR": "192.0.2.1"}, headers={"X-Forwarded-For": f"203.0.113.{i}"})
            for i in range(20, 23)] == [200, 200, 429]
        db.session.remove()
        db.engine.dispose()


def test_bad_trusted_proxies_setting_is_refused(monkeypatch, tmp_path):
    monkeypatch.setenv("SURVEY_APP_INSTANCE", str(tmp_path))
    monkeypatch.setenv("TRUSTED_PROXIES", "nginx.local")
    with pytest.raises(ConfigError, match="TRUSTED_PROXIES"):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})


@pytest.fixture
def hash_calls(monkeypatch):
    """How many password hashes are computed (scrypt/pbkdf2 all go through here)."""
    calls = []
    real = werkzeug.security._hash_internal

    def counting(*args, **kwargs):
        calls.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(werkzeug.security, "_hash_internal", counting)
    return calls


@pytest.mark.parametrize("who", ["known, wrong password", "unknown email",
                                 "no password set yet"])
def test_every_failed_sign_in_costs_one_password_hash(client, coordinator, partnership,
                                                      hash_calls, who):
    user, _ = create_user(partnership, "new@oak.example", "teacher", "Oak Primary")
    db.session.commit()
    email = {"known, wrong password": coordinator.email, "unknown email": "who@nowhere.example",
             "no password set yet": user.email}[who]
    token = csrf_from(client.get("/login").get_data(as_text=True))
    hash_calls.clear()
    resp = client.post("/login", data={"email": email, "password": "wrong guess!",
                                       "csrf_token": token})
    assert resp.status_code == 200
    assert "do not match" in resp.get_data(as_text=True)
    assert len(hash_calls) == 1
    assert hash_calls[0].startswith("scrypt")  # the same method as real passwords


def test_an_email_of_another_partnership_is_not_confirmed(app, coordinator):
    other = resolve_partnership("Hillside Partnership", create=True)
    make_user(other, "head@hill.example", "teacher", "Hill Primary")
    mine = coordinator.partnership
    with pytest.raises(SetupError) as taken_elsewhere:
        create_user(mine, "head@hill.example", "teacher", "Oak Primary")
    db.session.rollback()
    message = str(taken_elsewhere.value)
    assert "already" not in message
    assert "account for head@hill.example" in message
    assert "another email" in message
    # In one's own partnership the list shows it anyway, so it is said plainly.
    with pytest.raises(SetupError, match="There is already an account"):
        create_user(mine, coordinator.email, "coordinator")


class HugeBody(io.RawIOBase):
    """A request body of `size` bytes made as it is read; `read_bytes` says how far the
    server got before refusing it."""

    def __init__(self, size: int):
        self.size, self.pos, self.read_bytes = size, 0, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = 0) -> int:
        self.pos = self.size + offset if whence == 2 else offset
        return self.pos

    def tell(self) -> int:
        return self.pos

    def readinto(self, buf) -> int:
        n = min(len(buf), self.size - self.pos)
        buf[:n] = b"a" * n
        self.pos += n
        self.read_bytes += n
        return n


def post_huge(client, path: str, size: int = 100 * 1024 * 1024):
    body = HugeBody(size)
    resp = client.post(path, input_stream=body, content_length=size,
                       content_type="application/x-www-form-urlencoded")
    return resp, body.read_bytes


@pytest.mark.parametrize("path", ["/login", "/set-password/some-token"])
def test_sign_in_refuses_a_huge_body_without_reading_it(client, path):
    resp, read = post_huge(client, path)
    assert resp.status_code == 413
    assert read < 64 * 1024


def test_login_as_still_works(client, coordinator):
    login_as(client, coordinator.email)
    assert client.get("/admin/").status_code == 200
