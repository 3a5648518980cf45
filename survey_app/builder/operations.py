"""The builder's actions on a draft (add, move, remove, upload) and its previews; the
draft itself is in `draft`, its checks in `checks` (both re-exported here for callers).
"""

from __future__ import annotations

import base64
import binascii
import json
import zlib
from dataclasses import replace

from flask_babel import gettext

from forms.definition import (
    AUDIENCES,
    CODE_RE,
    MAX_QUESTIONS,
    DefinitionError,
    Problem,
    Question,
    SurveyDefinition,
    read_yaml,
    survey_from_dict,
)
from forms.scales import SCALES
from survey_app.builder.checks import (  # noqa: F401  (re-exported for callers)
    place_problems,
    question_lines,
    warnings_for,
)
from survey_app.builder.draft import (  # noqa: F401  (re-exported for callers)
    MAX_DRAFT_BYTES,
    BuilderError,
    Draft,
    DraftQuestion,
    check_yaml,
    one_line,
    unique,
)

# --- actions ------------------------------------------------------------------------------


def add_question(draft: Draft, q: DraftQuestion) -> Draft:
    taken = {x.code for x in draft.questions}
    q = replace(q, code=unique(q.code, taken)) if q.code else q
    draft = replace(draft, questions=[*draft.questions, q])
    draft.fill_codes()
    return draft


def new_question(text: str, scale: str, options_text: str, required: bool,
                 retrospective: bool) -> DraftQuestion:
    """The "your own question" panel, checked enough to be added to the draft."""
    text = one_line(text)
    if not text:
        raise BuilderError(gettext("Write the question first, then press “Add this question”."))
    s = SCALES.get(scale)
    if s is None:
        raise BuilderError(gettext("Choose how pupils answer (the scale) from the list."))
    q = DraftQuestion(text=text, scale=scale, options_text=options_text.replace("\r\n", "\n")
                      .strip(), required=required, retrospective=retrospective)
    if s.needs_options and len(q.options()) < 2:
        raise BuilderError(gettext("Give at least two answers to choose from, one per line."))
    if retrospective and not s.can_be_retrospective:
        raise BuilderError(gettext(
            "The scale “%(scale)s” cannot be asked before and now; choose a rating scale "
            "such as faces3 or agree5, or untick “before and now”.", scale=scale))
    return q


def move(draft: Draft, index: int, step: int) -> Draft:
    qs = list(draft.questions)
    target = index + step
    if 0 <= index < len(qs) and 0 <= target < len(qs):
        qs[index], qs[target] = qs[target], qs[index]
    return replace(draft, questions=qs)


def remove(draft: Draft, index: int) -> Draft:
    qs = list(draft.questions)
    if 0 <= index < len(qs):
        del qs[index]
    return replace(draft, questions=qs)


def draft_from_upload(raw: bytes, name: str) -> tuple[Draft | None, SurveyDefinition | None,
                                                      list[Problem], list[int]]:
    """An uploaded survey file: (draft, valid survey or None, problems, question lines).
    The draft is None when the file cannot be read as YAML at all."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None, None, [Problem(name, None, "the file is not UTF-8 text; save it as "
                                    "UTF-8 and upload it again")], []
    survey, problems = check_yaml(text, name)
    if survey is not None:
        return Draft.from_survey(survey), survey, [], []
    try:
        data = read_yaml(text, name)  # refuses aliases, as parse_survey did just above
    except DefinitionError:
        return None, None, problems, []
    if not isinstance(data, dict):
        return None, None, problems, []
    return Draft.from_raw(data), None, problems, question_lines(text)


# --- previews -----------------------------------------------------------------------------


def encode_draft(draft: Draft) -> str:
    """The draft packed for a preview URL (compressed JSON, URL-safe)."""
    blob = json.dumps(draft.to_dict(), ensure_ascii=False, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(zlib.compress(blob, 9)).decode().rstrip("=")


def decode_draft(packed: str) -> Draft:
    try:
        data = base64.urlsafe_b64decode(packed + "=" * (-len(packed) % 4))
        inflater = zlib.decompressobj()
        blob = inflater.decompress(data, MAX_DRAFT_BYTES)
        if inflater.unconsumed_tail:
            raise BuilderError(gettext("This survey is too large to preview."))
        return Draft.from_raw(json.loads(blob))
    except (binascii.Error, zlib.error, ValueError) as exc:
        if isinstance(exc, BuilderError):
            raise
        raise BuilderError(gettext("The preview link is damaged: reload the builder "
                                   "page.")) from None


def preview_survey(draft: Draft) -> SurveyDefinition:
    """What can be shown of a draft now: its questions that are complete and valid on
    their own (the rest appear once fixed), under the draft's title and audience."""
    questions: list[Question] = []
    seen: set[str] = set()
    # No survey may have more questions than this, so the preview never draws more.
    for q in draft.questions[:MAX_QUESTIONS]:
        one = {"code": "preview", "title": "Preview", "audience": "teacher",
               **({"languages": draft.languages} if draft.languages else {}),
               "questions": [q.to_dict(draft.languages)]}
        try:
            parsed = survey_from_dict(one, "<preview>").questions[0]
        except DefinitionError:
            continue
        if parsed.code not in seen:
            seen.add(parsed.code)
            questions.append(parsed)
    if not questions:
        raise BuilderError(gettext("Add a question to see the preview."))
    audience = draft.audience if draft.audience in AUDIENCES else "pupil"
    return SurveyDefinition(code=draft.code if CODE_RE.match(draft.code or "") else "draft",
                  title=one_line(draft.title) or "Untitled survey", audience=audience,
                  questions=tuple(questions), intro=draft.intro or None,
                  ages=draft.ages or None, description=draft.description or None)


def paper_preview_png(survey: SurveyDefinition, width_px: int = 900) -> tuple[bytes, int]:
    """Page 1 of the real printed sheet as PNG, and how many pages the sheet has."""
    import io

    import pypdfium2 as pdfium

    from print import PackSheet, layout_for, render_pack

    layout = layout_for(survey)
    pdf = render_pack(layout, [PackSheet(1)], installation="PREVIEW", collection_id=0,
                      school="Your school", group="Your class")
    doc = pdfium.PdfDocument(pdf)
    try:
        page = doc[0]
        scale = width_px / page.get_width()
        image = page.render(scale=scale).to_pil()
        page.close()
    finally:
        doc.close()
    buf = io.BytesIO()
    image.convert("L").save(buf, "PNG", optimize=True)
    return buf.getvalue(), len(layout.pages)
