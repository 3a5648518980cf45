"""The wide export in the formats analysts open first: SPSS (.sav) and Stata (.dta) with
variable and value labels (written by pyreadstat, ReadStat's Python binding), and a
Frictionless Data package (datapackage.json) describing the CSV's columns.

The rows are the CSV's rows (rows.wide_table); here they only change shape. Coded text
columns (arm, phase, source, choice questions with word codes) become whole numbers with
value labels, since Stata labels numbers only; the codebook and the labels say which number
is which.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from survey_app.export.fields import Field

#: SPSS keywords that cannot name a variable; Stata's own reserved names.
RESERVED = {"all", "and", "by", "eq", "ge", "gt", "le", "lt", "ne", "not", "or", "to", "with",
            "byte", "double", "float", "if", "in", "int", "long", "using", "strl"}
#: Longest variable name (Stata 32, SPSS 64) and variable label (Stata 80, SPSS 256).
NAME_MAX = {"sav": 64, "dta": 32}
LABEL_MAX = {"sav": 256, "dta": 80}
#: Stata's longest fixed-width string (longer text would need strL).
DTA_TEXT_MAX = 2045


def variable_names(fields: Sequence[Field], kind: str) -> list[str]:
    """Column names as the format allows them: short enough, not reserved, unique."""
    out: list[str] = []
    for f in fields:
        name = re.sub(r"[^A-Za-z0-9_]", "_", f.name)
        if not name[:1].isalpha() or name.lower() in RESERVED:
            name = "v_" + name
        name = name[:NAME_MAX[kind]]
        base, i = name, 2
        while name.lower() in {n.lower() for n in out}:
            suffix = f"_{i}"
            name = base[:NAME_MAX[kind] - len(suffix)] + suffix
            i += 1
        out.append(name)
    return out


def _codes(field: Field) -> dict[str, int] | None:
    """Text codes -> the numbers that stand for them in SPSS/Stata (None: kept as text)."""
    if field.multi or not field.values:
        return None
    if field.type == "integer":
        return {code: int(code) for code, _label in field.values}
    return {code: i for i, (code, _label) in enumerate(field.values, start=1)}


def frame(fields: Sequence[Field], rows: Iterable[Sequence[str]], kind: str):
    """(data frame, variable labels, value labels, user-missing codes) for pyreadstat;
    `rows` starts with the header, as tables yield it."""
    import pandas as pd

    rows = iter(rows)
    header = next(rows)
    assert list(header) == [f.name for f in fields], "fields and rows disagree"
    data = list(rows)
    names = variable_names(fields, kind)
    columns = {}
    labels: dict[str, str] = {}
    value_labels: dict[str, dict[int, str]] = {}
    missing: dict[str, list[int]] = {}
    for j, (f, name) in enumerate(zip(fields, names, strict=True)):
        cells = [row[j] for row in data]
        codes = _codes(f)
        if codes is not None:
            columns[name] = pd.array([codes.get(c) if c != "" else None for c in cells],
                                     dtype="Float64").astype(float)
            value_labels[name] = {codes[c]: label for c, label in f.values}
            if f.missing:
                missing[name] = [codes[c] for c in f.missing]
        elif f.type == "integer":
            columns[name] = pd.to_numeric(pd.Series(cells, dtype=object).replace("", None),
                                          errors="coerce").astype(float)
        elif f.type == "datetime":
            columns[name] = pd.to_datetime(pd.Series(cells, dtype=object).replace("", None),
                                           utc=True).dt.tz_localize(None)
        else:
            texts = [c[:DTA_TEXT_MAX] if kind == "dta" else c for c in cells]
            columns[name] = pd.Series(texts, dtype=object)
        title = f.title + (" (codes separated by ';')" if f.multi else "")
        labels[name] = title[:LABEL_MAX[kind]]
    return pd.DataFrame(columns), labels, value_labels, missing


def write(fields: Sequence[Field], rows: Iterable[Sequence[str]], path: str | Path,
          kind: str, file_label: str = "") -> int:
    """Write a .sav or .dta file (via a temporary name, like the CSV); returns the rows."""
    import pyreadstat

    df, labels, value_labels, missing = frame(fields, rows, kind)
    path = Path(path)
    partial = path.with_name(path.name + ".partial")
    try:
        if kind == "sav":
            measure = {n: ("nominal" if n in value_labels or df[n].dtype == object
                           else "scale") for n in df.columns}
            pyreadstat.write_sav(df, str(partial), file_label=file_label[:64],
                                 column_labels=labels, variable_value_labels=value_labels,
                                 variable_measure=measure, missing_ranges=missing or None)
        else:
            # Stata has no user-missing numbers: "I don't know" (-9) is labelled instead.
            pyreadstat.write_dta(df, str(partial), file_label=file_label[:80],
                                 column_labels=labels, variable_value_labels=value_labels)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return len(df)


def to_bytes(fields: Sequence[Field], rows: Iterable[Sequence[str]], kind: str,
             file_label: str = "") -> bytes:
    """The same file in memory, for a download (ReadStat writes to a path)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"export.{kind}"
        write(fields, rows, path, kind, file_label)
        return path.read_bytes()


def datapackage(fields: Sequence[Field], csv_name: str, name: str, title: str,
                bom: bool = False) -> dict:
    """A Frictionless Data package (tabular data package) for one wide CSV: each column's
    type, title, codes and labels; blank cells are missing."""
    schema_fields = []
    for f in fields:
        entry: dict = {"name": f.name, "type": f.type, "title": f.title}
        if f.type == "datetime":
            entry["format"] = "%Y-%m-%dT%H:%M:%SZ"
        if f.values and not f.multi:
            entry["constraints"] = {"enum": [
                int(c) if f.type == "integer" else c for c, _label in f.values]}
            # Table Schema v2 "categories": the value labels.
            entry["categories"] = [{"value": int(c) if f.type == "integer" else c,
                                    "label": label} for c, label in f.values]
        if f.multi:
            entry["description"] = ("Any of these codes, separated by ';': " + ", ".join(
                f"{c} = {label}" for c, label in f.values)) if f.values else \
                "Any of the options, separated by ';'"
        if f.measures:
            entry["measures"] = f.measures
        schema_fields.append(entry)
    slug = re.sub(r"[^a-z0-9._-]", "-", name.lower()) or "responses"
    return {
        "profile": "tabular-data-package",
        "name": slug,
        "title": title,
        "resources": [{
            "name": slug,
            "path": csv_name,
            "profile": "tabular-data-resource",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8-sig" if bom else "utf-8",
            "dialect": {"delimiter": ",", "lineTerminator": "\r\n", "header": True,
                        "doubleQuote": True},
            "schema": {"fields": schema_fields,
                       "missingValues": ["", *sorted({c for f in fields for c in f.missing})],
                       "primaryKey": ["response_id"]},
        }],
    }
