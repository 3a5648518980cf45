"""Erasure: delete a collection, a school or a partnership with everything that hangs off it
(responses, answers, review items, printed sheets, scan pages and their stored images),
in one transaction, and record it in the audit log.

Files are removed only after the database commit succeeds, so a failure never leaves rows
pointing at missing files; a file that cannot be removed is listed in the audit entry.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field

from flask_babel import gettext
from sqlalchemy import delete, or_, select, update

from survey_app.extensions import db
from survey_app.models import (
    Answer,
    Collection,
    Group,
    Partnership,
    PrintBatch,
    Response,
    School,
    Sheet,
    Survey,
    SurveyVersion,
    User,
)
from survey_app.models.audit import AuditEntry
from survey_app.models.plans import EvaluationPlan
from survey_app.models.scans import ResponseImage, ReviewItem, ScanBatch, ScanPage
from survey_app.storage import storage

#: Sheet-code prefixes matched per query (SQLite parses a chain of ORs 1000 deep at most).
SHEET_PREFIXES_PER_QUERY = 200


@dataclass
class ErasureSummary:
    target: str
    counts: Counter = field(default_factory=Counter)
    #: Storage keys to remove once the database rows are gone.
    files: list[str | None] = field(default_factory=list)
    undeleted_files: list[str] = field(default_factory=list)

    def describe(self) -> str:
        parts = [f"{n} {what}" for what, n in sorted(self.counts.items()) if n]
        return gettext("Erased %(target)s: %(what)s", target=self.target,
                       what=", ".join(parts) or gettext("nothing else"))


def _storage_path(rel: str | None) -> str | None:
    """The storage key of a stored file (kept as a key: the storage backend decides
    whether it is a file on disk or a row)."""
    return rel or None


def _sheet_of(collection_ids: list[int]):
    """Pages whose sheet code names one of the collections (sheet id '<collection>-<serial>');
    sheet ids are plain text, so this matches their prefix."""
    return or_(*(ScanPage.sheet_id.startswith(f"{cid}-", autoescape=True)
                 for cid in collection_ids))


def _erase_collections(ids: list[int], s: ErasureSummary) -> None:
    if not ids:
        return
    response_ids = select(Response.id).where(Response.collection_id.in_(ids))
    for (path,) in db.session.execute(
            select(ResponseImage.path).where(ResponseImage.response_id.in_(response_ids))):
        s.files.append(_storage_path(path))
    # A page is this collection's when it made or fed one of its responses, or when its
    # sheet code names the collection: pages refused (another school's upload, an unknown
    # serial) or never linked to a response are these pupils' sheets all the same.
    columns = select(ScanPage.id, ScanPage.image_path, ScanPage.batch_id)
    found = {p.id: p for p in db.session.execute(
        columns.where(ScanPage.response_id.in_(response_ids)))}
    for start in range(0, len(ids), SHEET_PREFIXES_PER_QUERY):
        found.update((p.id, p) for p in db.session.execute(
            columns.where(_sheet_of(ids[start:start + SHEET_PREFIXES_PER_QUERY]))))
    pages = list(found.values())
    page_ids = [p.id for p in pages]
    s.files += [_storage_path(p.image_path) for p in pages if p.image_path]
    # The original upload holds these pupils' pages too: remove the file, keep the record
    # (of every batch that stored the same file).
    batch_ids = {p.batch_id for p in pages}
    stored = select(ScanBatch.stored_path).where(ScanBatch.id.in_(batch_ids),
                                                 ScanBatch.stored_path != "")
    for batch in db.session.scalars(select(ScanBatch).where(
            ScanBatch.id.in_(batch_ids) | ScanBatch.stored_path.in_(stored))):
        if batch.stored_path:
            s.files.append(_storage_path(batch.stored_path))
            batch.stored_path = ""
            s.counts["original scan files"] += 1
    s.counts["review items"] += db.session.execute(
        delete(ReviewItem).where(ReviewItem.response_id.in_(response_ids)
                                 | ReviewItem.scan_page_id.in_(page_ids))).rowcount
    s.counts["write-in images"] += db.session.execute(
        delete(ResponseImage).where(ResponseImage.response_id.in_(response_ids))).rowcount
    if page_ids:
        s.counts["scanned pages"] += db.session.execute(
            delete(ScanPage).where(ScanPage.id.in_(page_ids))).rowcount
    s.counts["answers"] += db.session.execute(
        delete(Answer).where(Answer.response_id.in_(response_ids))).rowcount
    s.counts["responses"] += db.session.execute(
        delete(Response).where(Response.collection_id.in_(ids))).rowcount
    db.session.execute(delete(Sheet).where(Sheet.collection_id.in_(ids)))
    s.counts["print batches"] += db.session.execute(
        delete(PrintBatch).where(PrintBatch.collection_id.in_(ids))).rowcount
    db.session.execute(update(Collection).where(Collection.paired_with_id.in_(ids))
                       .values(paired_with_id=None))
    s.counts["collections"] += db.session.execute(
        delete(Collection).where(Collection.id.in_(ids))).rowcount


def _erase_batches(condition, s: ErasureSummary) -> None:
    batches = db.session.scalars(select(ScanBatch).where(condition)).all()
    stored = {b.stored_path for b in batches if b.stored_path}
    for batch in batches:
        s.files += [_storage_path(p.image_path) for p in batch.pages if p.image_path]
        if batch.stored_path:
            s.files.append(_storage_path(batch.stored_path))
        db.session.delete(batch)
        s.counts["scan batches"] += 1
    if stored:  # another upload of the same file (a coordinator's, after a teacher's)
        db.session.execute(update(ScanBatch).where(ScanBatch.stored_path.in_(stored))
                           .values(stored_path=""))


def _delete_users(condition) -> int:
    """Delete accounts; what they did stays, unattributed (the audit log keeps names)."""
    ids = select(User.id).where(condition)
    db.session.execute(update(ReviewItem).where(ReviewItem.resolved_by_id.in_(ids))
                       .values(resolved_by_id=None))
    db.session.execute(update(ScanBatch).where(ScanBatch.uploaded_by_id.in_(ids))
                       .values(uploaded_by_id=None))
    return db.session.execute(delete(User).where(condition)).rowcount


def _finish(s: ErasureSummary, actor: str, partnership_id: int | None, action: str) -> None:
    entry = AuditEntry(actor=actor, partnership_id=partnership_id, action=action,
                       target=s.target, detail_json=json.dumps(dict(s.counts)))
    db.session.add(entry)
    db.session.commit()
    s.undeleted_files += storage().delete_many(k for k in s.files if k)
    if s.undeleted_files:
        entry.detail_json = json.dumps({**s.counts, "files_not_removed": s.undeleted_files})
        db.session.commit()


def erase_collection(collection: Collection, actor: str) -> ErasureSummary:
    g = collection.group
    s = ErasureSummary(f"collection {collection.id} ({g.school.name} / {g.name} / "
                       f"{collection.phase})")
    pid = g.school.partnership_id
    _erase_collections([collection.id], s)
    _finish(s, actor, pid, "erase_collection")
    return s


def _school_collection_ids(school_ids) -> list[int]:
    return list(db.session.scalars(
        select(Collection.id).join(Group).where(Group.school_id.in_(school_ids))))


def erase_school(school: School, actor: str) -> ErasureSummary:
    s = ErasureSummary(f"school {school.name!r}")
    pid = school.partnership_id
    _erase_collections(_school_collection_ids([school.id]), s)
    _erase_batches(ScanBatch.school_id == school.id, s)
    s.counts["groups"] += db.session.execute(
        delete(Group).where(Group.school_id == school.id)).rowcount
    s.counts["accounts"] += _delete_users(User.school_id == school.id)
    # The school's own surveys (definitions, no answers) stay with the partnership.
    db.session.execute(update(Survey).where(Survey.school_id == school.id)
                       .values(school_id=None))
    s.counts["schools"] += db.session.execute(
        delete(School).where(School.id == school.id)).rowcount
    _finish(s, actor, pid, "erase_school")
    return s


def erase_partnership(partnership: Partnership, actor: str) -> ErasureSummary:
    s = ErasureSummary(f"partnership {partnership.name!r}")
    pid = partnership.id
    school_ids = [sc.id for sc in partnership.schools]
    _erase_collections(_school_collection_ids(school_ids), s)
    _erase_batches(ScanBatch.partnership_id == pid, s)
    if school_ids:
        s.counts["groups"] += db.session.execute(
            delete(Group).where(Group.school_id.in_(school_ids))).rowcount
    s.counts["accounts"] += _delete_users(User.partnership_id == pid)
    survey_ids = select(Survey.id).where(Survey.partnership_id == pid)
    db.session.execute(delete(SurveyVersion).where(SurveyVersion.survey_id.in_(survey_ids)))
    s.counts["surveys"] += db.session.execute(
        delete(Survey).where(Survey.partnership_id == pid)).rowcount
    s.counts["schools"] += db.session.execute(
        delete(School).where(School.partnership_id == pid)).rowcount
    # The plan's amendments and allocations go with it (ON DELETE CASCADE).
    db.session.execute(delete(EvaluationPlan).where(EvaluationPlan.partnership_id == pid))
    db.session.execute(delete(Partnership).where(Partnership.id == pid))
    _finish(s, actor, pid, "erase_partnership")
    return s
