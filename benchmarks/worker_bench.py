"""Scan worker speed on a teacher's phone photos: one upload, and so one batch, per photo.

The app's whole path on a temporary SQLite database: a class pack of the pupil 7-11 survey
printed, each sheet filled by the project's generator and saved as a JPEG (a photo's
size, straight on), each uploaded with `submit_upload` (the web request's check), then
`survey-app worker`'s loop (`work(once=True)`) reading them all. Prints milliseconds a
photo for the upload check and for the worker, with the worker's decoding child kept from
batch to batch (as it runs) and, for comparison, a fresh child for every batch (as before
2026-12-05). Repeated alternately; the best of each counts.

    PYTHONPATH=$PWD .venv/bin/python benchmarks/worker_bench.py [--photos 20] [--repeat 3]
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import cv2  # noqa: E402
import numpy as np  # noqa: E402
import pypdfium2 as pdfium  # noqa: E402

from tests.support.generate import fill_page  # noqa: E402

SURVEY = REPO / "forms" / "bank" / "pupil_attitudes_7_11.yaml"
DPI = 200


def photos(pdf: bytes, document: dict, seed: int) -> list[bytes]:
    """Every sheet page, filled in, as a JPEG."""
    rng = np.random.default_rng(seed)
    out = []
    with pdfium.PdfDocument(pdf) as d:
        for sheet in document["sheets"]:
            for page in sheet["pages"]:
                rgb = d[page["pdf_page"]].render(scale=DPI / 72).to_numpy()[:, :, :3]
                img = np.ascontiguousarray(rgb[:, :, ::-1])
                fill_page(img, document, page["page"], DPI, rng)
                out.append(cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, 85])[1]
                           .tobytes())
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--photos", type=int, default=20, help="sheets (pages) to photograph")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    from bench_app import bench_collection, temporary_app

    from scanner.sandbox import Decoder
    from survey_app.extensions import db
    from survey_app.paper.operations import print_class_pack
    from survey_app.scans import worker
    from survey_app.scans.operations import submit_upload

    app = temporary_app("worker-bench-")
    kept = worker.DecoderForBatches.for_batch

    def fresh(self, partnership_id: int) -> Decoder:
        """The worker before 2026-12-05: every batch a child of its own."""
        self.close()
        return kept(self, partnership_id)

    with app.app_context():
        p, c = bench_collection(SURVEY)
        best = {"upload": [], "kept": [], "fresh": []}
        for r in range(args.repeat):
            for mode in ("kept", "fresh") if r % 2 == 0 else ("fresh", "kept"):
                pack = print_class_pack(c, args.photos)
                db.session.commit()
                files = photos(pack.pdf, pack.document, seed=r)[:args.photos]
                t = time.perf_counter()
                for k, data in enumerate(files):
                    submit_upload(io.BytesIO(data), f"IMG_{r}{mode}{k:04d}.jpg", p, None)
                best["upload"].append((time.perf_counter() - t) / len(files))
                worker.DecoderForBatches.for_batch = kept if mode == "kept" else fresh
                t = time.perf_counter()
                ran = worker.work(once=True, log=lambda _line: None)
                best[mode].append((time.perf_counter() - t) / len(files))
                assert ran == len(files), (ran, len(files))
        worker.DecoderForBatches.for_batch = kept
        db.engine.dispose()
    n = args.photos
    print(f"{n} photos (one upload each), best of {args.repeat} "
          f"(load average {os.getloadavg()[0]:.1f}):")
    print(f"  upload check (the web request):       {min(best['upload']) * 1000:6.0f} ms a photo")
    print(f"  worker, its child kept between batches: {min(best['kept']) * 1000:6.0f} ms a photo"
          f"  (all: {', '.join(f'{s * 1000:.0f}' for s in best['kept'])})")
    print(f"  worker, a fresh child for every batch:  {min(best['fresh']) * 1000:6.0f} ms a photo"
          f"  (all: {', '.join(f'{s * 1000:.0f}' for s in best['fresh'])})")


if __name__ == "__main__":
    main()
