"""The stored sheet layout, read back: a typed, checked view of the layout JSON.

`forms.layout.layout_document` writes the JSON stored with every printed batch; the scanner
and the app read it with `SheetTemplate.from_json`, never by indexing dicts. The reader
checks the shape (a hand-written schema: forms/ uses the standard library only) and
raises `LayoutFormatError` naming the first thing wrong.

Each **mark group** (a row of bubbles read together) names the answer column it feeds and
its kind: `single` (one value), `multi` (any values) or `digits` (one digit of a number;
`digit` is its place, 1 for tens and 0 for units). Layouts stored before groups were named
("survey-sheet-layout/1") are read too: their groups are derived from the old codes
(`<column>_tens` / `<column>_units` are digits), so sheets already printed still scan.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

FORMAT_V1 = "survey-sheet-layout/1"
FORMAT = "survey-sheet-layout/2"
FORMATS = (FORMAT_V1, FORMAT)

#: Kinds of mark group.
SINGLE, MULTI, DIGITS = "single", "multi", "digits"
GROUP_KINDS = (SINGLE, MULTI, DIGITS)
#: Digit places of a two-digit number, as in the group names of layout/1.
TENS, UNITS = 1, 0
V1_DIGIT_SUFFIXES = {TENS: "_tens", UNITS: "_units"}
#: Every digit place a number may have (a `number` question's `max` goes up to 999,999):
#: place -> its group name's suffix. Two-digit numbers keep the names of layout/1.
DIGIT_SUFFIXES = {**V1_DIGIT_SUFFIXES, 2: "_hundreds", 3: "_thousands", 4: "_ten_thousands",
                  5: "_hundred_thousands"}
#: Each place in words, for people (the review queue, the sheet's row names).
DIGIT_NAMES = {UNITS: "units", TENS: "tens", 2: "hundreds", 3: "thousands",
               4: "ten thousands", 5: "hundred thousands"}


class LayoutFormatError(ValueError):
    """A stored layout that does not have the expected shape."""


# --- a small schema checker ------------------------------------------------------------------


def _get(d: Mapping, key: str, types: type | tuple[type, ...], where: str) -> Any:
    if not isinstance(d, Mapping):
        raise LayoutFormatError(f"{where}: expected an object")
    if key not in d:
        raise LayoutFormatError(f"{where}: '{key}' is missing")
    value = d[key]
    if isinstance(value, bool) and bool not in (types if isinstance(types, tuple) else (types,)):
        raise LayoutFormatError(f"{where}.{key}: wrong type")
    if not isinstance(value, types):
        raise LayoutFormatError(f"{where}.{key}: expected {_names(types)}, got "
                                f"{type(value).__name__}")
    return value


def _names(types) -> str:
    types = types if isinstance(types, tuple) else (types,)
    return " or ".join(t.__name__ for t in types)


_NUM = (int, float)


def _num(d: Mapping, key: str, where: str) -> float:
    return float(_get(d, key, _NUM, where))


def _list(d: Mapping, key: str, where: str, default: list | None = None) -> list:
    if default is not None and key not in d:
        return default
    return _get(d, key, list, where)


# --- the parts -----------------------------------------------------------------------------


@dataclass(frozen=True)
class MarkGroup:
    """Bubbles read together: `name` is what their bubbles carry as "question"."""

    name: str
    column: str
    kind: str
    values: tuple[str, ...]
    page: int
    #: For `digits`: the place of this digit (TENS or UNITS).
    digit: int | None = None

    @classmethod
    def from_json(cls, d: Mapping, where: str) -> MarkGroup:
        name = _get(d, "code", str, where)
        values = tuple(str(v) for v in _list(d, "values", where))
        page = _get(d, "page", int, where)
        if "kind" in d:  # layout/2: the group says what it feeds
            kind = _get(d, "kind", str, where)
            if kind not in GROUP_KINDS:
                raise LayoutFormatError(f"{where}.kind: '{kind}' is not one of {GROUP_KINDS}")
            column = _get(d, "column", str, where)
            digit = _get(d, "digit", int, where) if kind == DIGITS else None
            if kind == DIGITS and digit not in DIGIT_SUFFIXES:
                raise LayoutFormatError(f"{where}.digit: must be a place from {UNITS} to "
                                        f"{max(DIGIT_SUFFIXES)}")
            return cls(name, column, kind, values, page, digit)
        return cls.from_v1(name, _get(d, "type", str, where), values, page)

    @classmethod
    def from_v1(cls, name: str, type_: str, values: tuple[str, ...], page: int) -> MarkGroup:
        """A group of a layout/1 document, whose entries had only a code and a type."""
        for digit, suffix in V1_DIGIT_SUFFIXES.items():
            if name.endswith(suffix) and values == tuple("0123456789"):
                return cls(name, name[: -len(suffix)], DIGITS, values, page, digit)
        return cls(name, name, MULTI if type_ == MULTI else SINGLE, values, page)

    def to_json(self) -> dict[str, Any]:
        """The layout/2 entry; "type" is kept for readers of layout/1."""
        d = {"code": self.name, "type": MULTI if self.kind == MULTI else SINGLE,
             "column": self.column, "kind": self.kind, "values": list(self.values),
             "page": self.page}
        if self.digit is not None:
            d["digit"] = self.digit
        return d


@dataclass(frozen=True)
class BubbleSpot:
    group: str
    value: str
    cx: float
    cy: float
    r: float


@dataclass(frozen=True)
class FaceSpot:
    """A face printed above a bubble: children colour it in, so it is read too."""

    group: str
    value: str
    cx: float
    cy: float
    size: float


@dataclass(frozen=True)
class LabelSpot:
    """Where an option's words are printed beside its bubble (a mark between two options
    is looked for in the clear space after them)."""

    group: str
    value: str
    x: float
    y: float
    w: float
    h: float


@dataclass(frozen=True)
class Area:
    """A rectangle in points; `column` is the answer column of a row or write-in box."""

    x: float
    y: float
    w: float
    h: float
    column: str = ""


@dataclass(frozen=True)
class MarkerSpot:
    id: int
    x: float
    y: float
    size: float


@dataclass(frozen=True)
class PageTemplate:
    """One page's geometry (points, origin top-left)."""

    page: int
    width_pt: float
    height_pt: float
    markers: tuple[MarkerSpot, ...]
    qr: Area
    bubbles: tuple[BubbleSpot, ...]
    rows: tuple[Area, ...]
    writeins: tuple[Area, ...]
    faces: tuple[FaceSpot, ...]
    #: Option rows: the box of each option's words beside its bubble (`value` in `column`'s
    #: place is the option); older layouts have none.
    labels: tuple[LabelSpot, ...] = ()

    @classmethod
    def from_json(cls, d: Mapping, where: str = "page") -> PageTemplate:
        page = _get(d, "page", int, where)
        where = f"{where} {page}"
        markers = tuple(
            MarkerSpot(_get(m, "id", int, f"{where} marker"), _num(m, "x", f"{where} marker"),
                       _num(m, "y", f"{where} marker"), _num(m, "size", f"{where} marker"))
            for m in _list(d, "markers", where))
        q = _get(d, "qr", Mapping, where)
        qr = Area(_num(q, "x", f"{where} qr"), _num(q, "y", f"{where} qr"),
                  _num(q, "size", f"{where} qr"), _num(q, "size", f"{where} qr"))
        bubbles = tuple(
            BubbleSpot(_get(b, "question", str, f"{where} bubble"),
                       str(_get(b, "value", (str, int), f"{where} bubble")),
                       _num(b, "cx", f"{where} bubble"), _num(b, "cy", f"{where} bubble"),
                       _num(b, "r", f"{where} bubble"))
            for b in _list(d, "bubbles", where))
        faces = tuple(
            FaceSpot(_get(f, "question", str, f"{where} face"),
                     str(_get(f, "value", (str, int), f"{where} face")),
                     _num(f, "cx", f"{where} face"), _num(f, "cy", f"{where} face"),
                     _num(f, "size", f"{where} face"))
            for f in _list(d, "faces", where, default=[]))
        labels = tuple(
            LabelSpot(_get(lb, "question", str, f"{where} label"),
                      str(_get(lb, "value", (str, int), f"{where} label")),
                      _num(lb, "x", f"{where} label"), _num(lb, "y", f"{where} label"),
                      _num(lb, "w", f"{where} label"), _num(lb, "h", f"{where} label"))
            for lb in _list(d, "labels", where, default=[]))
        return cls(page, _num(d, "width_pt", where), _num(d, "height_pt", where), markers, qr,
                   bubbles, _areas(d, "rows", where), _areas(d, "writeins", where), faces,
                   labels)

    def groups(self) -> tuple[str, ...]:
        """Names of the mark groups with bubbles on this page, in print order."""
        return tuple(dict.fromkeys(b.group for b in self.bubbles))

    def rows_of(self, groups) -> tuple[Area, ...]:
        wanted = set(groups)
        return tuple(r for r in self.rows if r.column in wanted)


