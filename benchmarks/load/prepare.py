"""Set up the load test's world (run by run_load.py in the server's environment): a
pupil collection, and for each teacher a printed 60-sheet class pack filled in and
scanned to one PDF. Prints one JSON line."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
from flask_migrate import upgrade

#: The repo root, for the test rig in tests/support/ (not an installed package).
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from forms.definition import load_survey  # noqa: E402
from survey_app import create_app  # noqa: E402
from survey_app.admin.operations import (  # noqa: E402
    create_collection,
    load_survey_version,
    resolve_partnership,
)
from survey_app.auth.operations import create_user  # noqa: E402
from survey_app.extensions import db  # noqa: E402
from survey_app.paper.operations import print_class_pack  # noqa: E402
from tests.support.generate import fill_page, pages_pdf  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
DPI = 200


def scan_pdf(pack, seed: int) -> bytes:
    rng = np.random.default_rng(seed)
    images = []
    with pdfium.PdfDocument(pack.pdf) as d:
        for sheet in pack.document["sheets"]:
            for page in sheet["pages"]:
                rgb = d[page["pdf_page"]].render(scale=DPI / 72).to_numpy()[:, :, :3]
                img = np.ascontiguousarray(rgb[:, :, ::-1])
                fill_page(img, pack.document, page["page"], DPI, rng)
                images.append(img)
    return pages_pdf(images, dpi=DPI)


def main(workdir: str, teachers: int, sheets: int) -> None:
    app = create_app()
    out: dict = {"teachers": []}
    with app.app_context():
        upgrade()
        p = resolve_partnership("Load test", create=True)
        load_survey_version(p, load_survey(REPO / "forms/bank/pupil_attitudes_5_7.yaml"))
        c = create_collection(p, survey_code="pupil_attitudes_5_7", school_name="Oak",
                              group_name="Y2", phase="before")
        db.session.commit()
        out["token"] = c.public_token
        out["columns"] = list(c.survey_version.definition.columns)
        for t in range(teachers):
            school = f"Teacher School {t + 1}"
            user, _ = create_user(p, f"teacher{t + 1}@load.test", "teacher", school)
            user.set_password("load-test-password")
            coll = create_collection(p, survey_code="pupil_attitudes_5_7", school_name=school,
                                     group_name="Y2", phase="before")
            pack = print_class_pack(coll, sheets)
            db.session.commit()
            path = Path(workdir) / f"scan-{t + 1}.pdf"
            path.write_bytes(scan_pdf(pack, seed=t))
            out["teachers"].append(f"{user.email}:load-test-password:{path}")
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
