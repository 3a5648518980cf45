"""Scanner speed and accuracy on generated class packs.

    .venv/bin/python benchmarks/scan_bench.py [--pages 240] [--photos 60] [--repeat 3] [--details]
    .venv/bin/python benchmarks/scan_bench.py --tune    # the evidence for the thresholds
    .venv/bin/python benchmarks/scan_bench.py --speed-only --cache /tmp/corpus \
        --decisions before.json            # speed work: time, and keep every decision ...
    .venv/bin/python benchmarks/scan_bench.py --speed-only --cache /tmp/corpus \
        --compare before.json [--profile]  # ... then check a change altered none of them
    .venv/bin/python benchmarks/scan_bench.py --circles 20 --seed 801 --details \
        --cache /tmp/corpus                # sheets with a circle round every answer (tuning)

Prints, in one run: the floor (just rasterising the copier PDF's pages, or decoding the
photo JPEGs), pages per second in one process and on all cores, and accuracy (answers
correct, sent to review, silently wrong) on clean scans, copier scans and phone photos,
against the goals (docs/developing/scanner-figures.md), with a breakdown by children's mark
and by copier or phone fault.

The corpus: the bank surveys and `all_kinds.yaml` (every kind of question), filled in by
`tests.support.generate` with children's marks at its rates (fills, ticks, crosses,
scribbles, pencil, circles round the bubble, coloured faces, marks between two answers,
changed minds) and its copier faults (streaks, 3-7 degree skew, fit-to-page, A4 on Letter,
100-150 dpi, 1-bit dither, a lost corner marker) and phone faults (uneven light, hard
shadow edges, JPEG).

Speed is reported as wall time and as processor time (this process's, plus its decoding
child's): on a shared machine the wall time swings with the load, the processor time hardly.

Seeds: the benchmark paints from seeds 1100+ (clean), 1200+ (copier), 1300+ (photos),
never used for tuning. The thresholds in scanner/tuning.py were tuned on seeds below 1000
(`--tune` uses 0-59; earlier rounds used 100-104, 200-204 and 300-304, and the tests in
tests/scan use seeds below 100). Tuning work paints its own corpus below 1000 with `--seed`
(e.g. `--seed 500 --accuracy-only --details --cache DIR`: clean 500+, copier 600+, photos
700+; the last rounds used 500, 530 and 560, and sheets with a circle on every answer at
800-802), and reports on the default seeds once.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import pickle
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import cv2  # noqa: E402
import numpy as np  # noqa: E402

from scanner import PageResult, Scanner  # noqa: E402
from scanner.inputs import open_scan  # noqa: E402
from tests.support.generate import (  # noqa: E402
    Score,
    class_pack,
    degrade,
    filled_pages,
    jpeg,
    pages_pdf,
    paint_mark,
    score_page,
)

INSTALLATION = "BENCH001"
ALL_KINDS = Path(__file__).with_name("all_kinds.yaml")
#: (bank survey or definition file, pupil number mode): pupil sheets with digit bubbles, the
#: 5-7 faces sheet, a teacher grid with a write-in box, the partner-school sheet (0-10,
#: yes/no, choice, tick all), and one survey with every kind of question.
SURVEYS = [("pupil_attitudes_7_11", "bubbles"), ("pupil_attitudes_5_7", "none"),
           ("teacher_confidence", "none"), ("workshop_knowledge", "bubbles"),
           ("partner_school", "none"), (ALL_KINDS, "bubbles")]
#: The goals (docs/developing/scanner-figures.md): silent errors per 1,000 answers and
#: needless review (% of answers).
#: The report's seeds (clean; copier +100, photos +200): never used for tuning.
REPORT_SEED = 1100
GOALS = {"clean": (0.0, 0.0), "copier": (1.0, 3.0), "photos": (1.0, 3.0)}


class Lookup:
    """A picklable layout lookup over fixed documents (what the app does with its DB)."""

    def __init__(self, docs: list[dict]):
        self.docs = docs

    def __call__(self, prefix: str) -> dict | None:
        return next((d for d in self.docs if d["fingerprint"].upper().startswith(prefix)), None)


def packs(copies: int):
    """A class pack of `copies` sheets of each survey, in `SURVEYS` order."""
    for k, (survey, mode) in enumerate(SURVEYS):
        if isinstance(survey, Path):
            from forms.definition import parse_survey

            survey = parse_survey(survey.read_text())
        yield class_pack(survey, copies, pupil_number=mode, installation=INSTALLATION,
                         collection_id=10 + k)


def make_pages(condition: str, count: int, seed0: int):
    """`count` filled pages over the surveys, and the layouts used."""
    pages, docs = [], []
    for k, pack in enumerate(packs(max(1, count // len(SURVEYS)))):
        docs.append(pack.layout)
        pages += filled_pages(pack, seed0 + k, condition)
    return pages, docs


# --- Timing -----------------------------------------------------------------------------------

_WORKER: dict = {}


def _init(docs: list[dict], data: bytes, name: str) -> None:
    cv2.setNumThreads(1)  # one process per core: OpenCV's own threads would fight them
    _WORKER["scanner"] = Scanner(Lookup(docs), INSTALLATION)
    _WORKER["src"] = open_scan(data, name)


def _read(indices: list[int]) -> list:
    scanner, src = _WORKER["scanner"], _WORKER["src"]
    out = []
    for i in indices:
        r = scanner.read_source_page(src, i)
        if isinstance(r, PageResult):
            r.image_jpeg()  # the normalised image the app stores
            r.image = None  # do not ship the pixels back to the parent
        out.append(r)
    return out


def _read_files(items: list[tuple[bytes, str]]) -> list:
    scanner = _WORKER["scanner"]
    out = []
    for k, (data, name) in enumerate(items):
        # As the app's worker does: the next file is read ahead while this one is measured.
        then = items[k + 1] if k + 1 < len(items) else None
        for r in scanner.scan_file(data, name, then=then).pages:
            if isinstance(r, PageResult):
                r.image_jpeg()
                r.image = None
            out.append(r)
    return out


def floor_pdf(data: bytes) -> float:
    """Seconds to rasterise every page of the PDF with pypdfium2 and nothing else."""
    import pypdfium2 as pdfium

    t = time.perf_counter()
    with pdfium.PdfDocument(data) as pdf:
        for i in range(len(pdf)):
            page = pdf[i]
            w_pt = page.get_width()
            img = next(page.get_objects(filter=[pdfium.raw.FPDF_PAGEOBJ_IMAGE]))
            dpi = img.get_px_size()[0] / (w_pt / 72)
            page.render(scale=dpi / 72, grayscale=True).to_numpy()
    return time.perf_counter() - t


def floor_jpegs(files: list[tuple[bytes, str]]) -> float:
    t = time.perf_counter()
    for data, _ in files:
        cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_GRAYSCALE)
    return time.perf_counter() - t


def floor_jpegs_cpu(files: list[tuple[bytes, str]]) -> float:
    """Processor seconds to decode the photos (one thread, as the decoding child does)."""
    threads = cv2.getNumThreads()
    cv2.setNumThreads(1)
    t = time.process_time()
    for data, _ in files:
        cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_GRAYSCALE)
    cv2.setNumThreads(threads)
    return time.process_time() - t


# --- Decisions (speed work must not change any) ---------------------------------------------


def decisions(results: list) -> list:
    """Everything a page's reading decides, as plain data: per page its sheet or why it is
    unread, per mark group the values marked, how sure and why review, per bubble its class,
    per write-in whether it is written on. Measured figures are kept apart (`figures`)."""
    out = []
    for r in results:
        if not isinstance(r, PageResult):
            out.append({"unread": r.reason, "blank": r.blank, "cover": r.cover,
                        "code": r.sheet_code})
            continue
        out.append({"sheet": r.sheet_key, "page": r.page, "warnings": r.warnings,
                    "marks": [[m.group, list(m.marked), m.confidence, m.reason,
                               list(m.candidates), list(m.crop or ())] for m in r.marks],
                    "bubbles": [[b.question, b.value, b.decision] for b in r.bubbles],
                    "written": [[w.question, w.written, list(w.crop)] for w in r.writeins],
                    "review": [[i.question, i.reason, list(i.candidates)] for i in r.review]})
    return out


def figures(results: list) -> list:
    """The measured figures behind the decisions (darkness, circle, face, ...), per bubble."""
    return [[[b.cx, b.cy, b.darkness, b.coverage, b.ring, b.circle, b.face, b.score]
             for b in r.bubbles] if isinstance(r, PageResult) else None for r in results]


def compare(before: dict, now: dict) -> int:
    """Print every decision that differs between two dumps, and how far the figures moved;
    returns the number of differing pages."""
    changed = 0
    for label in before["decisions"]:
        for k, (a, b) in enumerate(zip(before["decisions"][label], now["decisions"][label],
                                       strict=True)):
            if a != b:
                changed += 1
                print(f"  DIFFERENT: {label} page {k}:")
                for key in sorted(set(a) | set(b)):
                    if a.get(key) != b.get(key):
                        print(f"    {key}: {a.get(key)}\n      now {b.get(key)}")
        worst = np.zeros(8)
        for a, b in zip(before["figures"][label], now["figures"][label], strict=True):
            if a and b and len(a) == len(b):
                d = np.abs(np.array(a, float) - np.array(b, float))
                worst = np.fmax(worst, np.nanmax(d, axis=0))
        names = ("cx", "cy", "darkness", "coverage", "ring", "circle", "face", "score")
        print(f"  {label}: figures moved at most "
              + ", ".join(f"{n} {w:.4f}" for n, w in zip(names, worst, strict=True)))
    return changed


def _child_cpu(pid: int | None) -> float:
    """Processor seconds a live child process has used so far (Linux; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, TypeError):
        return 0.0


