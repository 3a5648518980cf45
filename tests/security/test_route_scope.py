"""Every signed-in route, tried as no one, as a teacher of another school and as a
coordinator of another partnership, pointed at the other side's objects.

The routes come from `app.url_map`, so a route added later is swept automatically: the
test fails if a route is neither public (listed below with a reason) nor fillable (its
URL parameters must have a filler in `_fill`). Expected: a redirect to sign in, 400
(no CSRF token), 403 or 404; never the other side's data, and a POST never changes the
other side's rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from flask import current_app
from sqlalchemy import select

from forms.definition import parse_survey
from survey_app.admin.operations import create_collection, load_survey_version
from survey_app.answer.operations import record_response
from survey_app.extensions import db
from survey_app.models import Partnership, School
from survey_app.models.scans import ResponseImage, ReviewItem, ScanBatch, ScanPage
from tests.conftest import BANK, csrf_from, login_as, make_user

#: Routes anyone may open, and why.
PUBLIC = {
    "static": "CSS and JS files",
    "web.index": "redirects to sign in or the dashboard",
    "web.healthz": "load balancer probe; says only 'ok'",
    "web.favicon": "the site icon every browser asks for (a static image)",
    "auth.login": "the sign-in page",
    "auth.logout": "signing out needs no scope (and is a POST with CSRF)",
    "auth.set_password": "guarded by a one-time 132-bit token, tested in tests/web",
    "answer.form": "the pupils' public link (unguessable token)",
    "answer.thanks": "the pupils' thank-you page",
    "answer_offline.service_worker": "the pupils' service worker (no data, only page files)",
    "answer_offline.manifest": "the pupils' link as an installable app (unguessable token)",
    "join.join": "the pupils' join-code box (wrong codes rate-limited, tested in tests/web)",
}
#: Teachers get 403 (or 404) here even for their own school's objects.
COORDINATOR_ONLY = {"admin.users", "admin.new_link", "admin.sign_out_user", "admin.deactivate",
                    "admin.reactivate", "erasure.school", "erasure.partnership",
                    "results.primary", "results.quotes", "plans.edit", "plans.add_question",
                    "plans.add_outcome", "plans.add_indicator", "plans.remove_outcome",
                    "plans.change_outcome",
                    "plans.primary", "plans.groups", "plans.upload", "plans.allocate_view"}
#: Routes whose GET, for the owner, is not a 2xx/3xx in this world (and why).
OWNER_GET_NOT_OK = {
    # POST-only routes have no GET; the sweep still posts to them.
}
DENIED = {403, 404}
SIGN_IN = re.compile(r"/login(\?|$)")


@dataclass
class Side:
    """One school's objects (ids) and the strings that must never leak to an outsider."""

    partnership_id: int
    school_id: int
    collection_id: int
    group_id: int
    batch_id: int
    page_id: int
    item_id: int
    user_id: int
    image_id: int
    survey_code: str
    secrets: list[str] = field(default_factory=list)


def _survey_yaml(code: str, title: str) -> str:
    text = (BANK / "pupil_attitudes_5_7.yaml").read_text()
    text = text.replace("code: pupil_attitudes_5_7", f"code: {code}", 1)
    return text.replace('title: "Me and science"', f'title: "{title}"', 1)


def _bump_collection_ids(partnership: Partnership, start: int) -> None:
    """Collection ids (and so sheet ids) above `start`, so a sheet id like '7003-1' is
    distinctive in a page body ('5-7' would be an age range): one placeholder collection
    moved to id `start`, which later ids follow on both databases."""
    c = create_collection(partnership, survey_code="pupil_attitudes_7_11",
                          school_name="Placeholder Primary", group_name="Nobody",
                          phase="once")
    db.session.flush()
    db.session.execute(sa.text("UPDATE collection SET id = :n WHERE id = :old"),
                       {"n": start, "old": c.id})
    if db.engine.dialect.name == "postgresql":
        db.session.execute(sa.text(
            f"SELECT setval(pg_get_serial_sequence('collection', 'id'), {start})"))
    db.session.expunge(c)


