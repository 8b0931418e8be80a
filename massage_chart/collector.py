"""Pauses of Python's cycle collector, shared by start-up and the window's worker threads.

- **Worker threads.** The collector runs in whichever thread allocates past a threshold. A
  worker that allocates a lot (the ICD-10 tables loading, a backup, the background check) could
  then destroy unreachable Qt objects, with their C++ halves, off the GUI thread while the GUI
  thread processes their events, and Qt crashes. While any worker runs, automatic collection is
  paused.
- **Start-up.** Importing the app and configuring its mappers allocates hundreds of thousands of
  long-lived objects and no garbage; the collector would scan them again and again (about a
  tenth of the time to the first paint). It is paused from the start of the command line until
  the window has been drawn, or until a command begins its work.

Pauses nest across threads: collection resumes when the last one ends, and only if it was on
before the first began.

- **After start-up.** What start-up built (modules, mappers, the atlas, the main window) lives
  as long as the app. Once the window is drawn it is set aside from later collections
  (``gc.freeze``): a full collection then scans only what was made since, instead of stopping the
  window for about 50 ms to scan some 150,000 objects that are never garbage. Start-up leaves
  about a thousand objects of garbage in cycles; set aside with the rest, they stay. A window
  replaced by another (the database encrypted, re-keyed or restored) is taken back first, so
  the old one and its database can be freed.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_paused_by = 0
_was_enabled = True
_starting = False
_set_aside = False


def pause() -> None:
    """Pause automatic collection until a matching ``resume``."""
    global _paused_by, _was_enabled
    with _lock:
        if _paused_by == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _paused_by += 1


def resume() -> None:
    """End one ``pause``; collection resumes with the last, if it was on before the first."""
    global _paused_by
    with _lock:
        _paused_by -= 1
        if _paused_by == 0 and _was_enabled:
            gc.enable()


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause automatic cycle collection while the block runs."""
    pause()
    try:
        yield
    finally:
        resume()


def pause_for_start() -> None:
    """Pause collection while the app starts (once; ``end_start`` ends it)."""
    global _starting
    if not _starting:
        _starting = True
        pause()


def end_start() -> None:
    """End the start-up pause, if it is still on (safe to call more than once)."""
    global _starting
    if _starting:
        _starting = False
        resume()


def set_aside_start_up() -> None:
    """Keep every object alive now out of later collections (once; see the module's text)."""
    global _set_aside
    if not _set_aside:
        _set_aside = True
        gc.freeze()


def take_back_start_up() -> None:
    """Let collections reach what ``set_aside_start_up`` set aside again: the window it was
    set aside with is being replaced (a database encrypted, re-keyed or restored), and the old
    one, with its database and passphrase, must be freed. The next window sets aside anew."""
    global _set_aside
    if _set_aside:
        _set_aside = False
        gc.unfreeze()
