"""Printing a letter-home pack: one letter per pupil with a reply slip for the parents,
recorded like a class pack (serials, the stored slip layout) so returned slips scan into
the same collection. The CLI and the print page both call `print_letter_pack`."""

from __future__ import annotations

import json

from flask_babel import force_locale, gettext

from forms.layout import PAPERS, layout_document, sheet_id
from survey_app.extensions import db
from survey_app.languages import SOURCE
from survey_app.models import Collection, PrintBatch, Sheet
from survey_app.paper.operations import (
    MAX_COPIES,
    PackResult,
    PrintError,
    installation_id,
    next_serial,
    parse_numbers,
    sheet_languages,
)

#: Only a parent survey goes home in a letter (its wording is for adults).
LETTER_AUDIENCE = "parent"


def letter_pack_check(collection: Collection) -> str | None:
    """Why this collection cannot have a letter pack, or None when it can."""
    if collection.survey_version.survey.audience != LETTER_AUDIENCE:
        return ("A letter home carries a survey for parents: this collection's survey is for "
                f"{collection.survey_version.survey.audience}s. Choose a parent survey (such "
                "as the bank's \u201cYour child and science\u201d) for the letters.")
    return None


def print_letter_pack(collection: Collection, copies: int | None = None, paper: str = "a4",
                      numbers: str | tuple[int, int] | None = None, *, body: str = "",
                      web_url: str = "", web_text: object = "") -> PackResult:
    """Record and draw letters home: `copies` letters, or a personalised pack (`numbers`
    '1-30': letter k carries pupil number k on the letter and its slip). `body` replaces
    the standard letter text. `web_text` may be lazy (`urls.cover_web_text`): it is made
    English here, like the rest of a letter, whatever the staff page's language. Flushes;
    the caller commits."""
    from print import PackSheet, UnprintableTextError, layout_for
    from print.letters import DEFAULT_LETTER, MAX_LETTER_CHARS, LetterText, render_letters

    why_not = letter_pack_check(collection)
    if why_not:
        raise PrintError(why_not)
    paper = (paper or "a4").lower()
    if paper not in PAPERS:
        raise PrintError(gettext("Unknown paper size '%(paper)s': use a4 or letter.",
                                 paper=paper))
    body = (body or "").strip() or DEFAULT_LETTER
    if len(body) > MAX_LETTER_CHARS:
        raise PrintError(gettext(
            "The letter's text is %(n)s characters: keep it under %(max)s so it fits above "
            "the reply slip.", n=len(body), max=MAX_LETTER_CHARS))
    if isinstance(numbers, str):
        numbers = parse_numbers(numbers)
    if numbers:
        wanted = numbers[1] - numbers[0] + 1
        if copies is not None and copies != wanted:
            raise PrintError(gettext(
                "Pupil numbers %(first)s-%(last)s make %(wanted)s letters, not %(copies)s: "
                "leave out the number of copies.", first=numbers[0], last=numbers[1],
                wanted=wanted, copies=copies))
        copies = wanted
    if copies is None or not 1 <= copies <= MAX_COPIES:
        raise PrintError(gettext("Say how many letters to print, from 1 to %(max)s.",
                                 max=MAX_COPIES))
    mode = "printed" if numbers else "bubbles" if collection.ask_pupil_number else "none"
    try:
        layout = layout_for(collection.survey_version.definition, f"{paper}-slip", mode,
                            languages=sheet_languages(collection))
    except UnprintableTextError as exc:
        raise PrintError(str(exc)) from None
    if len(layout.pages) > 1 and mode == "bubbles":
        raise PrintError(gettext(
            "With the pupil number to fill in as digits, this survey does not fit on the "
            "reply slip: give the pupil numbers (like 1-30) to print one on each letter "
            "instead, which is also easier for parents."))
    if len(layout.pages) > 1:
        raise PrintError(gettext(
            "This parent survey does not fit on the reply slip: keep it to about five short "
            "questions (one write-in box at most)."))

    start = next_serial(collection)
    sheets = [PackSheet(start + i, numbers[0] + i if numbers else None) for i in range(copies)]
    installation = installation_id()
    ids = [sheet_id(collection.id, s.serial) for s in sheets]
    document = layout_document(layout, [(i, s.pupil_number) for i, s in zip(ids, sheets,
                                                                              strict=True)],
                               installation=installation, sheet_key=collection.sheet_key)
    document["collection_id"] = collection.id
    batch = PrintBatch(collection_id=collection.id, paper=paper,
                       layout_json=json.dumps(document, separators=(",", ":")),
                       layout_fingerprint=layout.fingerprint, is_master=False)
    db.session.add(batch)
    db.session.flush()
    db.session.add_all(Sheet(collection_id=collection.id, print_batch_id=batch.id,
                             serial=s.serial, pupil_number=s.pupil_number) for s in sheets)
    db.session.flush()
    with force_locale(SOURCE):  # the letter's own words are English (print/letters.py)
        web_text = str(web_text)
    letter = LetterText(body=body, school=collection.school.name,
                        group=collection.group.name, web_url=web_url, web_text=web_text)
    pdf = render_letters(layout, sheets, installation=installation,
                         collection_id=collection.id, letter=letter,
                         sheet_key=collection.sheet_key)
    return PackResult(pdf, document, batch, ids)