def _decoder_pid(obj) -> int | None:
    """The pid of the decoding child behind a source or a scanner (None: not started)."""
    decoder = getattr(obj, "_decoder", None)
    return decoder.pid if decoder is not None else None


#: Processor seconds of the last one-process pass: (this process, all its threads; its
#: decoding child).
LAST_CPU: dict[str, tuple[float, float]] = {}
#: OpenCV threads in the one-process passes (`--cv-threads`; default: one per core).
CV_THREADS: list[int] = []


def time_pdf(data: bytes, docs: list[dict], processes: int,
             profile: str | None = None) -> tuple[float, list]:
    n = len(open_scan(data, "bench.pdf"))
    if processes == 1:
        _init(docs, data, "bench.pdf")
        cv2.setNumThreads(CV_THREADS[0] if CV_THREADS else cv2.getNumberOfCPUs())
        pid = _decoder_pid(_WORKER["src"])
        c0, d0 = time.process_time(), _child_cpu(pid)
        t = time.perf_counter()
        results = _profiled(profile, _read, list(range(n)))
        wall = time.perf_counter() - t
        LAST_CPU["pdf"] = (time.process_time() - c0, _child_cpu(pid) - d0)
        return wall, results
    chunks = [list(range(i, min(n, i + 8))) for i in range(0, n, 8)]
    with mp.get_context("spawn").Pool(processes, _init, (docs, data, "bench.pdf")) as pool:
        pool.map(_read, [[0]] * processes)  # warm up: imports and the first QR search
        t = time.perf_counter()
        results = [r for part in pool.map(_read, chunks) for r in part]
        return time.perf_counter() - t, results


