"""Decode uploads in a child process with CPU-time, memory and wall-clock limits.

Pillow, pypdfium2 and pillow-heif parse whatever an uploader sends. A file made to hang a
decoder, or to make it allocate gigabytes, must cost one child process, never the worker
or the web server: the child sets `resource` limits on itself (RLIMIT_AS for memory,
RLIMIT_CPU reset before each step), and the parent kills it when a step takes longer
than its wall-clock budget.

One child serves a whole file (and, for a `Scanner`, every file it reads): the parent asks
for a page, the child sends its greyscale pixels down a pipe, then already decodes the next
page while the parent reads the one it has, so isolation costs little speed. Across files
the same (`Decoder.expect`): once a file's last page is out, the child opens the next file
named and decodes its first page while the parent still reads the last one; a phone photo
is a file, so this is where its decoding overlaps the parent's work.

Protocol (one JSON line each way, then raw bytes where a size is given):
  parent: {"op": "open", "name", "size" | "path", "limits"} [+ file bytes]
  child:  {"pages", "kind"} or {"error": class name, "filename", "message", "attrs"}
  parent: {"op": "page", "i"}
  child:  {"i", "shape", "dpi", "size"} + pixels, or {"i", "page_error": message}
  parent: {"op": "close"}: forget the file (the child waits for the next one). Its reply
          is read, and dropped, before the next request: a file costs no wait to close.
  "open" may carry "ahead": the child then sends page 0 right after its answer.
  An "open" sent ahead (`Decoder.expect`) is the same message, sent earlier; the child
  only ever holds one file, so it goes out only once the file before needs no more pages.
"""

from __future__ import annotations

import json
import os
import selectors
import signal
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from scanner import errors, tuning
from scanner.errors import DecodeLimitError, ScanInputError

if TYPE_CHECKING:  # inputs imports this module when it isolates a file
    from scanner.inputs import Limits


@dataclass(frozen=True)
class Budget:
    """What one decoding child may use (defaults from `tuning`)."""

    open_cpu_s: int = tuning.DECODE_OPEN_CPU_S
    page_cpu_s: int = tuning.DECODE_PAGE_CPU_S
    wall_s: float = tuning.DECODE_WALL_S
    memory_bytes: int = tuning.DECODE_MEMORY_BYTES
    max_deaths: int = tuning.DECODE_MAX_DEATHS


#: Bytes asked for at a time when reading a reply's first line (the line is ~100 bytes; the
#: page's pixels follow it).
_LINE_CHUNK = 1 << 16
#: Size asked for the pipe to the child (Linux; the default is 64 KB): a photo is sent as
#: 0.5-5 MB, and each pipe-full is a round of waking the other process.
_PIPE_BYTES = 1 << 20
#: ... and for the pipe back: a page is 4-5 MB of pixels, so 16-20 rounds instead of 64-80,
#: while a page read ahead still waits in the child, part sent (a child that dies before it
#: is read costs that page, as the tests check).
_PIPE_BACK_BYTES = 1 << 18


#: The child's allocator (glibc; others ignore it) keeps freed memory up to 128 MB and takes
#: blocks up to 64 MB from it: each page's pixels then reuse the last page's memory.
#: Without it a photo's 5 MB often came fresh from the kernel: 470-590 page faults a photo
#: on the benchmark (107-124 with it), a millisecond or more beside 4.5 ms of decoding.
_MALLOC_TUNABLES = "glibc.malloc.mmap_threshold=67108864:glibc.malloc.trim_threshold=134217728"


def _widen(pipe, size: int = _PIPE_BYTES) -> None:
    """Ask for a larger pipe buffer (Linux only; elsewhere, or when refused, as it is)."""
    try:
        import fcntl

        fcntl.fcntl(pipe.fileno(), fcntl.F_SETPIPE_SZ, size)
    except (ImportError, AttributeError, OSError):
        pass


