"""The teacher and coordinator pages really go through Babel: with a throwaway catalog in
which every message is wrapped in ⟦ ⟧, a walk through the main pages (and a few messages
after an action) shows no run of English words outside the marks, apart from what people
typed (school, class and survey names, emails) and the survey's own texts.

A sentence typed straight into Python, JavaScript's words or a template would show here
unmarked; so would a string marked with a keyword the extraction does not know (the
Makefile's `pybabel extract -k ...` list is the one used below)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo

from forms.definition import parse_survey
from survey_app.admin.operations import create_collection, load_survey_version
from survey_app.answer.operations import record_response
from survey_app.builder.bank import bank_surveys
from survey_app.extensions import babel, db
from tests.conftest import csrf_from, login_as, make_user

ROOT = Path(__file__).resolve().parents[2]
MAKEFILE = ROOT / "Makefile"
OPEN, CLOSE = "⟦", "⟧"
_MARKED = re.compile(f"{OPEN}[^{OPEN}{CLOSE}]*{CLOSE}")
#: Two English-looking words in a row ("Choose a", "is closed").
_WORDS = re.compile(r"[A-Za-z][A-Za-z'’]*[\s\u00a0]+[A-Za-z][A-Za-z'’]*")

#: A data- attribute listing codes for a script ("pack master letters"), not words.
_CODES = re.compile(r"^[a-z0-9_ -]*$")

SURVEY = """\
code: club
title: Science club
audience: pupil
questions:
  - {code: enjoy, text: "Do you enjoy science?", scale: faces3}
  - {code: job, text: "Would you like a science job?", scale: yesno}
  - {code: said, text: "What did you like best?", scale: text}
"""
SCHOOL, GROUP, TEACHER = "Alder Primary", "Year 5 Oak", "teacher@example.org"


def _keywords() -> dict[str, None | tuple[int, int]]:
    """The keywords `make translations` extracts with (-k NAME), and Babel's defaults."""
    from babel.messages.extract import DEFAULT_KEYWORDS

    named = re.findall(r"-k\s+(\w+)", MAKEFILE.read_text())
    assert "lazy_gettext" in named
    return {**DEFAULT_KEYWORDS, **dict.fromkeys(named)}


def pseudo_catalog(folder: Path) -> int:
    """Compile `folder`/en/LC_MESSAGES/messages.mo: every message of the app, marked."""
    catalog = Catalog(locale="en")
    method = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
    for _file, _line, message, _comments, _context in extract_from_dir(
            str(ROOT / "survey_app"), method_map=method, keywords=_keywords()):
        if isinstance(message, tuple):
            ids = tuple(m for m in message if m)
            catalog.add(ids, tuple(f"{OPEN}{m}{CLOSE}" for m in ids))
        elif message:
            catalog.add(message, f"{OPEN}{message}{CLOSE}")
    out = folder / "en" / "LC_MESSAGES"
    out.mkdir(parents=True)
    with (out / "messages.mo").open("wb") as f:
        write_mo(f, catalog)
    return len(catalog)


class _Visible(HTMLParser):
    """The text a person sees or hears on a page, and the words kept for its scripts."""

    SPOKEN = ("alt", "title", "placeholder", "aria-label")

    def __init__(self) -> None:
        super().__init__()
        #: Attribute values, each on its own, then the page's text as one stream (a
        #: marked message may hold tags: "⟦Put it in <strong>one PDF</strong>⟧").
        self.parts: list[str] = []
        self.text: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            if value and (name in self.SPOKEN or (name.startswith("data-")
                                                  and not _CODES.match(value))
                          or (name == "value" and tag in ("input", "button")
                              and dict(attrs).get("type") in ("submit", "button"))):
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)


def unmarked_words(html: str, content: list[str]) -> list[str]:
    """Runs of two or more English words outside ⟦ ⟧ and outside people's own texts."""
    parser = _Visible()
    parser.feed(html)
    found = []
    for part in [*parser.parts, "".join(parser.text)]:
        text = " ".join(part.split())
        while _MARKED.search(text):
            text = _MARKED.sub(" ", text)
        for value in content:
            text = text.replace(value, " ")
        found += _WORDS.findall(text)
    return found


def test_the_check_finds_english_outside_the_marks():
    page = f"""<title>{OPEN}Results{CLOSE}</title><p>{OPEN}Welcome, {OPEN}Alder Primary{CLOSE}
    back{CLOSE} Alder Primary</p><p>Open since Monday</p><button aria-label="Move up">x</button>
    <script>var s = "not read";</script><div data-words="Still waiting"></div>"""
    assert unmarked_words(page, ["Alder Primary"]) == ["Move up", "Still waiting",
                                                       "Open since"]


@pytest.fixture
def pseudo(app, tmp_path):
    """The app speaking the marked catalog as its English (the teacher pages' language)."""
    assert pseudo_catalog(tmp_path / "pseudo") > 500
    state = app.extensions["babel"]
    saved = state.translation_directories
    state.translation_directories = [str(tmp_path / "pseudo")]
    babel.domain_instance.cache.clear()  # the catalogs are cached per process
    yield
    state.translation_directories = saved
    babel.domain_instance.cache.clear()


