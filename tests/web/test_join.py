"""Joining a survey by its short code: codes, /join, the guessing limit, the reach warning."""

from __future__ import annotations

import random

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import select
from werkzeug.test import EnvironBuilder

from survey_app.admin.operations import create_collection
from survey_app.erasure.operations import erase_collection
from survey_app.extensions import db
from survey_app.join.codes import (
    JOIN_ALPHABET,
    format_join_code,
    normalise_join_code,
    random_join_code,
)
from survey_app.models import Collection, UsedJoinCode
from survey_app.serve import startup_message
from survey_app.urls import unreachable_from_phones
from tests.conftest import login_as, make_user


@pytest.fixture
def oak(app, partnership, loaded_bank):
    c = create_collection(partnership, survey_code="pupil_attitudes_5_7",
                          school_name="Oak Primary", group_name="Year 2 Robins", phase="before")
    db.session.commit()
    return c


def _try(client, code: str, address: str = "10.0.0.7"):
    return client.get("/join", query_string={"code": code},
                      environ_base={"REMOTE_ADDR": address})


def test_alphabet_has_no_look_alikes():
    assert len(JOIN_ALPHABET) == 31
    assert not set("01ILO-_ lio") & set(JOIN_ALPHABET)
    code = random_join_code()
    assert len(code) == 6
    assert set(code) <= set(JOIN_ALPHABET)
    assert format_join_code("K7FQ2M") == "K7F-Q2M"


@pytest.mark.parametrize("typed", ["K7F-Q2M", "k7fq2m", " k7f q2m ", "K7F_Q2M", "k-7-f-q-2-m"])
def test_typed_codes_are_forgiven_case_spaces_and_dashes(typed):
    assert normalise_join_code(typed) == "K7FQ2M"


@pytest.mark.parametrize("typed", ["", "K7F", "K7FQ2MX", "K7FQ2O", "K7FQ21", "K7FQ2!"])
def test_impossible_codes_are_rejected(typed):
    assert normalise_join_code(typed) is None


def test_every_collection_gets_a_unique_code_recorded_as_used(app, partnership, loaded_bank):
    made = [create_collection(partnership, survey_code="pupil_attitudes_5_7",
                              school_name="Oak Primary", group_name=f"Group {i}",
                              phase="before") for i in range(5)]
    db.session.commit()
    codes = [c.join_code for c in made]
    assert len(set(codes)) == 5
    assert all(normalise_join_code(c) == c for c in codes)
    assert set(db.session.scalars(select(UsedJoinCode.code))) >= set(codes)


def test_an_erased_collections_code_is_never_issued_again(app, partnership, oak, monkeypatch):
    old = oak.join_code
    erase_collection(oak, actor="test")
    db.session.commit()
    assert db.session.scalar(select(Collection).where(Collection.join_code == old)) is None
    # The next draw is the erased code, then a fresh one: the fresh one must be chosen.
    draws = iter([old, "ABC234"])
    monkeypatch.setattr("survey_app.models.collections.random_join_code", lambda: next(draws))
    new = create_collection(partnership, survey_code="pupil_attitudes_5_7",
                            school_name="Oak Primary", group_name="Year 3", phase="before")
    db.session.commit()
    assert new.join_code == "ABC234"
    assert _try(app.test_client(), format_join_code(old)).status_code == 200  # not found


def test_migration_gives_existing_collections_codes(app, oak):
    oak_id = oak.id
    db.session.remove()
    downgrade(revision="-1")
    upgrade()
    db.session.remove()
    code = db.session.scalar(select(Collection.join_code).where(Collection.id == oak_id))
    assert normalise_join_code(code) == code
    assert db.session.get(UsedJoinCode, code) is not None


def test_join_page_is_one_labelled_box_that_works_without_javascript(client):
    html = client.get("/join").get_data(as_text=True)
    assert '<label for="code">' in html
    assert 'method="get"' in html
    assert 'name="code"' in html
    assert "<script" not in html


@pytest.mark.parametrize("shown", [str.upper, str.lower, lambda s: f" {s[:3]} - {s[3:]} "])
def test_right_code_leads_to_the_pupil_page(client, oak, shown):
    resp = _try(client, shown(format_join_code(oak.join_code)))
    assert resp.status_code == 302
    assert resp.headers["Location"].endswith(f"/s/{oak.public_token}")
    assert client.get(resp.headers["Location"]).status_code == 200


def test_wrong_code_gets_a_kind_message(client, oak):
    wrong = "ABC234" if oak.join_code != "ABC234" else "ABC235"
    resp = _try(client, wrong)
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert "We cannot find a survey with that code" in html
    assert 'aria-invalid="true"' in html
    assert f'value="{wrong}"' in html  # kept, to correct one letter


def test_limit_counts_wrong_codes_only_and_then_refuses_even_the_right_one(app, client, oak):
    app.config["JOIN_RATE_LIMIT"] = "5 per minute"
    right = format_join_code(oak.join_code)
    # A whole class behind one school router joining with the right code costs nothing.
    assert all(_try(client, right).status_code == 302 for _ in range(30))
    wrong = "ABC234" if oak.join_code != "ABC234" else "ABC235"
    assert [_try(client, wrong).status_code for _ in range(6)] == [200] * 5 + [429]
    refused = _try(client, right)
    assert refused.status_code == 429
    assert "ask your teacher" in refused.get_data(as_text=True)
    # Another address is not affected.
    assert _try(client, right, address="10.0.0.8").status_code == 302


