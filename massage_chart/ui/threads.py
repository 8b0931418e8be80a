"""Worker threads of the window, started one way: Python's cycle collector never runs on them
(``massage_chart.collector`` says why)."""

from __future__ import annotations

import threading
from collections.abc import Callable

from massage_chart.collector import collector_paused

__all__ = ["collector_paused", "start_worker"]


def start_worker(target: Callable[[], None], name: str) -> threading.Thread:
    """Run ``target`` on a daemon thread with the collector paused; returns the started thread."""

    def run() -> None:
        with collector_paused():
            target()

    thread = threading.Thread(target=run, name=name, daemon=True)
    thread.start()
    return thread
