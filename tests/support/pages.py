"""Pages and packs: render a real class pack with print/, fill and degrade its pages,
write them as PDF or JPEG files, and score what the scanner read against the truth."""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import cv2
import numpy as np
from PIL import Image

from tests.support.children import REVIEW, fill_page
from tests.support.faults import degrade


@dataclass
class Pack:
    """A rendered class pack: the layout document and each sheet page as a colour image."""

    layout: dict
    dpi: float
    installation: str
    collection_id: int
    #: (serial, page number, BGR image) per printed sheet page, cover left out.
    pages: list[tuple[int, int, np.ndarray]]


@dataclass
class FilledPage:
    serial: int
    page: int
    image: np.ndarray
    #: column -> value, "" (blank) or REVIEW.
    truth: dict[str, str] = field(default_factory=dict)
    condition: str = "clean"
    #: (question, value, style) of every mark painted, for tuning.
    marks: list[tuple[str, str, str]] = field(default_factory=list)
    #: Columns whose mark is so light (a pencil barely pressed, a pale crayon) that review
    #: is an acceptable outcome too; reading them wrong is still an error.
    lenient: set[str] = field(default_factory=set)
    #: The copier or phone faults applied to this page ("streak", "shadow", "skew 5.2", ...).
    faults: list[str] = field(default_factory=list)


def class_pack(survey, copies: int, *, pupil_number: str = "none", paper: str = "a4",
               dpi: float = 200, installation: str = "TESTINST", collection_id: int = 7,
               first_serial: int = 1, languages: tuple[str, ...] = ()) -> Pack:
    """Render a real class pack with print/ (no database) and rasterise its sheet pages.
    `survey` is a bank survey's code or a `forms.definition.SurveyDefinition`; `languages` as
    `print.layout_for` takes them (one, or two for a bilingual sheet)."""
    from pathlib import Path

    import pypdfium2 as pdfium

    from forms.definition import load_survey
    from forms.layout import layout_document
    from print import PackSheet, layout_for, render_pack

    if isinstance(survey, str):
        definition = load_survey(Path(__file__).resolve().parents[2] / "forms" / "bank"
                                 / f"{survey}.yaml")
    else:
        definition = survey
    layout = layout_for(definition, paper, pupil_number, languages=languages)
    sheets = [PackSheet(first_serial + k) for k in range(copies)]
    pdf = render_pack(layout, sheets, installation=installation, collection_id=collection_id)
    doc = layout_document(layout, [(f"{collection_id}-{s.serial}", None) for s in sheets])
    _add_faces(doc, layout)
    pages = []
    with pdfium.PdfDocument(pdf) as d:
        n = len(layout.pages)
        for k, sheet in enumerate(sheets):
            for p in range(n):
                bmp = d[k * n + p].render(scale=dpi / 72)
                rgb = bmp.to_numpy()[:, :, :3]
                pages.append((sheet.serial, p + 1, np.ascontiguousarray(rgb[:, :, ::-1])))
    return Pack(doc, dpi, installation, collection_id, pages)



def _add_faces(doc: dict, layout) -> None:
    """Each printed face with the bubble under it, in the page templates (the layout carries
    them itself once `forms.layout` writes "faces"; layouts without them are left alone)."""
    for tpl, page in zip(doc["page_templates"], layout.pages, strict=True):
        if "faces" in tpl or not page.faces:
            continue
        faces = []
        for f in page.faces:
            below = [b for b in tpl["bubbles"] if abs(b["cx"] - f.cx) < 1 and b["cy"] > f.cy]
            b = min(below, key=lambda b: b["cy"] - f.cy, default=None)
            if b is not None:
                faces.append({"question": b["question"], "value": b["value"], "cx": f.cx,
                              "cy": f.cy, "size": f.size})
        tpl["faces"] = faces


def filled_pages(pack: Pack, seed: int, condition: str = "clean") -> list[FilledPage]:
    """Every page of the pack filled in (answers drawn from `seed`) and degraded."""
    rng = np.random.default_rng(seed)
    out = []
    for serial, page, img in pack.pages:
        canvas = img.copy()
        marks: list = []
        lenient: set = set()
        faults: list = []
        truth = fill_page(canvas, pack.layout, page, pack.dpi, rng, marks, lenient)
        out.append(FilledPage(serial, page, degrade(canvas, condition, rng, faults), truth,
                              condition, marks, lenient, faults))
    return out



