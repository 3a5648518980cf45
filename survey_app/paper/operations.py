"""Printing class packs: serials, the stored layout, the PDF. The CLI and the web page
both call `print_class_pack`, so the same rules hold whichever door a teacher uses."""

from __future__ import annotations

import html
import json
import re
import secrets
from dataclasses import dataclass
from typing import Any

from flask_babel import force_locale, gettext
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from forms.definition import SurveyDefinition
from forms.layout import PAPERS, layout_document, sheet_id
from forms.wording import DEFAULT_LANGUAGE, language_name
from survey_app.downloads import file_name
from survey_app.extensions import db
from survey_app.languages import SOURCE, interface_languages
from survey_app.models import Collection, PrintBatch, Setting, Sheet
from survey_app.pupil_numbers import pupil_digits, pupil_number_max
from survey_app.words import phase_name

INSTALLATION_KEY = "installation_id"
#: No 0/O or 1/I: someone may read the id off a sheet over the phone.
INSTALLATION_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
INSTALLATION_CHARS = 6
MAX_COPIES = 1000
MASTER_SERIAL = 0
NUMBERS_RE = re.compile(r"^\s*(\d{1,3})\s*(?:-\s*(\d{1,3}))?\s*$")


class PrintError(ValueError):
    """A print request that cannot be done; the message says what to do instead."""


def installation_id() -> str:
    """This installation's id, printed in every QR code so that sheets from another
    installation are refused. Made once, at random, and kept in the Setting table."""
    setting = db.session.get(Setting, INSTALLATION_KEY)
    if setting is not None:
        return setting.value
    value = "".join(secrets.choice(INSTALLATION_ALPHABET) for _ in range(INSTALLATION_CHARS))
    try:
        with db.session.begin_nested():
            db.session.add(Setting(key=INSTALLATION_KEY, value=value))
    except IntegrityError:  # another process made it first: use theirs
        setting = db.session.get(Setting, INSTALLATION_KEY, populate_existing=True)
        return setting.value
    return value


def parse_numbers(text: str) -> tuple[int, int]:
    """'1-30' (or '7') as (first, last) pupil numbers, each 1-99 (or up to the
    PUPIL_NUMBER_MAX setting, 999 at most)."""
    m = NUMBERS_RE.match(text or "")
    if not m:
        raise PrintError(gettext("'%(text)s' is not a range of pupil numbers: write it like "
                                 "1-30.", text=text))
    first, last = int(m.group(1)), int(m.group(2) or m.group(1))
    top = pupil_number_max()
    if not 1 <= first <= last <= top:
        raise PrintError(gettext("Pupil numbers go from 1 to %(top)s, the smaller first (like "
                                 "1-30).", top=top))
    return first, last


@dataclass
class PackResult:
    pdf: bytes
    #: The layout JSON document ("survey-sheet-layout/1") of the printed sheets.
    document: dict[str, Any]
    batch: PrintBatch
    sheet_ids: list[str]

    @property
    def filename(self) -> str:
        """Names the school and class (a downloads folder soon holds several packs), then
        the sheets' codes, in the school's own letters (survey_app.downloads sends an
        ASCII twin beside it)."""
        first, last = self.sheet_ids[0], self.sheet_ids[-1]
        span = first if first == last else f"{first}-to-{last}"
        c = self.batch.collection
        return file_name("paper", c.school.name, c.group.name, span, suffix=".pdf")


def next_serial(collection: Collection) -> int:
    """Serials continue across reprints (a lost sheet reprinted gets a new one). Shared
    with `letters.py`: letters home and class packs draw from one series."""
    # Lock the collection row on PostgreSQL so two packs printed at once cannot share
    # serials; SQLite serialises writers anyway, and the unique constraint backs both.
    db.session.execute(select(Collection.id).where(Collection.id == collection.id)
                       .with_for_update())
    top = db.session.scalar(select(func.max(Sheet.serial))
                            .where(Sheet.collection_id == collection.id))
    return (top or 0) + 1


