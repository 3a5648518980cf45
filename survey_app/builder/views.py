"""The survey builder: put a survey together from the question bank, see it on a phone and
on paper, save it as a survey version.

Stateless: every button posts the whole draft and the action; the page comes back
re-rendered (works without JavaScript). builder.js adds drag and drop and refreshes the
previews as the survey changes. Previews are GET pages whose URL carries the draft, so
the phone frame and the sheet image need no stored state either.
"""

from __future__ import annotations

import hashlib

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from forms.definition import AUDIENCES, MAX_PUPIL_QUESTIONS, Problem
from forms.scales import SCALES
from survey_app import access
from survey_app.admin.operations import (
    SetupError,
    load_for_user,
    outcome_sentence,
    survey_label,
)
from survey_app.builder import bank
from survey_app.builder.operations import (
    BuilderError,
    Draft,
    DraftQuestion,
    add_question,
    decode_draft,
    draft_from_upload,
    encode_draft,
    move,
    new_question,
    paper_preview_png,
    place_problems,
    preview_survey,
    question_lines,
    remove,
    warnings_for,
)
from survey_app.builder.wtf import BuilderForm
from survey_app.downloads import content_disposition
from survey_app.extensions import db

bp = Blueprint("builder", __name__, url_prefix="/admin/builder")

AUDIENCE_WORDS = {"pupil": _l("Pupils"), "teacher": _l("Teachers"),
                  "school": _l("Schools (a senior leader)"), "parent": _l("Parents and carers")}
#: What to do in the builder about a problem with each field (the checker's own words,
#: shown beside it, speak of the file).
FIX_HINTS = {
    "text": _l("Write the question's wording."),
    "code": _l("Change the export code (under “Export code”): a lower-case letter first, then "
               "letters, digits or _, different for each question."),
    "scale": _l("Choose how the question is answered from the list."),
    "options": _l("Type at least two answers in “Answers to choose from”, one per line."),
    "retrospective": _l("Untick “Before and now”, or choose a rating scale such as faces3."),
    "labels": _l("Choose the scale again: its answer words did not fit."),
    "title": _l("Give the survey a title."),
    "audience": _l("Choose who answers the survey."),
    "questions": _l("Remove questions until there are few enough, or add one if there are "
                    "none."),
}
#: A new pupil question starts on the faces that suit the survey's ages.
DEFAULT_SCALE = {"pupil": "faces5", "teacher": "agree5", "school": "agree5", "parent": "agree5"}


# --- pages --------------------------------------------------------------------------------


@bp.get("/")
@login_required
def index():
    draft, opened = Draft(audience="pupil"), None
    if code := request.args.get("survey"):
        opened = _own_survey(code)
        if opened is None:
            abort(404)
        draft = Draft.from_survey(opened.latest.definition)
    elif code := request.args.get("bank"):
        survey = bank.bank_survey(code)
        if survey is None:
            abort(404)
        draft = Draft.from_survey(survey)
    return _page(draft, opened=opened)


@bp.post("/")
@login_required
def act():
    draft = Draft.from_form(request.form)
    verb, _, arg = request.form.get("action", "refresh").partition(":")
    handler = ACTIONS.get(verb)
    if handler is None:
        return _page(draft)
    try:
        return handler(draft, arg)
    except BuilderError as exc:
        return _page(draft, notice=str(exc)), 422


def _start(draft: Draft, arg: str):
    if arg == "empty":
        return _page(Draft(audience=draft.audience if draft.audience in AUDIENCES else "pupil"))
    survey = bank.bank_survey(arg)
    if survey is None:
        raise BuilderError(gettext("That bank survey is not there any more: choose another."))
    return _page(Draft.from_survey(survey), info=gettext(
        "Started from the bank survey “%(title)s”. Change anything, then save it under your "
        "own code.", title=survey.title))


def _open(draft: Draft, _arg: str):
    code = request.form.get("open_code", "")
    survey = _own_survey(code)
    if survey is None:
        raise BuilderError(gettext("Choose one of your surveys to open."))
    return _page(Draft.from_survey(survey.latest.definition), opened=survey)


