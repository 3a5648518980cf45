"""Drawing the answering page: the form, the closed and thank-you pages' survey, the
builder's phone preview, and the helpers the template calls (faces, read-aloud words,
"before"/"now" labels, the language links)."""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from flask import current_app, g, render_template
from flask_babel import get_locale, gettext
from markupsafe import Markup

from forms.definition import NOW, THEN, Question, SurveyDefinition, retro_labels
from forms.faces import face_svg
from survey_app.answer.messages import translated
from survey_app.answer.shown import shown_stamp
from survey_app.answer.wtf import AnswerForm, form_class
from survey_app.languages import (
    declared,
    in_language,
    language_name,
    language_name_in,
    use_language,
)
from survey_app.models import Collection

#: Face size on the pupil page, in CSS px (about 72: big enough for a small finger).
FACE_PX = 72


def form_page(collection: Collection, form: AnswerForm, *, errors: dict | None = None,
              resend: bool = False, busy: bool = False) -> str:
    """The answering form, with its error summary; the routes (`views.py`) call it for a
    first view and for every send that has to be shown again."""
    survey = in_page_language(form.survey)
    pupil = survey.audience == "pupil"
    _translate_errors(form)
    summary = []
    for col, message in (errors or {}).items():
        message = translated(str(message))
        if col == "pupil_number":
            summary.append(("q-pupil_number", gettext("What is your number?") if pupil
                            else gettext("Your child's pupil number")
                            if survey.audience == "parent" else gettext("Your number"),
                            message))
        else:
            q = survey.question_for_column(col)
            summary.append((f"q-{q.code}", q.text, message))
    return render_template(
        "answer/form.html", collection=collection, survey=survey, form=form, pupil=pupil,
        summary=summary, resend=resend, busy=busy, face=_face, say=_say,
        retro_label=_retro_label, where=_where(collection), shown=shown_stamp(collection),
        switch=_switch(form.survey), speech_note=speech_note() if pupil else "",
    )


#: Surveys in one language, by (fingerprint, language): built once per process.
_by_language: dict[tuple[str, str], SurveyDefinition] = {}


def in_page_language(survey: SurveyDefinition) -> SurveyDefinition:
    """The survey with every text in this page's language (use_language chose it).
    Public: the routes (`views.py`) draw the bad-request and thank-you pages with it."""
    lang = g.get("page_lang") or declared(survey)[0]
    key = (survey.fingerprint, lang)
    found = _by_language.get(key)
    if found is None:
        if len(_by_language) > 512:
            _by_language.clear()
        found = _by_language[key] = in_language(survey, lang)
    return found


def _switch(survey: SurveyDefinition) -> list[tuple[str, str, bool]]:
    """The language links on the first screen: (code, its own name, shown now), one for
    each language the survey declares; none for a survey in one language."""
    if len(declared(survey)) < 2:
        return []
    lang = g.get("page_lang")
    return [(code, language_name(code), code == lang) for code in declared(survey)]


def speech_note() -> str:
    """Said where the device has no voice for the page's language (answer.js decides).
    Public: the thank-you page (`views.py`) says it too."""
    lang = g.get("page_lang") or "en"
    if lang.split("-")[0] == "en":
        return ""
    return gettext("This device cannot read %(language)s aloud.",
                   language=language_name_in(lang, str(get_locale())))


def _translate_errors(form: AnswerForm) -> None:
    """The normaliser's messages (forms.answers, plain English) in the page's language."""
    for field in form:
        if field.errors:
            field.errors = [translated(str(e)) for e in field.errors]


def preview_page(survey: SurveyDefinition, *, where: str = "",
                 ask_pupil_number: bool = False) -> str:
    """The answering page for a definition with no collection behind it (the survey
    builder's phone preview): the same template and form, a token that answers nothing."""
    the_form = form_class(survey.fingerprint, survey, ask_pupil_number)()
    the_form.ensure_submission_id()
    use_language(declared(survey)[0])
    return render_template(
        "answer/form.html", collection=SimpleNamespace(public_token="preview"),
        survey=in_page_language(survey),
        form=the_form, pupil=survey.audience == "pupil", summary=[], resend=False,
        face=_face, say=_say, retro_label=_retro_label, where=where,
    )


def closed_page(collection: Collection, state: str) -> str:
    """The "not open yet" or "closed" page, for the routes (`views.py`)."""
    survey = collection.survey_version.definition
    when = collection.opens_at if state == "not_open" else collection.closes_at
    return render_template("answer/closed.html", collection=collection,
                           survey=in_page_language(survey), state=state, when=_local(when),
                           pupil=survey.audience == "pupil")


def _face(q: Question, index: int) -> Markup:
    """The face for option `index` of a faces question (saddest first, as on paper)."""
    return Markup(face_svg(index, len(q.options), size=FACE_PX))


def _retro_label(column: str) -> str:
    """"Before the workshop" or "Now" in the page's language (forms' phrasebook)."""
    for suffix, label in retro_labels(g.get("page_lang") or "en").items():
        if column.endswith(suffix):
            return label
    return ""


def _say(q: Question) -> str:
    """What the read-aloud button speaks: the question, then its choices, as sentences a
    voice reads naturally ("Do you like science? No, a bit, yes."): no doubled marks. An
    "I don't know" answer, where offered, is read last."""
    if not q.options:
        return _sentence(q.text)
    labels = [q.label(code).strip().rstrip(".") for code in q.answer_codes]
    words = ", ".join([labels[0], *(_mid_sentence(label) for label in labels[1:])])
    if q.retrospective:
        retro = retro_labels(g.get("page_lang") or "en")
        return f"{_sentence(q.text)} {retro[THEN]}: {words}. {retro[NOW]}: {words}."
    return f"{_sentence(q.text)} {words}."


def _sentence(text: str) -> str:
    """`text` ending as a sentence: a full stop only when it has no end mark of its own."""
    text = text.strip()
    return text if text.endswith((".", "?", "!", "\u2026")) else f"{text}."


def _mid_sentence(label: str) -> str:
    """A choice read after a comma: "A bit" becomes "a bit"; "I", "I'm" and capitals
    such as "STEM" stay as they are."""
    first = label.split(" ", 1)[0]
    if first == "I" or first.startswith("I'") or (len(first) > 1 and not first[1:].islower()):
        return label
    return label[:1].lower() + label[1:]


def _where(collection: Collection) -> str:
    """The group and school, so a teacher can check the QR code is the right one."""
    group = collection.group
    return f"{group.name}, {group.school.name}"


def _local(when: datetime | None) -> str:
    if when is None:
        return ""
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    t = when.astimezone(zone)
    locale = get_locale()
    return gettext("%(day)s at %(time)s", day=format_date(t, "EEEE d MMMM", locale=locale),
                   time=format_time(t, "HH:mm", locale=locale))