def _side(app, partnership: Partnership, school: str, tag: str) -> Side:
    from survey_app.paper.operations import print_class_pack

    own = load_survey_version(partnership, parse_survey(_survey_yaml(
        f"{tag.lower()}_own_survey", f"{tag} private survey")), school=None)
    c = create_collection(partnership, survey_code="pupil_attitudes_5_7", school_name=school,
                          group_name=f"{tag} Class", phase="before")
    db.session.flush()
    s = db.session.scalar(select(School).where(School.partnership_id == partnership.id,
                                               School.name == school))
    own.version.survey.school_id = s.id
    pack = print_class_pack(c, copies=2)
    sheet_ids = pack.sheet_ids
    db.session.commit()
    resp, _ = record_response(c, {"enjoy": "3"}, source="paper", submission_key=f"p:{tag}",
                              sheet_id=sheet_ids[0])
    record_response(c, {"enjoy": "1"}, source="web", submission_key=f"w:{tag}")
    storage = Path(app.config["STORAGE_DIR"])
    (storage / "pages").mkdir(parents=True, exist_ok=True)
    import cv2
    import numpy as np

    cv2.imwrite(str(storage / f"pages/{tag}.png"), np.full((200, 200), 255, np.uint8))
    (storage / f"{tag}.pdf").write_bytes(b"%PDF-1.4 placeholder")
    batch = ScanBatch(partnership_id=partnership.id, school_id=s.id,
                      filename=f"{tag}-upload.pdf", file_hash=tag[0] * 64,
                      stored_path=f"{tag}.pdf", size_bytes=20, status="done", pages_total=2,
                      pages_done=2)
    db.session.add(batch)
    db.session.flush()
    page = ScanPage(batch_id=batch.id, page_index=0, image_hash=f"{tag}i".ljust(64, "0"),
                    image_path=f"pages/{tag}.png", status="read", sheet_id=sheet_ids[0],
                    sheet_page=1, response_id=resp.id, created_response=True)
    bad = ScanPage(batch_id=batch.id, page_index=1, image_hash=f"{tag}j".ljust(64, "0"),
                   image_path=f"pages/{tag}.png", status="unreadable",
                   reason="no sheet code")
    db.session.add_all([page, bad])
    db.session.flush()
    item = ReviewItem(response_id=resp.id, scan_page_id=page.id, question_code="fun_lessons",
                      kind="unsure", confidence=0.4, crop_x=10, crop_y=10, crop_w=50,
                      crop_h=20, detail_json="{}")
    db.session.add(item)
    image = ResponseImage(response_id=resp.id, question_code="comments",
                          path=f"pages/{tag}.png")
    db.session.add(image)
    email = f"{tag.lower()}-teacher@{tag.lower()}.example.org"
    user = make_user(partnership, email, "teacher", school)
    db.session.commit()
    return Side(partnership.id, s.id, c.id, c.group_id, batch.id, bad.id, item.id, user.id,
                image.id, f"{tag.lower()}_own_survey",
                secrets=[school, email, f"{tag}-upload.pdf", f"{tag} private survey",
                         f"{tag} Class", *sheet_ids])


@pytest.fixture
def world(app, loaded_bank, partnership):
    """Two partnerships of two schools each, every kind of object in each school."""
    from survey_app.admin.operations import resolve_partnership

    other = resolve_partnership("Zebedee Valley Partnership", create=True)
    db.session.commit()
    for path in sorted(BANK.glob("*.yaml")):
        load_survey_version(other, parse_survey(path.read_text(), str(path)))
    db.session.commit()
    _bump_collection_ids(partnership, 7000)
    db.session.commit()
    sides = {
        "A1": _side(app, partnership, "Alderley Primary", "Alder"),
        "A2": _side(app, partnership, "Aspenwood Primary", "Aspen"),
        "B1": _side(app, other, "Birchington Primary", "Birch"),
        "B2": _side(app, other, "Beechcroft Primary", "Beech"),
    }
    assert sides["A2"].collection_id > 7000  # sheet ids are distinctive
    make_user(partnership, "coord-a@alpha.example.org", "coordinator")
    make_user(other, "coord-b@zebedee.example.org", "coordinator")
    sides["B"] = sides["B1"]
    return sides


def _fill(arg: str, side: Side) -> str | int:
    fillers = {
        "collection_id": side.collection_id, "batch_id": side.batch_id,
        "page_id": side.page_id, "item_id": side.item_id, "school_id": side.school_id,
        "image_id": side.image_id,
        "user_id": side.user_id, "group_id": side.group_id, "code": side.survey_code,
        "survey_code": side.survey_code,
    }
    assert arg in fillers, (
        f"URL parameter <{arg}> has no filler: add one to tests/security/test_route_scope.py "
        "so the new route is tried against another school's object")
    return fillers[arg]


