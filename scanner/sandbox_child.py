"""The sandbox's child process (`python -m scanner.sandbox_child MEMORY OPEN_CPU PAGE_CPU`):
sets its own `resource` limits, then answers `scanner.sandbox.Decoder` over stdin/stdout
with the protocol described there. Kept apart so the parent's module stays small."""

from __future__ import annotations

import json
import sys

import numpy as np

from scanner.errors import DecodeLimitError, ScanInputError


def _limit_cpu(seconds: int) -> None:
    import resource

    used = resource.getrusage(resource.RUSAGE_SELF)
    now = int(used.ru_utime + used.ru_stime) + 1
    _soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    soft = now + seconds
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def _child(memory_bytes: int, open_cpu_s: int, page_cpu_s: int) -> None:
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    except (ImportError, ValueError, OSError):  # pragma: no cover - not a POSIX system
        pass
    from scanner.inputs import Limits, PageDecodeError, open_scan

    inp, out = sys.stdin.buffer, sys.stdout.buffer
    src = None

    def reply(message: dict, payload: bytes | memoryview = b"") -> None:
        out.write(json.dumps(message).encode() + b"\n")
        if len(payload):
            out.write(payload)
        out.flush()

    def send_page(i: int) -> None:
        """Decode page `i` of the open file and send its pixels (or why it failed)."""
        _limit_cpu(page_cpu_s)
        try:
            page = src.page(i)
        except PageDecodeError as exc:
            cause = str(exc.__cause__).lower()
            if isinstance(exc.__cause__, MemoryError) or "memory" in cause \
                    or "alloc" in cause:
                exc = PageDecodeError(f"page {i + 1} of {src.filename} cannot be "
                                      "decoded (it needed more memory than one page may "
                                      "use)")
            reply({"i": i, "page_error": str(exc)})
            return
        img = np.ascontiguousarray(page.image, np.uint8)
        reply({"i": i, "shape": list(img.shape), "dpi": page.dpi, "size": img.nbytes},
              memoryview(img).cast("B"))

    while line := inp.readline():
        msg = json.loads(line)
        if msg["op"] == "open":
            _limit_cpu(open_cpu_s)
            data = inp.read(msg["size"]) if "size" in msg else None
            if src is not None:
                src.close()
            src = None
            try:
                src = open_scan(data if data is not None else msg["path"], msg["name"],
                                limits=Limits(**msg["limits"]), isolate=False)
            except ScanInputError as exc:
                attrs = {k: v for k, v in vars(exc).items()
                         if isinstance(v, int | float | str) and k != "filename"}
                reply({"error": type(exc).__name__, "filename": exc.filename,
                       "message": str(exc), "attrs": attrs})
            except MemoryError:
                reply({"error": "DecodeLimitError", "filename": msg["name"],
                       "message": str(DecodeLimitError(msg["name"], "more memory"))})
            else:
                reply({"pages": len(src), "kind": src.kind})
                if msg.get("ahead") and len(src):
                    send_page(0)  # asked for with the file: one round trip fewer a photo
        elif msg["op"] == "page":
            send_page(msg["i"])
        elif msg["op"] == "close":
            if src is not None:
                src.close()
            src = None
            reply({"closed": True})


if __name__ == "__main__":
    _child(*(int(a) for a in sys.argv[1:4]))