def time_photos(files, docs, processes: int,
                profile: str | None = None) -> tuple[float, list]:
    if processes == 1:
        _init_files(docs)
        cv2.setNumThreads(CV_THREADS[0] if CV_THREADS else cv2.getNumberOfCPUs())
        from scanner.sandbox import Decoder

        decoder = _WORKER["scanner"]._decoder = Decoder()
        decoder.start()  # started before timing, as `scan_file` would on its first file,
        decoder.request({"op": "close"})  # and ready: its imports took ~0.18 s of the pass
        pid = _decoder_pid(_WORKER["scanner"])
        c0, d0 = time.process_time(), _child_cpu(pid)
        t = time.perf_counter()
        results = _profiled(profile, _read_files, files)
        wall = time.perf_counter() - t
        LAST_CPU["photos"] = (time.process_time() - c0, _child_cpu(pid) - d0)
        return wall, results
    chunks = [files[i:i + 4] for i in range(0, len(files), 4)]
    with mp.get_context("spawn").Pool(processes, _init_files, (docs,)) as pool:
        pool.map(_read_files, [files[:1]] * processes)
        t = time.perf_counter()
        results = [r for part in pool.map(_read_files, chunks) for r in part]
        return time.perf_counter() - t, results


def _profiled(label: str | None, fn, arg):
    """fn(arg), under cProfile when `label` is set (its busiest functions printed)."""
    if not label:
        return fn(arg)
    import cProfile
    import pstats

    prof = cProfile.Profile()
    out = prof.runcall(fn, arg)
    print(f"\n--- profile: {label} (this process only; decoding runs in a child) ---")
    pstats.Stats(prof).sort_stats("tottime").print_stats(25)
    return out