def _add_bank(draft: Draft, arg: str):
    found = bank.bank_question(arg)
    if found is None:
        raise BuilderError(gettext("That bank question is not there any more: choose another."))
    draft = add_question(draft, DraftQuestion.from_question(found.question))
    return _page(draft, focus=len(draft.questions) - 1)


def _add_own(draft: Draft, _arg: str):
    f = request.form
    try:
        q = new_question(f.get("new-text", ""), f.get("new-scale", ""),
                         f.get("new-options", ""), bool(f.get("new-required")),
                         bool(f.get("new-retrospective")))
    except BuilderError as exc:
        return _page(draft, new_error=str(exc), keep_new=True), 422
    draft = add_question(draft, q)
    return _page(draft, focus=len(draft.questions) - 1)


def _index(arg: str) -> int:
    if not arg.isdigit():
        raise BuilderError(gettext("That button did not say which question: reload the page."))
    return int(arg)


def _up(draft: Draft, arg: str):
    i = _index(arg)
    return _page(move(draft, i, -1), focus=max(i - 1, 0))


def _down(draft: Draft, arg: str):
    i = _index(arg)
    return _page(move(draft, i, 1), focus=min(i + 1, len(draft.questions) - 1))


def _remove(draft: Draft, arg: str):
    i = _index(arg)
    text = draft.questions[i].text if 0 <= i < len(draft.questions) else ""
    return _page(remove(draft, i), info=gettext("Removed “%(text)s”.", text=text) if text else None)


def _save(draft: Draft, _arg: str):
    survey, problems = draft.check()
    if survey is None:
        return _page(draft, problems=problems, starts=question_lines(draft.to_yaml()),
                     notice="The survey was not saved: fix the problems marked below, "
                            "then press Save again."), 422
    try:
        result = load_for_user(current_user, survey)
    except SetupError as exc:
        db.session.rollback()
        return _page(draft, notice=str(exc)), 422
    db.session.commit()
    flash(outcome_sentence(result.version, result.outcome), "info")
    return redirect(url_for("builder.index", survey=survey.code), code=303)


def _download(draft: Draft, _arg: str):
    survey, problems = draft.check()
    if survey is None:
        return _page(draft, problems=problems, starts=question_lines(draft.to_yaml()),
                     notice="The survey has problems, so its file would not load: fix the "
                            "problems marked below, then download it again."), 422
    return Response(survey.to_yaml(), mimetype="application/x-yaml", headers={
        "Content-Disposition": content_disposition(f"{survey.code}.yaml")})


def _upload(draft: Draft, _arg: str):
    form = BuilderForm()
    upload = form.yaml_file.data
    if upload is None or not getattr(upload, "filename", ""):
        raise BuilderError(gettext("Choose a .yaml file first, then press “Upload into the "
                                   "builder”."))
    name = upload.filename
    new, survey, problems, starts = draft_from_upload(upload.read(), name)
    if new is None:
        return _page(draft, problems=problems, notice=f"{name} could not be read as a survey "
                     "file, so the builder still shows your draft. Fix the file and upload "
                     "it again."), 422
    if survey is not None:
        return _page(new, info=gettext(
            "Loaded %(file)s: it has no problems. Press Save to store it.", file=name))
    return _page(new, problems=problems, starts=starts, notice=f"{name} has problems, marked "
                 "below beside each question. Fix them here and save, or fix the file and "
                 "upload it again."), 422


ACTIONS = {
    "refresh": lambda draft, _arg: _page(draft),
    "start": _start, "open": _open, "add_bank": _add_bank, "add_own": _add_own,
    "up": _up, "down": _down, "remove": _remove, "save": _save, "download": _download,
    "upload": _upload,
}


def _own_survey(code: str):
    for s in access.surveys():
        if s.code == code:
            return s
    return None


def _age_filter(draft: Draft) -> str:
    """The bank's age filter: as chosen, else what suits the draft."""
    chosen = request.form.get("bank_ages")
    if chosen is not None and chosen in dict(bank.AGE_FILTERS):
        return chosen
    if draft.audience != "pupil":
        return "adults"
    return draft.ages if draft.ages in dict(bank.AGE_FILTERS) else ""


