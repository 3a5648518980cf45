"""The answer checker's messages in the page's language.

`forms.answers` is the pure core (no Flask, no Babel) and says why an answer was refused
in plain English; the pupil page shows those sentences in its own language. Each message
the checker can give is listed here once, the ones carrying numbers as patterns, so the
catalog holds them (tests/web/test_languages.py checks that every one is covered).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from flask_babel import gettext


def _fixed(message: str) -> str | None:
    # Literal calls, so that `pybabel extract` finds each message.
    return {
        "Please choose only one answer.": gettext("Please choose only one answer."),
        "That is not one of the answers.": gettext("That is not one of the answers."),
        "Please answer this question.": gettext("Please answer this question."),
        "Please type your number. Your teacher can tell you it.":
            gettext("Please type your number. Your teacher can tell you it."),
        "You have not answered any questions yet. Please choose an answer.":
            gettext("You have not answered any questions yet. Please choose an answer."),
    }.get(message)


_PATTERNS: list[tuple[re.Pattern, Callable[[re.Match], str]]] = [
    (re.compile(r"Please give a whole number from (\d+) to ([\d,]+)\.$"),
     lambda m: gettext("Please give a whole number from %(low)s to %(high)s.",
                       low=m[1], high=m[2])),
    (re.compile(r"Please keep this under (\d+) characters\.$"),
     lambda m: gettext("Please keep this under %(count)s characters.", count=m[1])),
    (re.compile(r"Your number is from (\d+) to (\d+)\.$"),
     lambda m: gettext("Your number is from %(low)s to %(high)s.", low=m[1], high=m[2])),
]


def translated(message: str) -> str:
    """`message` in the page's language; a message not listed here stays as it is."""
    fixed = _fixed(message)
    if fixed is not None:
        return fixed
    for pattern, say in _PATTERNS:
        found = pattern.match(message)
        if found:
            return say(found)
    return message