def _init_files(docs: list[dict]) -> None:
    cv2.setNumThreads(1)
    _WORKER["scanner"] = Scanner(Lookup(docs), INSTALLATION)


def _spread(seconds: list[float], n: int) -> str:
    return f"range {min(seconds) / n * 1000:.1f}-{max(seconds) / n * 1000:.1f} ms/page"


def accuracy(pages, results) -> Score:
    total = Score()
    for p, r in zip(pages, results, strict=True):
        total.add(score_page(p.truth, r, f"{p.condition} sheet {p.serial} p{p.page}",
                             p.lenient))
    return total


def breakdown(pages, results) -> dict[str, dict[str, list[int]]]:
    """Per children's mark and per fault: [answers, silent errors, needless review]."""
    from collections import defaultdict

    out: dict[str, dict[str, list[int]]] = {"mark": defaultdict(lambda: [0, 0, 0]),
                                            "fault": defaultdict(lambda: [0, 0, 0])}
    for p, r in zip(pages, results, strict=True):
        styles: dict[str, set[str]] = defaultdict(set)
        for q, _, style in p.marks:
            col = next((q[: -len(sfx)] for sfx in ("_tens", "_units")
                        if q.endswith(sfx) and q[: -len(sfx)] in p.truth), q)
            styles[col].add(style)
        faults = [_fault_name(f) for f in p.faults] or ["(none)"]
        for col, want in p.truth.items():
            s = score_page({col: want}, r, "", p.lenient)
            row = [1, s.wrong, s.reviewed]
            for style in styles.get(col, {"blank"}):
                out["mark"][style] = [a + b for a, b in zip(out["mark"][style], row, strict=True)]
            for fault in faults:
                out["fault"][fault] = [a + b for a, b in
                                       zip(out["fault"][fault], row, strict=True)]
    return out


def _fault_name(fault: str) -> str:
    """"skew 5.2" -> "skew", "118 dpi" -> "low dpi", "A4 on Letter (fit)" -> "other paper"."""
    if fault.endswith("dpi"):
        return "low dpi"
    if fault.startswith(("A4", "Letter")):
        return "other paper"
    if fault.startswith("marker"):
        return "marker lost"
    return fault.split(" ")[0]