def _protected_rules(app):
    rules = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC:
            continue
        rules.append(rule)
    return sorted(rules, key=lambda r: r.rule)


def _url(app, rule, side: Side) -> str:
    path = rule.rule
    for arg in rule.arguments:
        path = re.sub(rf"<(?:[^:<>]+:)?{arg}>", str(_fill(arg, side)), path)
    # Filters that some pages read from the query string, pointed at the other side too.
    return (f"{path}?school={side.school_id}&group={side.group_id}"
            f"&collection={side.collection_id}&survey={side.survey_code}")


def _payload(side: Side) -> dict:
    """Form fields a malicious post might carry, all pointing at the other side."""
    return {"confirm": "Zebedee Valley Partnership", "value": "1", "save": "1",
            "collection": str(side.collection_id), "pair_with": str(side.collection_id),
            "school": str(side.school_id), "survey": side.survey_code, "group": "Intruders",
            "phase": "before", "copies": "1", "role": "teacher", "email": "",
            "enjoy": "1", "action": "open", "open_code": side.survey_code}


def _snapshot() -> dict[str, frozenset]:
    db.session.expire_all()
    out = {}
    for table in db.metadata.sorted_tables:
        rows = db.session.execute(select(table)).all()
        out[table.name] = frozenset(tuple(r) for r in rows)
    db.session.rollback()
    return out


def _changes(before: dict, after: dict) -> dict:
    return {name: (len(before[name] - after[name]), len(after[name] - before[name]))
            for name in before if before[name] != after[name]}


def _leaks(body: str, side: Side, posted: dict | None = None) -> list[str]:
    posted_values = set((posted or {}).values())
    return [s for s in side.secrets if s in body and s not in posted_values]


def _signed_in_client(app, email: str | None):
    """A client in its own app context (Flask-Login and Flask-WTF cache in `g`)."""
    ctx = app.app_context()
    ctx.push()
    client = app.test_client()
    if email:
        login_as(client, email)
        token = csrf_from(client.get("/admin/surveys").get_data(as_text=True))
    else:
        token = csrf_from(client.get("/login").get_data(as_text=True))
    return ctx, client, token


def _sweep(app, email: str | None, victim: Side, *, own_rules_too: bool = True) -> list[str]:
    """Request every protected route as `email` against `victim`'s objects; return the
    failures as sentences."""
    failures: list[str] = []
    ctx, client, token = _signed_in_client(app, email)
    try:
        for rule in _protected_rules(app):
            url = _url(app, rule, victim)
            has_ids = bool(rule.arguments)
            if "GET" in rule.methods:
                resp = client.get(url)
                failures += _judge(rule, "GET", url, resp, email, victim, has_ids)
                resp.close()
            if "POST" in rule.methods:
                for with_token in (False, True):
                    data = _payload(victim)
                    if with_token:
                        data["csrf_token"] = token
                    before = _snapshot()
                    resp = client.post(url, data=data)
                    after = _snapshot()
                    what = f"POST{' +csrf' if with_token else ''}"
                    failures += _judge(rule, what, url, resp, email, victim, has_ids,
                                       posted=data)
                    resp.close()
                    changed = _changes(before, after)
                    if changed and (has_ids or not _own_additions(before, after, email)):
                        failures.append(f"{what} {url} as {email}: rows changed {changed}")
    finally:
        ctx.pop()
    return failures


def _own_additions(before: dict, after: dict, email: str | None) -> bool:
    """A post to a page without ids may create something in the poster's own scope (a
    collection, an upload); it must never remove or alter an existing row."""
    if email is None:
        return False
    return all(not (before[name] - after[name]) for name in before)


def _text_of(resp) -> str:
    """What a person would read in the response: the text of pages, CSV, JSON, SVG and PDF."""
    if resp.mimetype == "application/pdf" and resp.status_code == 200:
        import pypdfium2 as pdfium

        with pdfium.PdfDocument(resp.get_data()) as pdf:
            return "\n".join(page.get_textpage().get_text_range() for page in pdf)
    if resp.mimetype.startswith(("text/", "application/j", "image/svg")):
        return resp.get_data(as_text=True)
    return ""