@pytest.fixture
def school_data(app, partnership, coordinator):
    version = load_survey_version(partnership, parse_survey(SURVEY)).version
    before = create_collection(partnership, survey_code="club", school_name=SCHOOL,
                               group_name=GROUP, phase="before", ask_pupil_number=True)
    after = create_collection(partnership, survey_code="club", school_name=SCHOOL,
                              group_name=GROUP, phase="after", pair_with=before.id,
                              ask_pupil_number=True)
    db.session.commit()
    for n in range(1, 8):
        for c, enjoy in ((before, "1"), (after, "3")):
            record_response(c, {"enjoy": enjoy, "job": str(n % 2), "said": "Magnets"},
                            source="web", submission_key=f"k-{c.id}-{n}", pupil_number=n)
    make_user(partnership, TEACHER, "teacher", SCHOOL)
    db.session.commit()
    definition = version.definition
    texts = [s for s in _strings(definition.to_dict()) if " " in s]
    texts += [q.label(code) for q in definition.questions for code in q.answer_codes]
    # The builder lists the question bank: its surveys' own texts are content too.
    texts += [s for bank in bank_surveys() for s in _strings(bank.to_dict()) if " " in s]
    content = [partnership.name, SCHOOL, GROUP, TEACHER, coordinator.email, definition.code,
               "Magnets", *texts]  # the pupils' written answer, quoted on the results page
    return {"before": before, "after": after,
            "content": sorted(set(content), key=len, reverse=True)}


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list | tuple):
        return [s for v in value for s in _strings(v)]
    return []


def _check(client, url: str, content: list[str], problems: dict, status: int = 200,
           **post) -> str:
    """Open (or post to) `url`; note its unmarked words in `problems`."""
    if post:
        resp = client.post(url, data=post, follow_redirects=True)
    else:
        resp = client.get(url, follow_redirects=True)
    assert resp.status_code == status, url
    html = resp.get_data(as_text=True)
    assert OPEN in html, f"{url}: nothing came through the catalog"
    problems[url] = problems.get(url, []) + unmarked_words(html, content)
    return html


#: Pages known to show English still, and why. The walk checks this list both ways: a
#: new page with English fails, and so does a page here that has become clean (take it
#: off the list). See docs/coordinator/languages-on-screen.md.
STILL_ENGLISH = {
}


def _listed(problems: dict[str, list[str]]) -> str:
    return "English outside the marks:\n" + "\n".join(
        f"{url}: {', '.join(words)}" for url, words in problems.items())


def _assert_clean(problems: dict[str, list[str]]) -> None:
    """`problems`: every page visited, with its English outside the marks."""
    new = {url: words for url, words in problems.items() if words and url not in STILL_ENGLISH}
    assert new == {}, _listed(new)
    clean = {url for url, words in problems.items() if url in STILL_ENGLISH and not words}
    assert clean == set(), f"now clean, take off STILL_ENGLISH: {clean}"


def _csrf(client, url: str) -> str:
    return csrf_from(client.get(url).get_data(as_text=True))


def test_coordinator_pages_go_through_babel(pseudo, client, school_data, coordinator):
    content, problems = school_data["content"], {}
    c = school_data["before"]
    _check(client, "/login", content, problems)
    login_as(client, coordinator.email)
    for url in ("/admin/", "/admin/collections/new", f"/admin/collections/{c.id}",
                f"/admin/collections/{c.id}/board",
                f"/admin/paper/collections/{c.id}/print", "/admin/scans/",
                "/admin/scans/camera/", "/admin/review/", "/admin/surveys", "/admin/users",
                "/admin/builder/", "/results/", "/results/survey/club", "/results/report",
                "/plan/", f"/admin/erase/collection/{c.id}"):
        _check(client, url, content, problems)
    token = _csrf(client, "/admin/users")
    # A refusal (the account exists) and a saved action (closing a collection).
    html = _check(client, "/admin/users", content, problems, csrf_token=token, email=TEACHER,
                  role="teacher", school=SCHOOL)
    assert f"{OPEN}There is already an account" in html
    html = _check(client, f"/admin/collections/{c.id}/close", content, problems, csrf_token=token,
                  confirmed="yes")
    assert f"{OPEN}The collection is closed" in html
    html = _check(client, f"/admin/collections/{c.id}/reopen", content, problems, csrf_token=token)
    assert f"{OPEN}The collection is open again" in html
    # The builder refuses an empty question.
    html = _check(client, "/admin/builder/", content, problems, 422, csrf_token=token,
                  action="add_own")
    assert f"{OPEN}Write the question first" in html
    _assert_clean(problems)


def test_teacher_pages_go_through_babel(pseudo, client, school_data):
    content, problems = school_data["content"], {}
    c = school_data["after"]
    login_as(client, TEACHER)
    for url in ("/admin/", f"/admin/collections/{c.id}",
                f"/admin/paper/collections/{c.id}/print", "/admin/scans/",
                "/admin/scans/camera/", "/results/", "/results/survey/club",
                "/admin/collections/new"):
        _check(client, url, content, problems)
    token = _csrf(client, "/admin/collections/new")
    html = _check(client, "/admin/collections/new", content, problems, csrf_token=token,
                  survey="club", group=GROUP, phase="after", opens_at="2026-09-02T09:00",
                  closes_at="2026-09-01T09:00", after_alone="y")
    assert f"{OPEN}The closing date must be after the opening date" in html
    _assert_clean(problems)