def print_breakdown(label: str, table: dict[str, dict[str, list[int]]]) -> None:
    for kind in ("mark", "fault"):
        parts = [f"{name} {n}/{wrong}/{review}"
                 for name, (n, wrong, review) in sorted(table[kind].items())]
        print(f"    by {kind} (answers/silent/needless review): " + ", ".join(parts))


def tune(seeds: range, pages: int) -> None:
    """Darkness of every painted mark style and of empty bubbles on tuning seeds (< 1000):
    the evidence for the thresholds in scanner/tuning.py."""
    from collections import defaultdict

    from scanner import tuning

    for condition in ("clean", "copier", "photo"):
        by_style: dict[str, list[float]] = defaultdict(list)
        for seed in seeds:
            filled, docs = make_pages(condition, pages, seed * 10)
            scanner = Scanner(Lookup(docs), INSTALLATION)
            for p in filled:
                r = scanner.read_page(p.image)
                if not isinstance(r, PageResult):
                    continue
                painted: dict[tuple[str, str], list[str]] = defaultdict(list)
                for q, v, style in p.marks:
                    painted[(q, v)].append(style)
                for b in r.bubbles:
                    style = "+".join(painted.get((b.question, b.value), ["(empty)"]))
                    by_style[style].append(b.darkness)
        print(f"{condition}: darkness by mark style (EMPTY_BELOW {tuning.EMPTY_BELOW}, "
              f"MARKED_ABOVE {tuning.MARKED_ABOVE})")
        for style, values in sorted(by_style.items()):
            v = np.array(values)
            print(f"  {style:12s} n={len(v):5d}  min {v.min():.3f}  p1 {np.percentile(v, 1):.3f}"
                  f"  median {np.median(v):.3f}  max {v.max():.3f}")


def corpus(args) -> tuple:
    """The benchmark's pages, files and layouts: generated, or loaded from `--cache` (the
    same seeds give the same corpus; generating takes a minute and a half)."""
    seed = args.seed
    name = f"corpus-{args.pages}-{args.photos}" + ("" if seed == REPORT_SEED else f"-s{seed}")
    path = Path(args.cache) / f"{name}.pickle" if args.cache else None
    if path is not None and path.exists():
        print(f"Corpus from {path}", flush=True)
        return pickle.loads(path.read_bytes())
    print(f"Generating {args.pages} clean + {args.pages} copier pages and {args.photos} photos "
          + ("(seeds >= 1000, never used for tuning)..." if seed >= 1000 else
             f"(TUNING seeds {seed}+: not a report)..."), flush=True)
    t = time.perf_counter()
    clean, docs = make_pages("clean", args.pages, seed)
    copier, _ = make_pages("copier", args.pages, seed + 100)
    photos, _ = make_pages("photo", args.photos, seed + 200)
    clean_pdf = pages_pdf([p.image for p in clean], dpi=200, quality=85)
    copier_pdf = pages_pdf([p.image for p in copier], dpi=200, quality=75)
    photo_files = [(jpeg(p.image, 85), f"IMG_{k:04d}.jpg") for k, p in enumerate(photos)]
    for p in clean + copier + photos:
        p.image = None  # the files hold them
    print(f"  generated in {time.perf_counter() - t:.0f} s; copier PDF "
          f"{len(copier_pdf) / 1e6:.1f} MB, 200 dpi greyscale JPEG pages\n")
    out = (clean, copier, photos, docs, clean_pdf, copier_pdf, photo_files)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(pickle.dumps(out))
    return out