def _pupil_number_mode(collection: Collection, numbers: tuple[int, int] | None) -> str:
    if numbers:
        return "printed"
    return "bubbles" if collection.ask_pupil_number else "none"


#: Joins the two languages of a bilingual sheet in a language choice ("cy+en").
BILINGUAL_JOIN = "+"


def language_choices(definition: SurveyDefinition) -> list[tuple[str, str]]:
    """The languages a survey's sheets may be printed in: each it is written in, then
    bilingual sheets (that language on the left beside English, the usual form in Wales)
    where it has English too. Values are language codes, or two joined by BILINGUAL_JOIN."""
    langs = definition.languages
    out = [(lang, language_name(lang)) for lang in langs]
    if DEFAULT_LANGUAGE in langs:
        out += [(f"{lang}{BILINGUAL_JOIN}{DEFAULT_LANGUAGE}",
                 gettext("Bilingual (%(first)s / %(second)s)", first=language_name(lang),
                         second=language_name(DEFAULT_LANGUAGE)))
                for lang in langs if lang != DEFAULT_LANGUAGE]
    return out


def default_language_choice(collection: Collection) -> str:
    """The collection's language where its survey is written in it, else the survey's."""
    definition = collection.survey_version.definition
    wanted = collection.language
    return wanted if wanted in definition.languages else definition.language


def sheet_languages(collection: Collection, choice: str | None = None) -> tuple[str, ...]:
    """The languages to print (one, or two for a bilingual sheet): `choice` (a value of
    `language_choices`) or the collection's default."""
    definition = collection.survey_version.definition
    choice = choice or default_language_choice(collection)
    offered = dict(language_choices(definition))
    if choice not in offered:
        raise PrintError(gettext("This survey is not written in '%(choice)s': choose one of "
                                 "%(offered)s.", choice=choice, offered=", ".join(offered)))
    return tuple(choice.split(BILINGUAL_JOIN))


def cover_locale(lang: str) -> str:
    """The language of a pack's cover: the sheets' (the first of a bilingual pair) where the
    app has a catalog for it, else English. The cover is for the teacher, so its words are
    the app's catalog's, not forms' phrasebook (print/cover.py)."""
    return lang if lang in interface_languages() else SOURCE


def _scan_page_name() -> str:
    """The upload page's menu name in the cover's language, with the English name after it
    when they differ: the teacher's own menu may be in English (the staff pages' language
    is theirs to choose), and must find the page the cover names."""
    here = html.unescape(gettext("Scans &amp; review"))
    with force_locale(SOURCE):
        english = html.unescape(gettext("Scans &amp; review"))
    return here if here == english else f"{here} ({english})"


def _sheets_line(ids: list[str], master: bool, numbers: tuple[int, int] | None) -> str:
    """The cover's "Sheets:" line, in the current locale."""
    if master:
        return gettext("%(sheet)s (master for photocopying)", sheet=ids[0])
    if numbers:
        return gettext("%(first)s to %(last)s, pupil numbers %(low)s to %(high)s",
                       first=ids[0], last=ids[-1], low=numbers[0], high=numbers[1])
    if len(ids) > 1:
        return gettext("%(first)s to %(last)s (%(num)s sheets)", first=ids[0], last=ids[-1],
                       num=len(ids))
    return ids[0]


