"""The results pages' filters, read from the address: one place for what a person may ask
to see (a teacher is held to their own school whatever the address says), used by the
results pages and the plan's results by outcome."""

from __future__ import annotations

from datetime import date

from flask import current_app, flash, request
from flask_babel import gettext

from survey_app import access
from survey_app.models import SOURCES
from survey_app.results import queries
from survey_app.results.queries import ResultsScope


def request_int(name: str) -> int | None:
    value = request.args.get(name, "").strip()
    return int(value) if value.isdigit() else None


def request_date(name: str) -> date | None:
    value = request.args.get(name, "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        flash(gettext("'%(value)s' is not a date: use the date picker or write it as 2026-09-30.",
                      value=value),
              "error")
        return None


def request_scope() -> ResultsScope:
    """The signed-in person's scope with the page's filters. A teacher is always held to
    their own school, whatever the address asks for."""
    allowed = access.current()
    school_id = request_int("school") if allowed.whole_partnership else allowed.school_id
    source = request.args.get("source") or None
    return ResultsScope(allowed.partnership_id, school_id=school_id, group_id=request_int("group"),
                 source=source if source in SOURCES else None,
                 date_from=request_date("from"), date_to=request_date("to"),
                 timezone=current_app.config["TIMEZONE"])


def form_choices(scope: ResultsScope) -> dict:
    """What the filter form needs: choices limited to what this person may see."""
    schools = queries.schools(scope.partnership_id)
    if not access.current().whole_partnership:
        schools = [s for s in schools if s.id == scope.school_id]
    return {"schools": schools, "groups": queries.groups(scope.partnership_id, scope.school_id),
            "sources": SOURCES, "scope": scope, "args": request.args}
