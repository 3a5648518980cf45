"""Every word a person reads on a page goes through Flask-Babel, so "translatable" is checked,
not hoped for: a sentence typed straight into a template (or left beside a ``{{ value }}``)
would stay English in every other language and never reach the catalog.

The check reads each template as text: it drops what Babel already extracts
(``{{ _(...) }}``, ``{% trans %}...{% endtrans %}``), every other ``{{ }}``, ``{% %}`` and
``{# #}``, HTML comments, ``<script>``/``<style>`` and the tags themselves; whatever is left
with a letter in it is a text node somebody reads and nobody can translate. The attributes a
screen reader speaks or a pointer shows (alt, title, placeholder, aria-label) are read too."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parents[2] / "survey_app" / "templates"

_JINJA = re.compile(
    r"\{%-?\s*trans\b.*?endtrans\s*-?%\}"              # translated blocks
    r"|\{%-?\s*block\s+body_class\s*-?%\}.*?\{%-?\s*endblock"  # a class attribute, not text
    r"|\{#.*?#\}|\{\{.*?\}\}|\{%.*?%\}", re.S)
_HIDDEN = re.compile(r"<(script|style)\b.*?</\1\s*>|<!--.*?-->", re.S | re.I)
_TAG = re.compile(r"<[^>]*>", re.S)
_ENTITY = re.compile(r"&(#\d+|#x[0-9a-f]+|\w+);", re.I)
_LETTER = re.compile(r"[^\W\d_]")
#: Attributes whose words a person hears or sees.
_READ_ATTRIBUTE = re.compile(r"\b(alt|title|placeholder|aria-label)=\"([^\"]*)\"")
#: Attribute text a macro writes into the tag that calls it (answer/_questions.html).
_ATTRIBUTE = re.compile(r"^[\w-]+=\"")
#: Text that is the same in every language: symbols, file names, commands to type.
ALLOWED = frozenset({
    "n", "X", "p", "r", "datapackage.json", "correct: true", "make run HOST=0.0.0.0",
})

def loose_text(source: str) -> list[str]:
    """The text nodes of a template that are not marked for translation."""
    text = _HIDDEN.sub(" ", _JINJA.sub(" ", source))
    found = [f'{m[1]}="{m[2]}"' for m in _READ_ATTRIBUTE.finditer(text) if _LETTER.search(m[2])]
    for piece in _TAG.split(text):
        piece = " ".join(_ENTITY.sub(" ", piece).split())
        if _LETTER.search(piece) and piece not in ALLOWED and not _ATTRIBUTE.match(piece):
            found.append(piece)
    return found


#: A sentence written as a plain string inside {{ }} or {% %} (`hint="..."`, `x or
#: "when you close it"`): the check above drops those, so their strings are read here.
_CODE = re.compile(r"\{\{(.*?)\}\}|\{%-?\s*(?!trans\b)(.*?)-?%\}", re.S)
_LIT = r"(?:\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*')"
_MARKED_CALL = re.compile(rf"\b(?:_|gettext|lazy_gettext)\(\s*{_LIT}"
                          rf"|\bngettext\(\s*{_LIT}\s*,\s*{_LIT}")
#: Arguments whose value is markup or a token, never words a person reads.
_TOKEN_ARGUMENT = re.compile(rf"\b(?:class_|id|autocomplete|inputmode|pattern|accept)="
                             rf"{_LIT}")
_LITERAL = re.compile(_LIT)
_TWO_WORDS = re.compile(r"[A-Za-z]{2,}\s+[A-Za-z]{2,}")


#: Strings in template code that are markup, not words: CSS classes, an example code.
ALLOWED_STRINGS = frozenset({'"faces faces%d"', "'<span class=\"nowrap\">K7F-Q2M</span>'"})


def loose_strings(source: str) -> list[str]:
    """Strings of two or more words in template code, not given to _() or ngettext()."""
    found = []
    for m in _CODE.finditer(source):
        code = _TOKEN_ARGUMENT.sub(" ", _MARKED_CALL.sub(" ", m[1] or m[2]))
        found += [lit for lit in _LITERAL.findall(code)
                  if _TWO_WORDS.search(lit) and lit not in ALLOWED_STRINGS]
    return found


def _templates() -> list[str]:
    return sorted(str(p.relative_to(TEMPLATES)) for p in TEMPLATES.rglob("*.html"))


def test_the_scan_finds_loose_words():
    """A made-up page: the check must catch a fragment beside a value and after a link, and
    pass the wrapped forms, or it would pass everything."""
    page = """{% extends "base.html" %}{# a note #}
    <h1>{{ _("Results") }}</h1>
    <p>Open since {{ when }}.</p>
    <p><a href="/x">{{ _("the plan") }}</a> is locked</p>
    <p>{% trans n=3 %}{{ n }} sheets{% endtrans %} &middot; {{ _("Done: %(n)s.", n=n) }}</p>
    <script>const a = "not read";</script><style>p { color: red }</style><!-- hidden -->
    <td>n</td><img alt="Page {{ n }}"><nav aria-label="{{ _('Main') }}"></nav>"""
    assert loose_text(page) == ['alt="Page  "', "Open since .", "is locked"]


def test_the_scan_finds_loose_strings():
    page = """{{ field(form.copies, hint="One per pupil.", min=1) }}
    {{ field(form.numbers, hint=_("Only for sheets."), class_="wide box") }}
    {{ c.closes if c.closes else "when you close it" }}{% set s = 'No answers yet' %}
    {{ ngettext("%(num)s sheet read", "%(num)s sheets read", n) }}{{ x|join(", ") }}"""
    assert loose_strings(page) == ['"One per pupil."', '"when you close it"',
                                   "'No answers yet'"]


@pytest.mark.parametrize("name", _templates())
def test_template_has_no_untranslated_text(name):
    source = (TEMPLATES / name).read_text(encoding="utf-8")
    assert loose_text(source) == []
    assert loose_strings(source) == []



#: A macro argument a person reads (admin/_macros.html prints `hint` as it is given): inside
#: ``{{ }}`` the scan above cannot see it, so a plain string here is looked for directly.
_PLAIN_HINT = re.compile(r"\bhint=(\"[^\"]*\"|'[^']*')")


def test_the_hint_check_sees_a_plain_string():
    assert _PLAIN_HINT.search('{{ field(form.x, hint="Only if new.") }}')
    assert not _PLAIN_HINT.search('{{ field(form.x, hint=_("Only if new.")) }}')


@pytest.mark.parametrize("name", _templates())
def test_macro_hints_are_translated(name):
    source = (TEMPLATES / name).read_text(encoding="utf-8")
    assert [m.group(0) for m in _PLAIN_HINT.finditer(source)] == []