def circle_corpus(args) -> tuple[list, list[dict], bytes]:
    """`--circles`: every single-choice question of every page of the surveys circled round
    one answer with the generator's circle (`tests.support.marks._circle`: 1.2-1.7 radii
    across, off-centre, not always closed), one in six left blank, `args.circles` sheets of
    each survey, scanned clean as a 200 dpi JPEG PDF. Returns (pages, layouts, PDF), pages as
    (survey index, serial, page, truth). The same seed and size give the same corpus."""
    from collections import defaultdict

    seed, copies = args.seed, args.circles
    path = Path(args.cache) / f"circles-{copies}-s{seed}.pickle" if args.cache else None
    if path is not None and path.exists():
        print(f"Circle corpus from {path}", flush=True)
        return pickle.loads(path.read_bytes())
    print(f"Generating {copies} circled sheets of each survey (seed {seed}"
          + (", never used for tuning)..." if seed >= 1000 else ": TUNING, not a report)..."),
          flush=True)
    pages, docs, images = [], [], []
    for k, pack in enumerate(packs(copies)):
        docs.append(pack.layout)
        rng = np.random.default_rng(seed * 100 + k)
        kinds = {q["code"]: q["kind"] for q in pack.layout["questions"]}
        s = pack.dpi / 72
        for serial, page, img in pack.pages:
            canvas = img.copy()
            template = next(t for t in pack.layout["page_templates"] if t["page"] == page)
            by_q: dict[str, list[dict]] = defaultdict(list)
            for b in template["bubbles"]:
                by_q[b["question"]].append(b)
            truth = {}
            for q, bubbles in by_q.items():
                if kinds.get(q) != "single":
                    continue  # digit rows, tick all
                if rng.random() < 1 / 6:
                    truth[q] = ""
                    continue
                b = bubbles[int(rng.integers(0, len(bubbles)))]
                paint_mark(canvas, "circle", b["cx"] * s, b["cy"] * s, b["r"] * s, rng,
                           pack.dpi)
                truth[q] = b["value"]
            images.append(degrade(canvas, "clean", rng, []))
            pages.append((k, serial, page, truth))
    out = (pages, docs, pages_pdf(images, dpi=200, quality=85))
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(pickle.dumps(out))
    return out


