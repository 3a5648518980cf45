"""Words the Python side puts on a page go through Flask-Babel where they are written: the
first argument of every `flash(...)`, and every label, description, choice label and
message given to a WTForms field or validator, is a gettext call (`gettext`, `_`,
`lazy_gettext`, `_l`, `ngettext`), never a plain string, an f-string or a sum of them.
Values that are not written there (`str(exc)`, a variable) pass: their words are checked
where they are written. An f-string inside gettext is refused too: the catalog would get
one message per value, none of which ever matches."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[2] / "survey_app"
GETTEXT = frozenset({"gettext", "_", "lazy_gettext", "_l", "ngettext", "lazy_ngettext"})
#: WTForms fields and validators, and the keyword arguments that carry words.
WTFORMS = frozenset({
    "BooleanField", "DateTimeLocalField", "EmailField", "FileField", "IntegerField",
    "PasswordField", "RadioField", "SelectField", "StringField", "SubmitField",
    "TextAreaField", "HiddenField", "DecimalField", "FloatField", "DateField",
    "SelectMultipleField", "DataRequired", "InputRequired", "Length", "NumberRange",
    "EqualTo", "Optional", "Email", "Regexp", "FileRequired", "FileAllowed", "AnyOf",
    "NoneOf", "URL",
})
WORD_KEYWORDS = frozenset({"label", "description", "message"})


def _name(func: ast.expr) -> str:
    return func.id if isinstance(func, ast.Name) else (
        func.attr if isinstance(func, ast.Attribute) else "")


def _plain_words(node: ast.expr) -> bool:
    """Whether `node` writes words outside gettext: a str with a letter, an f-string, or a
    sum / %-format / .format() of them."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and any(c.isalpha() for c in node.value)
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp):
        return _plain_words(node.left) or _plain_words(node.right)
    if isinstance(node, ast.IfExp):
        return _plain_words(node.body) or _plain_words(node.orelse)
    if isinstance(node, ast.Call) and _name(node.func) == "format":
        return isinstance(node.func, ast.Attribute) and _plain_words(node.func.value)
    return False


def _gettext_problem(node: ast.Call) -> bool:
    """A gettext call whose message is not one literal string (an f-string, a sum)."""
    return bool(node.args) and not (isinstance(node.args[0], ast.Constant)
                                    and isinstance(node.args[0].value, str))


def problems_in(source: str, file: str = "<source>") -> list[str]:
    """`file:line: what` for every word-carrying argument written outside gettext."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = _name(node.func)
        if name in GETTEXT and _gettext_problem(node):
            found.append((node.lineno, f"{file}:{node.lineno}: {name}() of a non-literal message"))
        elif name == "flash" and node.args and _plain_words(node.args[0]):
            found.append((node.lineno, f"{file}:{node.lineno}: flash() of plain words"))
        elif name in WTFORMS:
            given = [a for a in node.args[:1] if name.endswith("Field")]
            given += [k.value for k in node.keywords if k.arg in WORD_KEYWORDS]
            # NumberRange(min, max, message), Length(min, max, message), EqualTo(f, message)
            given += [a for a in node.args if isinstance(a, ast.Constant | ast.JoinedStr)
                      and not name.endswith("Field") and name != "EqualTo"]
            given += node.args[1:2] if name == "EqualTo" else []
            if any(_plain_words(a) for a in given):
                found.append((node.lineno, f"{file}:{node.lineno}: {name}() with plain words"))
        elif name in ("choices", "choices_with_data") and node.args:
            for pair in ast.walk(node.args[0]):
                if isinstance(pair, ast.Tuple) and len(pair.elts) >= 2 and _plain_words(
                        pair.elts[1]):
                    found.append((pair.lineno, f"{file}:{pair.lineno}: a choice label of "
                                                "plain words"))
    return [what for _line, what in sorted(found, key=lambda f: f[0])]


def test_the_checker_catches_plain_words():
    source = '''
flash("Saved.", "info")
flash(f"{user.email} is signed out.", "info")
flash("Deleted " + name, "info")
flash(gettext("%(email)s is signed out.", email=user.email), "info")
flash(gettext(f"{n} pages"), "info")
flash(str(exc), "error")
email = EmailField("Email", validators=[DataRequired("Give an email address.")])
size = IntegerField(_l("Size"), validators=[NumberRange(1, 9, "From 1 to 9.")])
ok = StringField(_l("Name"), validators=[DataRequired(_l("Give a name.")), Length(max=9)])
PHASES = choices([("before", "Before the activity"), ("after", _l("After the activity"))])
'''
    assert [p.split(": ", 1)[1] for p in problems_in(source)] == [
        "flash() of plain words", "flash() of plain words", "flash() of plain words",
        "gettext() of a non-literal message",
        "EmailField() with plain words", "DataRequired() with plain words",
        "NumberRange() with plain words", "a choice label of plain words"]


def _modules() -> list[Path]:
    return sorted(APP.rglob("*.py"))


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(APP)))
def test_words_go_through_gettext(path):
    assert problems_in(path.read_text(encoding="utf-8"), str(path.relative_to(APP))) == []


#: The results' sentences (findings, notes, the report and its PDF, chart words) are built
#: from figures; an f-string with words in it is an English sentence no catalog can reach.
RESULTS = APP / "results"
#: Two words in an f-string's written parts ("rose by", "Holm-adjusted p").
_FSTRING_WORDS = re.compile(r"[A-Za-z][a-z'-]* [a-z][a-z'-]+")
#: A line that builds a code, not words (a CSV column's value, the scripts' JSON) says so.
CODE_PRAGMA = "# code, not words"


def prose_fstrings(source: str, file: str = "<source>") -> list[str]:
    """`file:line` of every f-string that writes words itself (markup such as
    `<title id="{uid}">` and lines marked CODE_PRAGMA pass)."""
    lines = source.splitlines()
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.JoinedStr):
            continue
        written = [v.value for v in node.values if isinstance(v, ast.Constant)]
        own_lines = lines[node.lineno - 1:node.end_lineno]
        if any("<" in w for w in written) or any(CODE_PRAGMA in line for line in own_lines):
            continue
        if any(_FSTRING_WORDS.search(w) for w in written):
            found.append((node.lineno, f"{file}:{node.lineno}: an f-string of words"))
    return [what for _line, what in sorted(found)]


def test_the_checker_catches_sentences_in_fstrings():
    source = '''
a = f"rose by {value} percentage points"
b = gettext("rose by %(n)s percentage points", n=value)
c = f"{value:+.1f}"
d = f'<title id="{uid}-t">{title}</title>'
e = f"{first}/{last}, same pupils"  # code, not words: the CSV's phase column
f = f"{who}' rating of their own {what}"
'''
    assert [p.split(": ", 1)[1] for p in prose_fstrings(source)] == [
        "an f-string of words", "an f-string of words"]


@pytest.mark.parametrize("path", sorted(p for p in RESULTS.glob("*.py") if p.name != "cli.py"),
                         ids=lambda p: p.name)
def test_results_sentences_go_through_gettext(path):
    """Every results module but the command line's (English: it has no reader's language;
    see docs/coordinator/languages-on-screen.md)."""
    assert prose_fstrings(path.read_text(encoding="utf-8"), path.name) == []
