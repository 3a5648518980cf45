"""The Welsh catalog covers everything a pupil sees, and the committed compiled catalog is
the one the .po file makes (a fresh clone works without a compile step)."""

from __future__ import annotations

import re
from gettext import GNUTranslations
from io import BytesIO
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "survey_app"
PO = APP / "translations" / "cy" / "LC_MESSAGES" / "messages.po"
MO = PO.with_suffix(".mo")
#: Everything a pupil (or a parent answering) can see: the answering pages, /join, the
#: error pages, the shared frame, and the views and scripts' words they carry.
PUPIL_TEMPLATES = ("templates/answer", "templates/join", "templates/errors")
PUPIL_PYTHON = ("answer", "join")
KEYWORDS = {"_": None, "gettext": None, "lazy_gettext": None, "ngettext": (1, 2)}
PLACEHOLDER = re.compile(r"%\(\w+\)s|\{\w+\}|<[^>]+>")


def _catalog():
    with PO.open("rb") as f:
        return read_po(f, locale="cy")


def _pupil_msgids() -> set[str]:
    found: set[str] = set()
    sources = [(APP / d, [("**.html", "jinja2")]) for d in PUPIL_TEMPLATES]
    sources += [(APP / d, [("**.py", "python")]) for d in PUPIL_PYTHON]
    for folder, method in sources:
        for _file, _line, message, _comments, _context in extract_from_dir(
                str(folder), method_map=method, keywords=KEYWORDS):
            found.add(message if isinstance(message, str) else message[0])
    base = extract_from_dir(str(APP / "templates"), method_map=[("base.html", "jinja2")],
                            keywords=KEYWORDS)
    found |= {m[2] for m in base}
    return found


def test_every_pupil_string_has_welsh():
    catalog = _catalog()
    wanted = _pupil_msgids()
    assert len(wanted) > 60  # the extraction found the pages, not nothing
    missing = sorted(m for m in wanted if m not in catalog or not catalog[m].string)
    assert missing == [], f"no Welsh for: {missing}"


@pytest.mark.parametrize("message", sorted(_pupil_msgids()))
def test_welsh_keeps_every_placeholder(message):
    """A translation that drops {n} or %(top)s would show a wrong or broken sentence."""
    welsh = _catalog()[message].string
    assert sorted(PLACEHOLDER.findall(welsh)) == sorted(PLACEHOLDER.findall(message))
    assert welsh.strip() != message.strip() or message in {"%(n)s of %(total)s"}


def test_catalog_compiles_and_matches_the_committed_mo():
    catalog = _catalog()
    problems = [(m.id, errors) for m, errors in catalog.check()]
    assert problems == []
    fresh = BytesIO()
    write_mo(fresh, catalog)
    fresh.seek(0)
    with MO.open("rb") as f:
        committed = GNUTranslations(f)
    compiled = GNUTranslations(fresh)
    assert committed._catalog == compiled._catalog, (
        "messages.mo is out of date: run `make translations`")