def _areas(d: Mapping, key: str, where: str) -> tuple[Area, ...]:
    return tuple(Area(_num(a, "x", f"{where} {key}"), _num(a, "y", f"{where} {key}"),
                      _num(a, "w", f"{where} {key}"), _num(a, "h", f"{where} {key}"),
                      _get(a, "question", str, f"{where} {key}"))
                 for a in _list(d, key, where, default=[]))


@dataclass(frozen=True)
class SheetTemplate:
    """A printed batch's stored layout: its pages and its mark groups."""

    format: str
    fingerprint: str
    paper: str
    survey: str
    pupil_number: str
    groups: tuple[MarkGroup, ...]
    pages: tuple[PageTemplate, ...]
    #: The never-reused key of the collection the sheets were printed for ("" before
    #: layout/2); the QR code carries it too.
    sheet_key: str = ""
    collection_id: int | None = None

    @classmethod
    def from_json(cls, doc: Mapping) -> SheetTemplate:
        if not isinstance(doc, Mapping):
            raise LayoutFormatError("layout: expected an object")
        fmt = doc.get("format", FORMAT_V1)
        if fmt not in FORMATS:
            raise LayoutFormatError(f"layout: unknown format {fmt!r}")
        groups = tuple(MarkGroup.from_json(q, f"group {i + 1}")
                       for i, q in enumerate(_list(doc, "questions", "layout")))
        pages = tuple(PageTemplate.from_json(t) for t in _list(doc, "page_templates", "layout"))
        names = [g.name for g in groups]
        if len(set(names)) != len(names):
            raise LayoutFormatError("layout: two mark groups have the same name")
        known = set(names)
        for p in pages:
            stray = {b.group for b in p.bubbles} - known
            if stray:
                raise LayoutFormatError(f"page {p.page}: bubbles of unknown group(s) "
                                        f"{sorted(stray)}")
        coll = doc.get("collection_id")
        return cls(fmt, str(_get(doc, "fingerprint", str, "layout")), str(doc.get("paper", "")),
                   str(doc.get("survey", "")), str(doc.get("pupil_number", "none")), groups,
                   pages, str(doc.get("sheet_key", "")), coll if isinstance(coll, int) else None)

    def page(self, number: int) -> PageTemplate | None:
        return next((p for p in self.pages if p.page == number), None)

    def group(self, name: str) -> MarkGroup | None:
        return next((g for g in self.groups if g.name == name), None)

    def columns_on(self, page: int) -> tuple[str, ...]:
        """The answer columns printed on one page (bubbles and write-ins), in order."""
        cols = [g.column for g in self.groups if g.page == page]
        tpl = self.page(page)
        cols += [w.column for w in tpl.writeins] if tpl else []
        return tuple(dict.fromkeys(cols))


__all__ = [
    "DIGITS", "FORMAT", "FORMAT_V1", "MULTI", "SINGLE", "TENS", "UNITS", "Area", "BubbleSpot",
    "FaceSpot", "LabelSpot", "LayoutFormatError", "MarkGroup", "MarkerSpot", "PageTemplate",
    "SheetTemplate",
]