def circles(args) -> None:
    """Read the `--circles` corpus and print its needless reviews and silent errors (with
    `--details`, each one and its bubbles' evidence); `--decisions`/`--compare` as for the
    main corpus."""
    pages, docs, pdf = circle_corpus(args)
    scanner = Scanner(Lookup(docs), INSTALLATION)
    src = open_scan(pdf, "circles.pdf", isolate=False)
    total = Score()
    results = []
    drawn = 0
    for i, (k, serial, page, truth) in enumerate(pages):
        r = scanner.read_source_page(src, i)
        results.append(r)
        name = SURVEYS[k][0]
        name = name.stem if isinstance(name, Path) else name
        s = score_page(truth, r, f"page {i} ({name} sheet {serial} p{page})")
        total.add(s)
        drawn += sum(1 for v in truth.values() if v)
        if args.details and isinstance(r, PageResult):
            for d in s.details:
                print("  ", d)
                col = d.split(":")[0].split(" ")[-1]
                for b in r.bubbles:
                    if b.question == col:
                        print(f"      {b.value:>3s}{'*' if truth.get(col) == b.value else ' '}"
                              f" darkness {b.darkness:.3f} circle {b.circle:.2f} ring "
                              f"{b.ring:.2f} strokes {b.strokes:.2f} score {b.score:.3f} "
                              f"{b.decision}")
    n = max(1, total.answers)
    print(f"Circles (seed {args.seed}, {len(pages)} pages, {drawn} circles): {total.line()}")
    print(f"  needless review {total.reviewed} ({100 * total.reviewed / n:.2f} %), silent "
          f"errors {total.wrong} ({1000 * total.wrong / n:.2f} per 1,000)")
    if args.decisions or args.compare:
        now = {"decisions": {"circles": json.loads(json.dumps(decisions(results)))},
               "figures": {"circles": figures(results)}}
        if args.decisions:
            Path(args.decisions).write_text(json.dumps(now))
        if args.compare:
            changed = compare(json.loads(Path(args.compare).read_text()), now)
            print(f"  {changed} pages with a different decision" if changed else
                  "  every decision is the same")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pages", type=int, default=240, help="copier pages (also clean pages)")
    ap.add_argument("--photos", type=int, default=60, help="phone photos")
    ap.add_argument("--repeat", type=int, default=3,
                    help="passes over the photos (floor and scan); the best counts")
    ap.add_argument("--details", action="store_true", help="list every review and error")
    ap.add_argument("--seed", type=int, default=REPORT_SEED,
                    help="first seed of the clean pages (copier +100, photos +200); the "
                         "report uses 1100, tuning work seeds below 800 (all under 1000)")
    ap.add_argument("--accuracy-only", action="store_true",
                    help="one pass, no 2-process pass: accuracy (and --decisions/--compare)"
                         " with the least work; its speed figures are one noisy pass")
    ap.add_argument("--tune", action="store_true",
                    help="instead: darkness per mark style on the tuning seeds (< 1000)")
    ap.add_argument("--cache", metavar="DIR",
                    help="keep the generated corpus here and reuse it on later runs")
    ap.add_argument("--speed-only", action="store_true",
                    help="time one process only (no 2-process pass), no accuracy")
    ap.add_argument("--profile", action="store_true",
                    help="cProfile the one-process copier and photo passes")
    ap.add_argument("--decisions", metavar="FILE",
                    help="write every decision (and the figures behind it) to FILE as JSON")
    ap.add_argument("--compare", metavar="FILE",
                    help="compare every decision with an earlier --decisions FILE; exit 1 "
                         "if any differs (after the accuracy, unless --speed-only)")
    ap.add_argument("--cv-threads", type=int,
                    help="OpenCV threads in the one-process passes (default: one per core; 1 "
                         "gives the cleanest processor time on a busy machine)")
    ap.add_argument("--circles", type=int, metavar="SHEETS",
                    help="instead: SHEETS sheets of each survey with a circle drawn round one "
                         "answer of every question, clean (tuning used --seed 800 with 10, "
                         "801 and 802 with 20); accuracy only")
    args = ap.parse_args()
    if args.circles:
        circles(args)
        return
    if args.cv_threads:
        CV_THREADS.append(args.cv_threads)
    if args.tune:
        tune(range(6), 40)
        return
    if args.accuracy_only:
        args.repeat = 1
    cores = os.cpu_count() or 1
    clean, copier, photos, docs, clean_pdf, copier_pdf, photo_files = corpus(args)

    print(f"Speed ({cores} cores; load average now {os.getloadavg()[0]:.1f}):")
    f = floor_pdf(copier_pdf)
    n = len(copier)
    print(f"  floor, rasterise the copier PDF's {n} pages: {f / n * 1000:6.1f} ms/page "
          f"({n / f:6.1f} pages/s)")
    t1, res_copier = time_pdf(copier_pdf, docs, 1, "copier PDF" if args.profile else None)
    n_copier = n
    print(f"  scan, 1 process:                         {t1 / n * 1000:6.1f} ms/page "
          f"({n / t1:6.1f} pages/s, {t1 / f:.1f}x the floor)")
    print(f"    processor time: this process {LAST_CPU['pdf'][0] / n * 1000:.1f} ms/page, "
          f"its decoding child {LAST_CPU['pdf'][1] / n * 1000:.1f} ms/page")
    if not args.speed_only and not args.accuracy_only:
        tn, _ = time_pdf(copier_pdf, docs, cores)
        print(f"  scan, {cores} processes:                       {tn / n * 1000:6.1f} ms/page "
              f"({n / tn:6.1f} pages/s)")
    # Photos take about a second a pass, so each is timed `--repeat` times and the best
    # counts, the floor and the scan alike (a fresh Scanner each pass: every pass pays for
    # the first page of each layout). One pass alone swings by half: the first decode of a
    # process pays the kernel for fresh memory, and the other engineers' work shares the CPUs.
    m = len(photo_files)
    floors = [floor_jpegs(photo_files) for _ in range(args.repeat)]
    fp = min(floors)
    print(f"  floor, decode {m} photo JPEGs:            {fp / m * 1000:6.1f} ms/page "
          f"(best of {args.repeat}; {_spread(floors, m)})")
    fp_cpu = min(floor_jpegs_cpu(photo_files) for _ in range(args.repeat))
    passes, cpus = [], []
    for k in range(args.repeat):
        passes.append(time_photos(photo_files, docs, 1,
                                  "photos" if args.profile and k == 0 else None))
        cpus.append(LAST_CPU["photos"])
    tp, res_photos = min(passes, key=lambda p: p[0])
    tp_cpu = min(sum(c) for c in cpus)
    print(f"  photos, 1 process:                       {tp / m * 1000:6.1f} ms/page "
          f"({m / tp:6.1f} pages/s, {tp / fp:.1f}x the floor; best of {args.repeat}; "
          f"{_spread([p[0] for p in passes], m)})")
    best = min(cpus, key=sum)
    print(f"    processor time: decode {fp_cpu / m * 1000:.1f} ms/photo (one thread); scan "
          f"{tp_cpu / m * 1000:.1f} ms/photo ({tp_cpu / fp_cpu:.1f}x: this process "
          f"{best[0] / m * 1000:.1f}, its decoding child {best[1] / m * 1000:.1f}); load "
          f"average now {os.getloadavg()[0]:.1f}")
    res_clean = []
    if not args.speed_only or args.decisions or args.compare:
        _, res_clean = time_pdf(clean_pdf, docs, 1)
    if args.decisions or args.compare:
        now = {"decisions": {}, "figures": {}}
        for label, res in (("clean", res_clean), ("copier", res_copier),
                           ("photos", res_photos)):
            now["decisions"][label] = json.loads(json.dumps(decisions(res)))
            now["figures"][label] = figures(res)
        if args.decisions:
            Path(args.decisions).write_text(json.dumps(now))
            print(f"\nDecisions written to {args.decisions}")
        if args.compare:
            print(f"\nDecisions compared with {args.compare}:")
            changed = compare(json.loads(Path(args.compare).read_text()), now)
            print(f"  {changed} pages with a different decision" if changed else
                  "  every decision is the same")
            if changed and args.speed_only:
                sys.exit(1)
    if args.speed_only:
        return
    changed_pages = changed if args.compare else 0

    print("\nAccuracy (per answer column; review that was required is not counted as review):")
    met = True
    for label, pages, results in (("clean", clean, res_clean), ("copier", copier, res_copier),
                                  ("photos", photos, res_photos)):
        score = accuracy(pages, results)
        n = max(1, score.answers)
        silent, needless = 1000 * score.wrong / n, 100 * score.reviewed / n
        goal_silent, goal_review = GOALS[label]
        ok = silent <= goal_silent and needless <= goal_review
        met &= ok
        print(f"  {label:7s} {score.line()}")
        print(f"          silent errors {silent:.2f} per 1,000 (goal <= {goal_silent:g}), "
              f"needless review {needless:.2f} % (goal <= {goal_review:g} %): "
              f"{'met' if ok else 'NOT MET'}")
        print_breakdown(label, breakdown(pages, results))
        if args.details:
            for d in score.details:
                print("     ", d)
    print(f"\nSpeed goals: copier >= 35 pages/s in one process: "
          f"{'met' if n_copier / t1 >= 35 else 'NOT MET'} ({n_copier / t1:.1f}); photos <= 4x "
          f"the decode floor: {'met' if tp / fp <= 4 else 'NOT MET'} ({tp / fp:.1f}x). "
          f"Accuracy goals: {'met' if met else 'NOT MET'}.")
    if changed_pages:
        sys.exit(1)  # --compare: some decision differs (accuracy printed above)


if __name__ == "__main__":
    main()
