"""Worker threads never run Python's cycle collector, so Qt objects are never destroyed off the
GUI thread (a worker allocating a lot while the GUI processed events crashed the test run)."""

from __future__ import annotations

import gc
import threading

from massage_chart.ui.threads import collector_paused, start_worker


def test_the_collector_is_off_while_a_worker_runs_and_back_after() -> None:
    assert gc.isenabled()
    inside = threading.Event()
    release = threading.Event()
    seen: list[bool] = []

    def work() -> None:
        seen.append(gc.isenabled())
        inside.set()
        release.wait(5)

    thread = start_worker(work, "test-worker")
    assert inside.wait(5)
    assert not gc.isenabled()  # for every thread while the worker runs
    release.set()
    thread.join(5)
    assert seen == [False] and gc.isenabled()


def test_overlapping_pauses_resume_only_after_the_last() -> None:
    with collector_paused():
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_collector_turned_off_before_stays_off() -> None:
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
