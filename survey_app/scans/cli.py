"""`survey-app scan FILE...` and `survey-app worker`."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import func, select

from survey_app.admin.operations import SetupError, resolve_partnership
from survey_app.extensions import db
from survey_app.models import (
    ReviewItem,
    ReviewStatus,
    ScanPage,
)


def _summary(batch) -> dict:
    pages = [{"page": p.page_index + 1, "status": p.status, "sheet_id": p.sheet_id,
              "sheet_page": p.sheet_page, "reason": p.reason,
              "review_items": db.session.scalar(
                  select(func.count()).select_from(ReviewItem)
                  .where(ReviewItem.scan_page_id == p.id, ReviewItem.status == ReviewStatus.OPEN))}
             for p in db.session.scalars(select(ScanPage).where(ScanPage.batch_id == batch.id)
                                         .order_by(ScanPage.page_index))]
    return {"file": batch.filename, "batch_id": batch.id, "status": batch.status,
            "error": batch.error, "pages": pages,
            "counts": dict(Counter(p["status"] for p in pages))}


@click.command("scan")
@click.argument("files", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--partnership", default=None)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per file.")
@click.option("--debug-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Also write overlay images of each bubble and its decision.")
@with_appcontext
def scan(files: tuple[Path, ...], partnership: str | None, as_json: bool,
         debug_dir: Path | None) -> None:
    """Import scanned sheets (PDF, JPEG, PNG, TIFF) into the database now."""
    from survey_app.scans.operations import ScanUploadError, run_batch, submit_upload

    try:
        p = resolve_partnership(partnership)
    except SetupError as exc:
        raise click.ClickException(str(exc)) from None
    failed = 0
    for path in files:
        try:
            with path.open("rb") as f:
                outcome = submit_upload(f, path.name, p, None)
        except ScanUploadError as exc:
            failed += 1
            click.echo(json.dumps({"file": str(path), "error": str(exc)}) if as_json
                       else f"{path}: not read: {exc}", err=not as_json)
            continue
        batch = outcome.batch
        if outcome.created:
            run_batch(batch)
        if debug_dir is not None:
            _debug(path, p.id, debug_dir)
        summary = _summary(batch)
        summary["already_imported"] = not outcome.created
        if as_json:
            click.echo(json.dumps(summary))
            continue
        if not outcome.created:
            click.echo(f"{path}: already imported (batch {batch.id}); nothing changed")
            continue
        counts = ", ".join(f"{n} {s}" for s, n in sorted(summary["counts"].items()))
        click.echo(f"{path}: {len(summary['pages'])} pages: {counts}")
        for pg in summary["pages"]:
            line = f"  page {pg['page']}: {pg['status']}"
            if pg["sheet_id"]:
                line += f" sheet {pg['sheet_id']} p{pg['sheet_page']}"
            if pg["review_items"]:
                line += f", {pg['review_items']} to review"
            if pg["reason"] and pg["status"] != "read":
                line += f" - {pg['reason']}"
            click.echo(line)
    if failed:
        raise SystemExit(1)


@click.command("worker")
@click.option("--once", is_flag=True, help="Stop when no job is waiting.")
@with_appcontext
def worker(once: bool) -> None:
    """Run scan jobs queued from the web pages (start beside the web server)."""
    from survey_app.scans.worker import work

    n = work(once=once, log=click.echo)
    if once:
        click.echo(f"{n} scan jobs run")


def _debug(path: Path, partnership_id: int, out: Path) -> None:
    from scanner import Scanner
    from scanner.debug import write_debug
    from survey_app.paper.operations import installation_id
    from survey_app.scans.operations import layout_lookup

    result = Scanner(layout_lookup(partnership_id), installation_id()).scan_file(path)
    for written in write_debug(result, out):
        click.echo(f"  debug: {written}")