def print_class_pack(collection: Collection, copies: int | None = None, paper: str = "a4",
                     master: bool = False, numbers: str | tuple[int, int] | None = None,
                     *, scan_url: str = "", web_url: str = "",
                     language: str | None = None) -> PackResult:
    """Record and draw a pack: `copies` sheets with new serials, or the photocopy master
    (serial 0), or a personalised pack (`numbers` '1-30': sheet k carries pupil number k).
    `language`: a value of `language_choices` (default: the collection's language).
    Flushes; the caller commits."""
    from print import (
        CoverText,
        PackSheet,
        UnprintableTextError,
        cover_pages,
        layout_for,
        render_pack,
    )

    paper = (paper or "a4").lower()
    if paper not in PAPERS:
        raise PrintError(gettext("Unknown paper size '%(paper)s': use a4 or letter.",
                                 paper=paper))
    if isinstance(numbers, str):
        numbers = parse_numbers(numbers)
    if master and numbers:
        raise PrintError(gettext("A master sheet is photocopied, so it cannot carry pupil "
                                 "numbers: choose either the master or a numbered pack."))
    if numbers:
        wanted = numbers[1] - numbers[0] + 1
        if copies is not None and copies != wanted:
            raise PrintError(gettext(
                "Pupil numbers %(first)s-%(last)s make %(wanted)s sheets, not %(copies)s: leave "
                "out the number of copies.", first=numbers[0], last=numbers[1], wanted=wanted,
                copies=copies))
        copies = wanted
    if not master and (copies is None or not 1 <= copies <= MAX_COPIES):
        raise PrintError(gettext("Say how many copies to print, from 1 to %(max)s.",
                                 max=MAX_COPIES))

    version = collection.survey_version
    try:
        layout = layout_for(version.definition, paper, _pupil_number_mode(collection, numbers),
                            pupil_digits(), languages=sheet_languages(collection, language))
    except UnprintableTextError as exc:
        raise PrintError(str(exc)) from None
    if master and len(layout.pages) > 1:
        raise PrintError(gettext(
            "This survey takes %(pages)s pages, so it cannot be a master for photocopying: "
            "print a pack with one copy per pupil instead.", pages=len(layout.pages)))
    if master:
        sheets = [PackSheet(MASTER_SERIAL)]
    else:
        start = next_serial(collection)
        sheets = [PackSheet(start + i, numbers[0] + i if numbers else None)
                  for i in range(copies)]

    installation = installation_id()
    ids = [sheet_id(collection.id, s.serial) for s in sheets]
    first_page = cover_pages(layout)
    document = layout_document(layout, [(i, s.pupil_number) for i, s in zip(ids, sheets,
                                                                              strict=True)],
                               first_pdf_page=first_page, installation=installation,
                               sheet_key=collection.sheet_key)
    document["collection_id"] = collection.id
    batch = PrintBatch(collection_id=collection.id, paper=paper,
                       layout_json=json.dumps(document, separators=(",", ":")),
                       layout_fingerprint=layout.fingerprint, is_master=master)
    db.session.add(batch)
    db.session.flush()
    existing_master = master and db.session.scalar(
        select(Sheet.id).where(Sheet.collection_id == collection.id,
                               Sheet.serial == MASTER_SERIAL))
    if not existing_master:  # reprinting the master reuses serial 0
        db.session.add_all(Sheet(collection_id=collection.id, print_batch_id=batch.id,
                                 serial=s.serial, pupil_number=s.pupil_number) for s in sheets)
    db.session.flush()

    school, group = collection.school.name, collection.group.name
    locale = cover_locale(layout.languages[0] if layout.languages else DEFAULT_LANGUAGE)
    # The cover's words (print/cover.py) and the ones made here are the app's gettext in
    # the cover's language, whatever the language of the page that asked for the pack.
    with force_locale(locale):
        cover = CoverText(collection.id, school, group, phase_name(collection.phase),
                          _sheets_line(ids, master, numbers), master=master,
                          personalised=bool(numbers), scan_url=scan_url, web_url=str(web_url),
                          installation=installation, sheet_key=collection.sheet_key,
                          knowledge=bool(version.definition.knowledge_questions),
                          pupil_digits=pupil_digits(),
                          scan_page=_scan_page_name(),
                          translate=gettext)
        pdf = render_pack(layout, sheets, installation=installation,
                          collection_id=collection.id, school=school, group=group,
                          cover=cover, sheet_key=collection.sheet_key)
    return PackResult(pdf, document, batch, ids)
