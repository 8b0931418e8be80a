"""Worker threads of the window, started one way: Python's cycle collector never runs on them.

The collector runs in whichever thread allocates past a threshold. A worker that allocates a lot
(the ICD-10 tables loading, a backup, the background check) could then destroy unreachable Qt
objects, with their C++ halves, off the GUI thread while the GUI thread processes their events,
and Qt crashes. While any worker runs, automatic collection is paused; it resumes (and the GUI
thread's next allocations collect as usual) when the last one ends.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_paused_by = 0
_was_enabled = True


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause automatic cycle collection while the block runs (nested and threaded: it resumes
    when the last block ends, and only if it was on before the first began)."""
    global _paused_by, _was_enabled
    with _lock:
        if _paused_by == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _paused_by += 1
    try:
        yield
    finally:
        with _lock:
            _paused_by -= 1
            if _paused_by == 0 and _was_enabled:
                gc.enable()


def start_worker(target: Callable[[], None], name: str) -> threading.Thread:
    """Run ``target`` on a daemon thread with the collector paused; returns the started thread."""

    def run() -> None:
        with collector_paused():
            target()

    thread = threading.Thread(target=run, name=name, daemon=True)
    thread.start()
    return thread