@dataclass
class _Upload:
    """A file as the parent checked it (`inputs.checked_upload`), named for reading ahead."""

    data: bytes | None
    path: Path | None
    name: str
    limits: Limits

    def same(self, other: _Upload) -> bool:
        return (self.name == other.name and self.limits == other.limits
                and self.path == other.path
                and (self.data is other.data or self.data == other.data))

    def open_message(self, ahead: bool) -> tuple[dict, bytes]:
        """The "open" request for this file, and the bytes that follow it."""
        msg = {"op": "open", "name": self.name, "limits": asdict(self.limits)}
        if ahead:
            msg["ahead"] = True
        if self.data is not None:
            msg["size"] = len(self.data)
        else:
            msg["path"] = str(self.path)
        return msg, self.data or b""


class _ChildDied(Exception):
    def __init__(self, needed: str):
        super().__init__(needed)
        self.needed = needed


class Decoder:
    """One decoding child process, started on first use and again after it dies."""

    def __init__(self, budget: Budget | None = None):
        self.budget = budget or Budget()
        self._proc: subprocess.Popen | None = None
        self._sel: selectors.BaseSelector | None = None
        #: Bytes read from the child after the last full line, not yet consumed.
        self._rest = bytearray()
        #: Replies the child owes to requests nobody waits for (`post`), read and dropped
        #: before the next request.
        self._owed = 0
        #: The file named to be opened next (`expect`), not yet sent to the child.
        self._next: _Upload | None = None
        #: That file once sent: the child is opening it; its replies are not read yet.
        self._ahead: _Upload | None = None
        #: The thread reading that file's replies (`_fetch`), and what it read: replies in
        #: order, then the child's death if it died.
        self._fetcher: threading.Thread | None = None
        self._fetched: list = []

    # -- the child process -------------------------------------------------------------------
    def start(self) -> None:
        tunables = ":".join(t for t in (os.environ.get("GLIBC_TUNABLES"), _MALLOC_TUNABLES) if t)
        env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
               "GLIBC_TUNABLES": tunables,
               "PYTHONPATH": os.pathsep.join(p for p in (str(Path(__file__).resolve()
                                                             .parent.parent),
                                                         os.environ.get("PYTHONPATH")) if p)}
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "scanner.sandbox_child", str(self.budget.memory_bytes),
             str(self.budget.open_cpu_s), str(self.budget.page_cpu_s)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            bufsize=0, env=env, close_fds=True)
        self._rest = bytearray()
        self._owed = 0
        _widen(self._proc.stdin)
        _widen(self._proc.stdout, _PIPE_BACK_BYTES)
        self._sel = selectors.DefaultSelector()
        self._sel.register(self._proc.stdout, selectors.EVENT_READ)

    def kill(self) -> None:
        """End the child; it forgets every file, the one read ahead and the one named.
        (On the thread reading ahead, after the child died, only the process and its
        pipes: what was read ahead, and for which file, is the caller's to take.)"""
        fetcher, proc = self._fetcher, self._proc
        if fetcher is None or fetcher is not threading.current_thread():
            self._next = self._ahead = None
            if fetcher is not None:
                if proc is not None:
                    proc.kill()  # the thread's read ends, at the end of the child's output
                fetcher.join()
                self._fetcher, self._fetched = None, []
        if self._proc is not None:
            if self._proc.poll() is None:
                self._proc.kill()
            self._proc.wait()
            for f in (self._proc.stdin, self._proc.stdout):
                f.close()
            self._sel.close()
            self._proc = self._sel = None

    close = kill

    @property
    def has_child(self) -> bool:
        """Whether a child was started and not yet ended (it may have exited on its own and
        not been noticed yet; `alive` asks the process)."""
        return self._proc is not None

    @property
    def pid(self) -> int | None:
        """The child's process id (None: none started, or ended)."""
        proc = self._proc
        return None if proc is None else proc.pid

    @property
    def alive(self) -> bool:
        """Whether a child is running (False before the first request, and once it ended)."""
        proc = self._proc  # read once: a thread reading ahead may end it meanwhile
        return proc is not None and proc.poll() is None

    def __del__(self):  # a source dropped without close() must not leave a process behind
        try:
            self.kill()
        except Exception:  # noqa: BLE001, S110 - interpreter shutdown
            pass

    def send(self, message: dict, payload: bytes = b"") -> None:
        """Send one request (starting a child if there is none); its reply is `receive`d.
        A file read ahead and not taken ends the child first, so its replies are never
        taken for this request's."""
        if self._ahead is not None:  # a file read ahead and not taken: never waited for
            self.kill()
        if self._owed and self._proc is not None:
            self._drop_owed()
        if self._proc is None:
            self.start()
        self._write(message, payload)

    def _write(self, message: dict, payload: bytes = b"") -> None:
        try:
            self._proc.stdin.write(json.dumps(message).encode() + b"\n")
            if payload:
                self._proc.stdin.write(payload)
        except (BrokenPipeError, OSError):
            raise self._died() from None

    def _wait(self, deadline: float | None) -> None:
        if deadline is None:  # no limit: the thread reading ahead (`_fetch`)
            self._sel.select()
            return
        left = deadline - time.monotonic()
        if left <= 0 or not self._sel.select(left):
            self._proc.kill()
            raise self._died(timed_out=True)

    def _read(self, buf: memoryview, deadline: float | None) -> None:
        got = min(len(buf), len(self._rest))
        if got:  # what the last line's read brought along
            buf[:got] = self._rest[:got]
            del self._rest[:got]
        while got < len(buf):
            self._wait(deadline)
            n = self._proc.stdout.readinto(buf[got:])
            if not n:
                raise self._died()
            got += n

    def _line(self, deadline: float | None) -> dict:
        # Read in chunks, not a byte at a time (a select and a read per byte were ~70 system
        # calls a page); what follows the line is kept for `_read`.
        while b"\n" not in self._rest:
            if len(self._rest) > 1 << 20:
                raise self._died()
            self._wait(deadline)
            chunk = self._proc.stdout.read(_LINE_CHUNK)
            if not chunk:
                raise self._died()
            self._rest += chunk
        end = self._rest.index(b"\n") + 1
        line = bytes(self._rest[:end])
        del self._rest[:end]
        return json.loads(line)

    def _died(self, timed_out: bool = False) -> _ChildDied:
        proc = self._proc
        code = proc.wait() if proc is not None else None
        self.kill()
        if timed_out:
            return _ChildDied(f"more than {self.budget.wall_s:g} seconds")
        if code == -signal.SIGXCPU:
            return _ChildDied("more processor time")
        return _ChildDied("more memory")

    def post(self, message: dict, owed: int = 1) -> None:
        """Send a request whose reply nobody waits for (closing a file): with `owed` replies
        still to come for earlier requests, dropped before the next request, so a photo
        costs no round trip to the child for its close."""
        if self._owed:
            self._drop_owed()
        if self._proc is None or self._ahead is not None:
            return  # died meanwhile, or already given the next file: nothing to close
        self.send(message)
        self._owed += owed + 1

    def _drop_owed(self) -> None:
        """Read and drop the replies owed; a child that died meanwhile is replaced at the
        next request (as a close that failed always was)."""
        try:
            while self._owed:
                self.receive()
                self._owed -= 1
        except _ChildDied:
            pass
        self._owed = 0

    # -- reading ahead across files ----------------------------------------------------------
    def expect(self, source: str | Path | bytes, filename: str | None, limits: Limits) -> None:
        """Name the file that will be opened next: once the file being read has handed over
        its last page, the child opens this one and decodes its first page while the caller
        still measures that last page. A file `open_scan` would refuse unopened is never
        sent; one read ahead but not opened next is never waited for (its child is ended
        when anything else is asked, so nothing it does is taken for another file's)."""
        from scanner.inputs import checked_upload

        try:
            self._next = _Upload(*checked_upload(source, filename, limits), limits)
        except (ScanInputError, OSError):
            self._next = None  # opened as usual, when it comes, and refused then

    def send_next(self) -> bool:
        """Send the file named by `expect` (the child holds no file the caller still
        needs). Returns whether it went out."""
        upload, self._next = self._next, None
        if self._owed and self._proc is not None:
            self._drop_owed()
        if upload is None or self._proc is None:
            return False  # no child (it died): the file is opened as usual, in a new one
        self._ahead = upload
        self._fetched = []
        self._fetcher = threading.Thread(target=self._fetch, args=(upload,),
                                         name="decoder-ahead", daemon=True)
        self._fetcher.start()
        return True

    def _fetch(self, upload: _Upload) -> None:
        """On a thread: send the file ahead, then read its replies (its open, then its first
        page) while the caller measures the file before, so its bytes and pixels cross the
        pipes then too. No deadline here: the caller judges time when it takes the file,
        and nothing else touches the decoder until this thread has ended (`kill`,
        `take_ahead`). A child found ended before it took the file leaves `_fetched`
        None: the file never reached it, and is opened as usual."""
        try:
            self._write(*upload.open_message(ahead=True))
        except _ChildDied:
            self._fetched = None
            return
        try:
            head, _ = self.receive(timed=False)
            self._fetched.append((head, None))
            if head.get("pages"):
                self._fetched.append(self.receive(timed=False))
        except _ChildDied as exc:
            self._fetched.append(exc)

    def take_ahead(self, upload: _Upload) -> list | None:
        """If the child is already opening this very file, its replies (the open's, then
        its first page's), each a (head, pixels) or, last, the `_ChildDied` that ended the
        child; else None (a different file read ahead ends the child). Waits for them as
        `receive` would: at most the wall-clock budget."""
        ahead, self._ahead = self._ahead, None
        if ahead is None:
            return None
        if not ahead.same(upload):
            self.kill()
            return None
        fetcher, proc = self._fetcher, self._proc
        fetcher.join(self.budget.wall_s)
        timed_out = fetcher.is_alive()
        if timed_out and proc is not None:
            proc.kill()  # a stalled child: its output ends, and so does the thread
            fetcher.join()
        fetched, self._fetcher, self._fetched = self._fetched, None, []
        if fetched is None:  # it never reached the child
            return None
        if timed_out and fetched and isinstance(fetched[-1], _ChildDied):
            fetched[-1] = _ChildDied(f"more than {self.budget.wall_s:g} seconds")
        return fetched

    def request(self, message: dict, payload: bytes = b"") -> tuple[dict, np.ndarray | None]:
        """Send one request and wait for its answer (with the pixels of a page)."""
        self.send(message, payload)
        return self.receive()

    def receive(self, timed: bool = True) -> tuple[dict, np.ndarray | None]:
        """The next reply, within the wall-clock budget from now (untimed: for `_fetch`,
        whose caller judges the time)."""
        deadline = time.monotonic() + self.budget.wall_s if timed else None
        head = self._line(deadline)
        if "size" not in head:
            return head, None
        pixels = np.empty(head["shape"], np.uint8)
        self._read(memoryview(pixels.reshape(-1)), deadline)
        return head, pixels


