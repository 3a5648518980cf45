"""Reading a survey file's YAML so every value remembers its line, refusing what no
survey needs (anchors and aliases, deep nesting, huge files), and the located `Problem`s
and `DefinitionError` every check reports with.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a definition file, located for the person fixing it."""

    file: str
    line: int | None
    message: str
    question: str | None = None
    field: str | None = None
    #: Worth fixing, but the survey still works (a text missing in one of its languages
    #: falls back to the default language): reported by `forms check`, never refused.
    warning: bool = False

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        what = f"question '{self.question}': " if self.question else ""
        if self.field and not self.question:
            what = f"{self.field}: "
        return f"{where}: {'warning: ' if self.warning else ''}{what}{self.message}"


class DefinitionError(ValueError):
    """A survey file that cannot be used; `problems` lists everything wrong with it."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class LinedMap(dict):
    """A YAML mapping with the line of each key, so a problem names its line; read by the
    checker, the question checks and the validation alike."""

    line: int
    lines: dict[str, int]


class LinedList(list):
    """A YAML list with the line of each item (see `LinedMap`)."""

    line: int
    lines: list[int]


_SCALARS = yaml.SafeLoader("")


def _plain(node: yaml.Node, depth: int = 0) -> Any:
    """Turn a composed YAML node into dicts/lists/scalars that remember their lines."""
    if depth > 20:
        raise _TooDeep(node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        out = LinedMap()
        out.line, out.lines = node.start_mark.line + 1, {}
        for k_node, v_node in node.value:
            key = _plain(k_node, depth + 1)
            key = str(key) if not isinstance(key, dict | list) else repr(key)
            out[key] = _plain(v_node, depth + 1)
            out.lines[key] = k_node.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        seq = LinedList(_plain(v, depth + 1) for v in node.value)
        seq.line = node.start_mark.line + 1
        seq.lines = [v.start_mark.line + 1 for v in node.value]
        return seq
    return _SCALARS.construct_object(node)


class _TooDeep(Exception):
    def __init__(self, line: int):
        self.line = line


ALIASES_REFUSED = ("anchors and aliases ('&name' and '*name') are not allowed in a survey "
                   "file: write each question out in full")


class _AliasFound(Exception):
    def __init__(self, line: int):
        self.line = line


class _NoAliasLoader(yaml.SafeLoader):
    """A loader that refuses anchors and aliases before composing anything: nobody writes
    them in a survey, and expanding them is how a 500-byte file ("billion laughs") makes
    millions of nodes."""

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise _AliasFound(event.start_mark.line + 1)
        return super().compose_node(parent, index)


def compose_lined(text: str, file: str) -> Any:
    """A survey file's YAML as `LinedMap`s and `LinedList`s, for `validation.py`; aliases and
    YAML it cannot read become a `DefinitionError` naming the line."""
    try:
        node = yaml.compose(text, Loader=_NoAliasLoader)
    except _AliasFound as exc:
        raise DefinitionError([Problem(file, exc.line, ALIASES_REFUSED)]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        if "expected ',' or '}'" in problem:  # {en: Happy?, cy: Hapus?}: a common slip
            problem += (" (inside { }, put quotes round words with '?', ':' or ',', like "
                        "{en: \"Are you happy?\", cy: \"Wyt ti'n hapus?\"})")
        raise DefinitionError([Problem(file, line, f"not valid YAML: {problem}")]) from None
    except RecursionError:
        # PyYAML's parser recurses per nesting level; "[[[[..." thousands deep exhausts it.
        raise DefinitionError([Problem(file, None, "nested too deeply")]) from None
    if node is None:
        raise DefinitionError([Problem(file, 1, "the file is empty")])
    try:
        return _plain(node)
    except _TooDeep as exc:
        raise DefinitionError([Problem(file, exc.line, "nested too deeply")]) from None
    except (yaml.YAMLError, ValueError, TypeError) as exc:
        raise DefinitionError([Problem(file, None, f"not valid YAML: {exc}")]) from None


def lined(value: Any) -> Any:
    """Plain dicts and lists as the validator's `LinedMap`/`LinedList` (no line numbers to
    give): a survey built in code (`validation.py`) is checked like a file."""
    if isinstance(value, dict):
        out = LinedMap((str(k), lined(v)) for k, v in value.items())
        out.line, out.lines = None, {}
        return out
    if isinstance(value, list | tuple):
        seq = LinedList(lined(v) for v in value)
        seq.line, seq.lines = None, [None] * len(seq)
        return seq
    return value
