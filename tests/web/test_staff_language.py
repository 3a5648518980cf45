"""A teacher or coordinator chooses the staff pages' language in the header menu (the real
app through the test client): the choice holds for their pages, dates and phases follow
it, an unknown language is refused without harm, and pupils' pages keep their own rules.
See docs/coordinator/languages-on-screen.md."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from flask import session

from forms.definition import parse_survey
from forms.scales import SCALES
from survey_app.admin.operations import create_collection, load_survey_version
from survey_app.extensions import db
from survey_app.languages import (
    STAFF_CHOSEN,
    TRANSLATIONS,
    interface_languages,
    staff_language,
)
from survey_app.words import evidence, phase_name, scale_meaning, scale_meanings
from tests.conftest import csrf_from
from tests.web.test_pseudo_locale import CLOSE, OPEN, pseudo  # noqa: F401 (a fixture)

SURVEY = """\
code: garden
title: Garden club
audience: pupil
questions:
  - {code: grow, text: "Did your seeds grow?", scale: yesno}
"""


def _lang(html: str) -> str:
    return re.search(r'<html lang="([^"]+)"', html)[1]


@pytest.fixture
def collection(partnership):
    load_survey_version(partnership, parse_survey(SURVEY))
    c = create_collection(partnership, survey_code="garden", school_name="Alder Primary",
                          group_name="Year 5 Oak", phase="after",
                          opens_at=datetime(2036, 12, 3, 9, 0, tzinfo=UTC))
    db.session.commit()
    return c


def _choose(client, lang: str, next_url: str = "/admin/", follow: bool = True):
    token = csrf_from(client.get("/admin/").get_data(as_text=True))
    return client.post("/language", data={"csrf_token": token, "lang": lang,
                                          "next": next_url}, follow_redirects=follow)


def test_the_menu_offers_every_shipped_language(coordinator_client):
    html = coordinator_client.get("/admin/").get_data(as_text=True)
    assert interface_languages() == ("en", "cy")
    assert '<option value="en" lang="en" selected>English</option>' in html
    assert re.search(r'<option value="cy" lang="cy">Cymraeg( \(\d+% translated\))?</option>',
                     html)
    assert 'name="next" value="/admin/"' in html


def _po_share(text: str) -> float:
    """The share of a .po file's messages with a translation, counted from its text
    (independently of Babel's reader): an entry is a msgid line and the msgstr lines
    after it, and a plural is translated when every msgstr[n] is."""
    entries = re.split(r"\n\s*\n", text)
    total = done = 0
    for entry in entries:
        body = "\n".join(line for line in entry.splitlines() if not line.startswith("#"))
        if not re.search(r'^msgid "(.+)"', body, re.M) and \
                not re.search(r'^msgid ""\n"', body, re.M):
            continue  # the header (msgid "") or an obsolete entry
        total += 1
        strings = re.findall(r'^msgstr(?:\[\d+\])? "(.*)"((?:\n".*")*)', body, re.M)
        done += all(first or rest.strip() for first, rest in strings)
    return done / total


def test_a_partly_translated_language_says_how_much(coordinator_client):
    """The pupil's words are complete in Welsh; the staff pages' are not all there yet, and
    the menu says so rather than promise Welsh pages."""
    po = (TRANSLATIONS / "cy" / "LC_MESSAGES" / "messages.po").read_text(encoding="utf-8")
    share = _po_share(po)
    html = coordinator_client.get("/admin/").get_data(as_text=True)
    if share >= 1.0:
        assert '<option value="cy" lang="cy">Cymraeg</option>' in html
    else:
        assert f'<option value="cy" lang="cy">Cymraeg ({int(share * 100)}% translated)' \
            '</option>' in html
    assert share > 0


def test_welsh_staff_pages_with_welsh_dates_and_phases(coordinator_client, collection):
    html = coordinator_client.get("/admin/").get_data(as_text=True)
    assert _lang(html) == "en-GB"
    assert "Wed 3 Dec, 09:00" in html
    assert ">after<" in html
    resp = _choose(coordinator_client, "cy", "/admin/", follow=False)
    assert resp.status_code == 303
    assert resp.headers["Location"] == "/admin/"
    html = coordinator_client.get("/admin/").get_data(as_text=True)
    assert _lang(html) == "cy"
    assert "Allgofnodi (coord@example.org)" in html
    # The menu and the header speak the chosen language too (the chrome has Welsh).
    assert re.search(r'<option value="cy" lang="cy" selected>Cymraeg'
                     r"( \(\d+% wedi&#39;i gyfieithu\))?</option>", html)
    for word in ("Casgliadau", "Casgliad newydd", "Arolygon", "Adeiladu arolwg",
                 "Cynllun gwerthuso", "Canlyniadau", "Cyfrifon", "Newid iaith"):
        assert f">{word}<" in html, word
    # The month and day follow the locale (Babel's Welsh names), not strftime's English.
    assert "Mer 3 Rhag, 09:00" in html
    assert "3 Dec" not in html
    # Every staff page of this session follows the choice, the print page too.
    html = coordinator_client.get(f"/admin/paper/collections/{collection.id}/print")
    assert _lang(html.get_data(as_text=True)) == "cy"
    # Back to English.
    _choose(coordinator_client, "en")
    assert _lang(coordinator_client.get("/admin/").get_data(as_text=True)) == "en-GB"


@pytest.mark.parametrize("lang", ["xx", "de", "", "cy\r\nSet-Cookie: a=b", "../cy"])
def test_an_unknown_language_is_refused_and_changes_nothing(coordinator_client, lang):
    _choose(coordinator_client, "cy")
    resp = _choose(coordinator_client, lang, follow=False)
    assert resp.status_code == 303
    html = coordinator_client.get(resp.headers["Location"]).get_data(as_text=True)
    assert _lang(html) == "cy"  # still the earlier choice
    assert "That language is not offered here" in html
    with coordinator_client.session_transaction() as s:
        assert s[STAFF_CHOSEN] == "cy"


def test_a_stale_choice_falls_back_to_english(coordinator_client):
    """A session holding a language whose catalog has since gone gets English pages."""
    with coordinator_client.session_transaction() as s:
        s[STAFF_CHOSEN] = "pl"
    assert _lang(coordinator_client.get("/admin/").get_data(as_text=True)) == "en-GB"


def test_only_a_local_page_to_go_back_to(coordinator_client):
    for away in ("https://evil.example/", "//evil.example/admin/", "javascript:alert(1)"):
        resp = _choose(coordinator_client, "en", away, follow=False)
        assert resp.headers["Location"] == "/admin/"


def test_signed_out_cannot_choose(client, coordinator):
    token = csrf_from(client.get("/login").get_data(as_text=True))
    resp = client.post("/language", data={"csrf_token": token, "lang": "cy"})
    assert resp.status_code == 302
    assert "/login" in resp.headers["Location"]
    with client.session_transaction() as s:
        assert STAFF_CHOSEN not in s
    assert "staff-lang" not in client.get("/login").get_data(as_text=True)


def test_pupil_pages_keep_their_own_rules(coordinator_client, collection, partnership):
    """A teacher's Welsh does not reach the English-only survey's pupil page on the same
    browser, and a pupil's choice there does not move the staff pages."""
    open_now = create_collection(partnership, survey_code="garden", school_name="Alder Primary",
                                 group_name="Year 5 Oak", phase="before")
    db.session.commit()
    _choose(coordinator_client, "cy")
    page = f"/s/{open_now.public_token}"
    html = coordinator_client.get(page).get_data(as_text=True)
    assert _lang(html) == "en-GB"
    assert ">Send</button>" in html
    assert "staff-lang" not in html
    coordinator_client.get(page + "?lang=en")
    assert _lang(coordinator_client.get("/admin/").get_data(as_text=True)) == "cy"


def test_the_command_line_speaks_english(app):
    with app.test_request_context("/admin/"):
        session[STAFF_CHOSEN] = "cy"
        assert staff_language() == "cy"
    assert staff_language() == "en"  # no request: a terminal


def test_every_scale_has_its_meaning_word_for_word(app):
    """forms' English is the msgid, so the catalog and forms cannot drift apart."""
    with app.test_request_context("/admin/"):
        assert scale_meanings() == {name: s.meaning for name, s in SCALES.items()}
        assert scale_meaning("nonsense") == "nonsense"
        assert phase_name("follow-up") == "follow-up"
        assert phase_name("x") == "x"


def test_every_bank_question_has_its_evidence_word_for_word(app):
    from survey_app.builder.bank import all_questions

    with app.test_request_context("/admin/"):
        questions = [b.question for b in all_questions()]
        assert len({q.evidence for q in questions}) >= 2
        assert [evidence(q) for q in questions] == [q.evidence for q in questions]
        for origin, pilot_n in (("published", 0), ("new", 12), (None, 30), (None, 0)):
            q = replace(questions[0], origin=origin, pilot_n=pilot_n)
            assert evidence(q) == q.evidence


def test_the_sign_in_request_goes_through_babel(pseudo, client):  # noqa: F811
    """Flask-Login's "Please sign in" flash, marked with N_ and translated as it is shown."""
    html = client.get("/admin/", follow_redirects=True).get_data(as_text=True)
    assert f"{OPEN}Please sign in to see that page.{CLOSE}" in html