class IsolatedSource:
    """An upload opened in a child process; the same interface as `inputs.ScanSource`."""

    def __init__(self, data: bytes | None, path: Path | None, filename: str, limits,
                 decoder: Decoder | None = None):
        self.filename, self.limits = filename, limits
        self._owned = decoder is None
        self._decoder = decoder or Decoder()
        self._upload = _Upload(data, path, filename, limits)
        self._pending: int | None = None
        self._deaths = 0
        #: The last page is out and the child was given the next file (`Decoder.expect`):
        #: it no longer holds this one.
        self._handed_off = False
        #: Page 0 as the thread reading ahead received it (or the child's death meanwhile).
        self._ready: tuple | _ChildDied | None = None
        self._count, self.kind = self._open(ahead=True)

    def _open(self, ahead: bool = False) -> tuple[int, str]:
        """Open the file in the child; with `ahead` the child decodes the first page at once
        (a photo is one page: the reply follows without another round trip), or has already
        begun to, sent ahead while the file before was read. Not when the file is opened
        again after a death: the page that killed the child may be that one."""
        fetched = self._decoder.take_ahead(self._upload) if ahead else None
        try:
            if fetched is None:
                head, _ = self._decoder.request(*self._upload.open_message(ahead))
            elif isinstance(fetched[0], _ChildDied):
                raise fetched[0]
            else:
                head, _ = fetched[0]
                self._ready = fetched[1] if len(fetched) > 1 else None
        except _ChildDied as exc:
            self._release()
            raise DecodeLimitError(self.filename, exc.needed) from None
        if "error" in head:
            self._release()
            raise _rebuild(head)
        if ahead and head["pages"] and fetched is None:
            self._pending = 0  # on its way
        return head["pages"], head["kind"]

    def __len__(self) -> int:
        return self._count

    def page(self, i: int):
        """Decode page `i`; raises `PageDecodeError` if this one page cannot be decoded."""
        from scanner.inputs import PageDecodeError, PageImage

        if self._deaths >= self._decoder.budget.max_deaths:
            raise PageDecodeError(f"page {i + 1} of {self.filename} was not tried: the "
                                  f"decoder stopped on {self._deaths} earlier pages of this file")
        if self._handed_off:  # asked again after its last page: the child holds the next
            self._decoder.kill()
            self._handed_off = False
        try:
            ready, self._ready = self._ready, None  # page 0, read while the file before was
            if isinstance(ready, _ChildDied):       # measured, or the death that ended it
                raise ready
            if not self._decoder.has_child:  # the child died on an earlier page
                self._pending = None
                self._open()
            if self._pending is not None and self._pending != i:
                self._decoder.receive()  # a page read ahead that is not wanted
                self._pending = None
            if ready is not None and i == 0:
                head, pixels = ready
            else:
                if self._pending is None:
                    self._decoder.send({"op": "page", "i": i})
                head, pixels = self._decoder.receive()
            self._pending = None
            if i + 1 == self._count:  # nothing more from this file: the next one, if named
                self._handed_off = self._decoder.send_next()
        except (_ChildDied, ScanInputError) as exc:
            self._deaths += 1
            self._pending = None
            needed = exc.needed if isinstance(exc, _ChildDied) else str(exc)
            raise PageDecodeError(f"page {i + 1} of {self.filename} cannot be decoded (it "
                                  f"needed {needed} than one page may use)") from None
        if "page_error" in head:
            raise PageDecodeError(head["page_error"])
        if i + 1 < self._count:  # read ahead: the child decodes while the caller reads
            try:
                self._decoder.send({"op": "page", "i": i + 1})
                self._pending = i + 1
            except _ChildDied:
                self._pending = None
        return PageImage(i, pixels, head["dpi"])

    def _release(self) -> None:
        if self._owned:
            self._decoder.kill()

    def close(self) -> None:
        if self._owned:
            self._decoder.kill()
            return
        if self._handed_off:  # the child holds the next file now, not this one
            return
        try:
            if self._decoder.has_child:  # else it died: nothing to release
                self._decoder.post({"op": "close"}, owed=int(self._pending is not None))
        except _ChildDied:
            pass
        self._pending = None


def _rebuild(head: dict) -> ScanInputError:
    """The child's ScanInputError, as the same class with the same message."""
    cls = getattr(errors, head["error"], None)
    if not (isinstance(cls, type) and issubclass(cls, ScanInputError)):
        cls = ScanInputError
    exc = cls.__new__(cls)
    ScanInputError.__init__(exc, head["filename"], head["message"])
    for key, value in head.get("attrs", {}).items():
        setattr(exc, key, value)
    return exc