# --- Files ----------------------------------------------------------------------------------


def pages_pdf(images: list[np.ndarray], dpi: float = 200, quality: int = 80) -> bytes:
    """A copier-style PDF: one JPEG image per page at `dpi`; a page that holds only black
    and white (a 1-bit dithered scan) is stored losslessly, 1 bit a pixel, as copiers do."""
    pil = [Image.fromarray(i if i.ndim == 2 else cv2.cvtColor(i, cv2.COLOR_BGR2RGB))
           for i in images]
    binary = [i.ndim == 2 and not np.any((i > 0) & (i < 255)) for i in images]
    if not any(binary):
        buf = io.BytesIO()
        pil[0].save(buf, "PDF", save_all=True, append_images=pil[1:], resolution=dpi,
                    quality=quality)
        return buf.getvalue()
    import pypdfium2 as pdfium

    out = pdfium.PdfDocument.new()
    for im, bw in zip(pil, binary, strict=True):
        buf = io.BytesIO()
        if bw:
            im.convert("1").save(buf, "PDF", resolution=dpi)
        else:
            im.save(buf, "PDF", resolution=dpi, quality=quality)
        with pdfium.PdfDocument(buf.getvalue()) as one:
            out.import_pages(one)
    buf = io.BytesIO()
    out.save(buf)
    out.close()
    return buf.getvalue()


def jpeg(img: np.ndarray, quality: int = 85) -> bytes:
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, quality])
    return buf.tobytes()


# --- Scoring --------------------------------------------------------------------------------


@dataclass
class Score:
    answers: int = 0
    correct: int = 0
    #: Sent to review when the truth was definite (cost: a person's time).
    reviewed: int = 0
    #: Sent to review when it had to be (two marks, crossed out).
    reviewed_needed: int = 0
    #: A stored answer that differs from what was painted: the one thing never allowed.
    wrong: int = 0
    unreadable_pages: int = 0
    details: list[str] = field(default_factory=list)

    def add(self, other: Score) -> None:
        for k in ("answers", "correct", "reviewed", "reviewed_needed", "wrong",
                  "unreadable_pages"):
            setattr(self, k, getattr(self, k) + getattr(other, k))
        self.details += other.details

    def line(self) -> str:
        n = max(1, self.answers)
        return (f"{self.answers} answers: {self.correct} correct ({100 * self.correct / n:.2f} %), "
                f"{self.reviewed} sent to review unnecessarily ({100 * self.reviewed / n:.2f} %), "
                f"{self.reviewed_needed} reviewed as required, {self.wrong} silently wrong "
                f"({1000 * self.wrong / n:.2f} per 1,000); {self.unreadable_pages} pages unread")


def score_page(truth: dict[str, str], result, label: str = "",
               lenient: set[str] | frozenset = frozenset()) -> Score:
    """Compare one page's scanner result with what was painted. Review of a `lenient`
    column (a mark too light to call clear) counts as required review."""
    from scanner.results import PageResult

    s = Score()
    if not isinstance(result, PageResult):
        s.unreadable_pages = 1
        s.answers = len(truth)
        s.reviewed = sum(1 for v in truth.values() if v != REVIEW)
        s.reviewed_needed = len(truth) - s.reviewed
        s.details.append(f"{label}: unreadable: {result.reason}")
        return s
    got = result.answer_map
    review = {r.question for r in result.review}
    for col, want in truth.items():
        s.answers += 1
        if col in review:
            if want == REVIEW or col in lenient:
                s.reviewed_needed += 1
            else:
                s.reviewed += 1
                why = next(r.reason for r in result.review if r.question == col)
                s.details.append(f"{label} {col}: review ({why}), painted {want!r}")
        elif col not in got:
            s.wrong += 1
            s.details.append(f"{label} {col}: not read at all")
        elif want == REVIEW or got[col] != want:
            s.wrong += 1
            s.details.append(f"{label} {col}: read {got[col]!r}, painted {want!r}")
        else:
            s.correct += 1
    return s