def _wsgi_status(app, environ: dict, code: str) -> int:
    """One GET /join?code=... through the whole app, minus the test client's cookie jar and
    response wrapping (ten thousand of them must stay quick)."""
    status = []
    body = app.wsgi_app(dict(environ, QUERY_STRING=f"code={code}"),
                        lambda s, _h, _e=None: status.append(s))
    b"".join(body)
    getattr(body, "close", lambda: None)()
    return int(status[0].split()[0])


@pytest.mark.parametrize("db_uri", ["sqlite"], indirect=True)  # the limiter needs no database
def test_ten_thousand_wrong_tries_from_one_address_find_nothing(app, client, oak):
    """With the shipped limit: a guesser gets a handful of answers, then only refusals,
    and the real code typed in the middle of the run is refused too."""
    live = set(db.session.scalars(select(Collection.join_code)))
    base = EnvironBuilder(path="/join", environ_base={"REMOTE_ADDR": "10.0.0.7"}).get_environ()
    rng = random.Random(15)
    statuses: dict[int, int] = {}
    for i in range(10_000):
        if i == 5_000:
            guess = oak.join_code
        else:
            guess = "".join(rng.choice(JOIN_ALPHABET) for _ in range(6))
            while guess in live:
                guess = "".join(rng.choice(JOIN_ALPHABET) for _ in range(6))
        status = _wsgi_status(app, base, guess)
        statuses[status] = statuses.get(status, 0) + 1
    assert 302 not in statuses
    first_window = int(app.config["JOIN_RATE_LIMIT"].split()[0])
    assert statuses == {200: first_window, 429: 10_000 - first_window}


@pytest.mark.parametrize(("base", "warn"), [
    ("http://127.0.0.1:5000", True), ("http://127.3.2.1", True), ("http://localhost:5000", True),
    ("http://[::1]:5000", True), ("http://[::ffff:127.0.0.1]:5000", True),
    ("http://0.0.0.0:5000", True), ("http://169.254.1.2", True),
    ("http://192.168.1.20:5000", False), ("https://surveys.example.org", False),
])
def test_unreachable_addresses(base, warn):
    assert unreachable_from_phones(base) is warn


def _staff(client, partnership):
    make_user(partnership, "teacher@oak.example", "teacher", "Oak Primary")
    login_as(client, "teacher@oak.example")
    return client


def test_collection_board_and_print_pages_show_code_and_warn_on_loopback(
        app, client, partnership, oak):
    _staff(client, partnership)
    pages = [f"/admin/collections/{oak.id}", f"/admin/collections/{oak.id}/board",
             f"/admin/paper/collections/{oak.id}/print"]
    code = format_join_code(oak.join_code)
    board = client.get(pages[1]).get_data(as_text=True)
    assert code in board
    assert "http://survey.test/join" in board
    assert code in client.get(pages[0]).get_data(as_text=True)
    for page in pages:
        assert "cannot open these links" not in client.get(page).get_data(as_text=True)
    for base in ("http://127.0.0.1:5000", ""):  # "" : links follow the request, here localhost
        app.config["PUBLIC_BASE_URL"] = base
        for page in pages:
            html = client.get(page).get_data(as_text=True)
            assert "cannot open these links" in html, page
            assert "make run HOST=0.0.0.0" in html
            assert "PUBLIC_BASE_URL" in html


def test_serve_says_which_address_phones_use(app):
    app.config["PUBLIC_BASE_URL"] = "http://192.168.1.20:5000"
    message = startup_message(app, "0.0.0.0", 5000)
    assert "open http://192.168.1.20:5000/join" in message
    app.config["PUBLIC_BASE_URL"] = ""
    message = startup_message(app, "127.0.0.1", 5000)
    assert "cannot" in message
    assert "make run HOST=0.0.0.0" in message


def _pdf_text(data: bytes, page: int = 0) -> str:
    import io

    import pypdfium2

    pdf = pypdfium2.PdfDocument(io.BytesIO(data))
    try:
        return pdf[page].get_textpage().get_text_range()
    finally:
        pdf.close()


def test_poster_and_class_pack_cover_carry_the_code(app, client, partnership, oak):
    from tests.conftest import csrf_from

    _staff(client, partnership)
    code = format_join_code(oak.join_code)
    poster = _pdf_text(client.get(f"/admin/collections/{oak.id}/poster.pdf").data)
    assert code in poster
    assert "http://survey.test/join" in poster
    url = f"/admin/paper/collections/{oak.id}/print"
    html = client.get(url).get_data(as_text=True)
    pack = client.post(url, data={"csrf_token": csrf_from(html), "kind": "pack", "copies": "2",
                                  "paper": "a4"})
    assert pack.mimetype == "application/pdf"
    cover = " ".join(_pdf_text(pack.data).split())
    assert f"http://survey.test/join and type the code {code}" in cover


def test_cli_lists_the_join_code(app, runner, oak):
    import json

    result = runner.invoke(args=["collections", "list", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    rows = rows if isinstance(rows, list) else [rows]
    assert {"id": oak.id, "join_code": format_join_code(oak.join_code)}.items() <= next(
        r for r in rows if r["id"] == oak.id).items()