def _judge(rule, method, url, resp, email, victim, has_ids, posted=None) -> list[str]:
    status = resp.status_code
    who = email or "no one"
    body = _text_of(resp)
    out = []
    if email is None:
        ok = (status in (302, 303) and SIGN_IN.search(resp.headers.get("Location", ""))) \
            or status in (400, 401, 403, 404)
        if not ok:
            out.append(f"{method} {url} as no one: {status}, expected a redirect to sign in")
        return out
    if method == "POST" and status == 400:
        return out  # no CSRF token: refused before the view
    if has_ids and status not in DENIED:
        out.append(f"{method} {url} as {who}: {status}, expected 403/404")
    if status < 300 and not has_ids and resp.mimetype not in (
            "text/html", "text/csv", "text/plain", "application/json", "application/pdf"):
        out.append(f"{method} {url} as {who}: {status} {resp.mimetype} for another side")
    leaked = _leaks(body, victim, posted)
    if leaked:
        out.append(f"{method} {url} as {who}: shows {leaked}")
    target = urlsplit(resp.headers.get("Location", "")).path
    if target and target in _object_paths(victim):
        out.append(f"{method} {url} as {who}: redirects to the other side's {target}")
    return out


def _object_paths(side: Side) -> set[str]:
    """The pages of the other side's objects (a redirect there would hand them over)."""
    app = current_app._get_current_object()
    return {urlsplit(_url(app, r, side)).path for r in _protected_rules(app) if r.arguments}


def test_every_route_is_public_or_swept(app):
    """The sweep covers every route: each is public (with a reason) or has fillers."""
    unknown = []
    for rule in _protected_rules(app):
        for arg in rule.arguments:
            try:
                _fill(arg, Side(0, 0, 0, 0, 0, 0, 0, 0, 0, ""))
            except AssertionError:
                unknown.append(f"{rule.rule} <{arg}>")
    assert not unknown, f"routes with parameters the sweep cannot fill: {unknown}"
    endpoints = {r.endpoint for r in app.url_map.iter_rules()}
    assert PUBLIC.keys() <= endpoints, "a public route listed here no longer exists"
    assert COORDINATOR_ONLY <= endpoints


def test_no_one_signed_in_gets_nothing(app, world):
    failures = _sweep(app, None, world["A1"])
    assert not failures, "\n".join(failures)


def test_teacher_sees_nothing_of_another_school(app, world):
    make_user_email = "alder-teacher@alder.example.org"
    failures = _sweep(app, make_user_email, world["A2"])
    failures += _sweep(app, make_user_email, world["B1"])
    assert not failures, "\n".join(failures)


def test_coordinator_sees_nothing_of_another_partnership(app, world):
    failures = _sweep(app, "coord-a@alpha.example.org", world["B1"])
    failures += _sweep(app, "coord-a@alpha.example.org", world["B2"])
    assert not failures, "\n".join(failures)


def test_owner_can_open_what_outsiders_cannot(app, world):
    """The control: the ids the sweep uses are real, so a 404 above means 'refused', not
    'no such thing'."""
    ctx, client, _ = _signed_in_client(app, "coord-b@zebedee.example.org")
    try:
        bad = []
        for rule in _protected_rules(app):
            if "GET" not in rule.methods or not rule.arguments:
                continue
            if rule.endpoint in OWNER_GET_NOT_OK:
                continue
            resp = client.get(_url(app, rule, world["B1"]))
            resp.close()
            if resp.status_code >= 400:
                bad.append(f"{rule.rule}: {resp.status_code}")
        assert not bad, "the owner is refused too, so the sweep proves nothing: " + str(bad)
    finally:
        ctx.pop()


def test_coordinator_pages_refuse_teachers_of_the_same_partnership(app, world):
    own = world["A1"]
    ctx, client, token = _signed_in_client(app, "alder-teacher@alder.example.org")
    try:
        bad = []
        for rule in _protected_rules(app):
            if rule.endpoint not in COORDINATOR_ONLY:
                continue
            url = _url(app, rule, own)
            for method in sorted(rule.methods & {"GET", "POST"}):
                before = _snapshot()
                resp = client.open(url, method=method, data={
                    "csrf_token": token, "confirm": "Riverside Science Partnership",
                    "email": "new@alder.example.org", "role": "coordinator"})
                resp.close()
                if resp.status_code not in DENIED:
                    bad.append(f"{method} {url}: {resp.status_code}")
                if _changes(before, _snapshot()):
                    bad.append(f"{method} {url}: changed rows")
        assert not bad, bad
    finally:
        ctx.pop()
