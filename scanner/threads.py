"""A second thread for independent parts of reading one page.

OpenCV and NumPy let go of the GIL while they work, so on a second core two parts of a
page that do not depend on each other (the faces and the marks between bubbles beside
each bubble's darkness; the write-in boxes beside the bubbles) run side by side. Each
part is the same computation as when run alone, so every figure is the same to the bit.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

#: (process id, its helper thread): a forked child has no thread, so it starts its own.
_HELPER: tuple[int, ThreadPoolExecutor] | None = None


def beside(fn: Callable[..., Any], *args: Any) -> Future:
    """`fn(*args)` on this process's helper thread; `.result()` waits for it. `fn` must only
    read what it is given (the caller goes on using the same arrays)."""
    global _HELPER
    if _HELPER is None or _HELPER[0] != os.getpid():
        _HELPER = (os.getpid(), ThreadPoolExecutor(1, thread_name_prefix="scanner-beside"))
    return _HELPER[1].submit(fn, *args)