def _page(draft: Draft, *, problems: list[Problem] | None = None, starts: list[int] | None = None,
          notice: str | None = None, info: str | None = None, new_error: str | None = None,
          keep_new: bool = False, focus: int | None = None, opened=None) -> str:
    general, by_question = place_problems(problems or [], starts or [],
                                          [q.code for q in draft.questions])
    warn_general, warn_per = warnings_for(draft)
    packed = encode_draft(draft)
    age_filter = _age_filter(draft)
    in_draft = {(q.text, q.scale) for q in draft.questions}
    new = {k: request.form.get(f"new-{k}", "") for k in ("text", "scale", "options")} \
        if keep_new else {}
    if keep_new:
        new["required"] = bool(request.form.get("new-required"))
        new["retrospective"] = bool(request.form.get("new-retrospective"))
    new.setdefault("scale", "faces3" if draft.ages == "5-7" else
                   DEFAULT_SCALE.get(draft.audience, "faces5"))
    pages, problem = _paper(draft)
    return render_template(
        "builder/index.html", draft=draft, form=BuilderForm(), general=general,
        by_question=by_question, warn_general=warn_general, warn_per=warn_per,
        notice=notice, info=info, new=new, new_error=new_error, focus=focus, opened=opened,
        scales=list(SCALES.values()), audiences=AUDIENCE_WORDS,
        bank_groups=bank.grouped(), age_filter=age_filter, age_filters=bank.AGE_FILTERS,
        in_draft=in_draft, bank_surveys=bank.bank_surveys(), own_surveys=access.surveys(),
        survey_label=survey_label, limit=MAX_PUPIL_QUESTIONS, fix_hints=FIX_HINTS,
        phone_url=url_for("builder.phone", d=packed),
        paper_url=url_for("builder.paper", d=packed), pages=pages, paper_problem=problem,
    )


def _paper(draft: Draft) -> tuple[int | None, str | None]:
    """(pages of the printed sheet, or None; why it cannot be printed, if a font cannot
    draw some of its words)."""
    from print import UnprintableTextError, layout_for

    try:
        return len(layout_for(preview_survey(draft)).pages), None
    except UnprintableTextError as exc:
        return None, str(exc)
    except (BuilderError, ValueError):
        return None, None


# --- previews -----------------------------------------------------------------------------


def _draft_from_url() -> Draft:
    return decode_draft(request.args.get("d", ""))


@bp.get("/preview/phone")
@login_required
def phone():
    """The real answering page for the draft, for the phone frame."""
    from survey_app.answer.views import preview_page

    try:
        survey = preview_survey(_draft_from_url())
    except BuilderError as exc:
        return render_template("builder/preview_message.html", message=str(exc))
    return preview_page(survey, where="Your class, your school (preview)")


@bp.get("/preview/paper.png")
@login_required
def paper():
    """Page 1 of the real printed sheet, as an image."""
    etag = hashlib.sha256(request.args.get("d", "").encode()).hexdigest()[:32]
    if request.if_none_match.contains(etag):
        return Response(status=304)
    try:
        png, pages = paper_preview_png(preview_survey(_draft_from_url()))
    except (BuilderError, ValueError) as exc:
        return Response(str(exc), status=422, mimetype="text/plain")
    resp = Response(png, mimetype="image/png", headers={"X-Sheet-Pages": str(pages)})
    resp.set_etag(etag)
    resp.headers["Cache-Control"] = "private, max-age=3600"
    return resp


@bp.post("/state")
@login_required
def state():
    """For builder.js: the preview links and the warnings of the draft as posted."""
    draft = Draft.from_form(request.form)
    packed = encode_draft(draft)
    warn_general, warn_per = warnings_for(draft)
    pages, problem = _paper(draft)
    return jsonify(
        phone_url=url_for("builder.phone", d=packed), paper_url=url_for("builder.paper",
                                                                        d=packed),
        warnings=warn_general, question_warnings={str(i): w for i, w in warn_per.items()},
        codes=[q.code for q in draft.questions], count=len(draft.questions),
        pages=pages, paper_problem=problem,
    )
