"""Measurements that run in a process of their own, for ``benchmarks.bench``.

    python -m benchmarks.probes PROBE DATABASE_URL

Each probe prints one JSON object on its last line of output: its figures in milliseconds and
the process's peak resident memory in MB. The parent times whole processes itself (start-up,
``check``, one export); these are the figures that must be taken inside a running process.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from sqlalchemy import func, select, text

from massage_chart import collector
from massage_chart.domain.presentation import person_name
from massage_chart.storage.database import Database, open_database
from massage_chart.storage.models import Visit
from massage_chart.storage.repositories import get_client, search_clients

TYPED = [
    "z",
    "zo",
    "zoe",
    "zoë n",
    "n",
    "ng",
    "ngu",
    "nguyen 1",
    "ł",
    "łu",
    "luk",
    "дм",
    "дми",
    "王",
    "555",
    "555-01",
    "206 555",
    "c123@",
    "1984",
    "o'c",
    "%",
    "_",
    "park 9",
]
"""What a receptionist types, key by key: names in several scripts, phone digits, odd characters."""


def percentiles(samples: list[float]) -> dict[str, float]:
    """p50 and p95 (nearest rank) of samples in milliseconds."""
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]
    return {"p50": round(statistics.median(ordered), 3), "p95": round(p95, 3), "n": len(ordered)}


def timed(action: Callable[[], object]) -> float:
    """One run of the action, in milliseconds."""
    started = time.perf_counter()
    action()
    return (time.perf_counter() - started) * 1000


def peak_mb() -> float:
    """This process's peak resident memory so far."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def clients_by_history(database: Database) -> tuple[str, str]:
    """The client with the most visits and one with the fewest."""
    with database.read() as session:
        counted = (
            select(Visit.client_id, func.count().label("visits"))
            .group_by(Visit.client_id)
            .subquery()
        )
        heavy = session.scalar(
            select(counted.c.client_id).order_by(counted.c.visits.desc(), counted.c.client_id)
        )
        light = session.scalar(
            select(counted.c.client_id).order_by(counted.c.visits, counted.c.client_id)
        )
    if heavy is None or light is None:
        raise SystemExit("the database holds no visits: build it with demo --scale first")
    return str(heavy), str(light)


def said_name(database: Database, client_id: str) -> str:
    """A client's name as typed into the search ("Zoë Nguyễn")."""
    with database.read() as session:
        client = get_client(session, client_id)
        return person_name(client.first_name, client.last_name)


def latest_visits(database: Database, client_id: str, count: int, signed: bool) -> list[str]:
    """The client's newest visits, newest first (only signed ones when ``signed``)."""
    query = select(Visit.id).where(Visit.client_id == client_id)
    if signed:
        query = query.where(Visit.signed_at.is_not(None))
    with database.read() as session:
        return [str(v) for v in session.scalars(query.order_by(Visit.start.desc()).limit(count))]


# The probes -------------------------------------------------------------------------------------


def probe_search(url: str) -> dict[str, Any]:
    """Search as you type, each query in its own read as the window runs it, against the bare
    LIKE query on the same table."""
    database = open_database(url)

    def search(query: str) -> None:
        with database.read() as session:
            search_clients(session, query, limit=200)

    def bare() -> None:
        with database.read() as session:
            session.execute(
                text("SELECT id FROM clients WHERE search_key LIKE :q LIMIT 200"), {"q": "%zoe%"}
            ).all()

    for query in TYPED:  # warm the cache, as a running app's would be
        search(query)
    samples = [timed(lambda q=query: search(q)) for _ in range(5) for query in TYPED]
    baseline = [timed(bare) for _ in samples]
    database.dispose()
    return {"search": percentiles(samples), "bare": percentiles(baseline), "peak_mb": peak_mb()}


def probe_pdf(url: str) -> dict[str, Any]:
    """One SOAP note read and rendered, warm, over the long-standing client's signed notes."""
    from massage_chart.export.service import DocumentKind, read_snapshot, render

    database = open_database(url)
    heavy, _light = clients_by_history(database)
    visits = latest_visits(database, heavy, 20, signed=True)
    for visit_id in visits[:3]:  # fonts registered, code set opened, atlas paths built
        render(DocumentKind.SOAP, read_snapshot(database, visit_id))
    samples = [
        timed(lambda v=visit_id: render(DocumentKind.SOAP, read_snapshot(database, v)))
        for _ in range(2)
        for visit_id in visits
    ]
    database.dispose()
    return {"note": percentiles(samples), "peak_mb": peak_mb()}


def probe_window(url: str) -> dict[str, Any]:
    """The main window as a therapist uses it: open a client with a long history and one with a
    short one, open each one's latest chart, export a note, then close (a client was viewed)."""
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from massage_chart.export.service import DocumentKind, read_snapshot, render
    from massage_chart.ui.main_window import VIEW_AUDIT_DELAY_MS, MainWindow
    from massage_chart.ui.record.fields import wait_for_icd10

    app = QApplication.instance() or QApplication(sys.argv[:1])
    database = open_database(url)
    heavy, light = clients_by_history(database)
    window = MainWindow(database)
    window.resize(1280, 760)
    window.show()
    app.processEvents()
    collector.set_aside_start_up()  # as the app does once its window is drawn

    def open_client(client_id: str) -> None:
        window.select_client(client_id)
        app.processEvents()
        window.repaint()

    names = {client_id: said_name(database, client_id) for client_id in (heavy, light)}

    def find(client_id: str) -> None:
        """The client typed into the search and listed, not yet opened (not timed): a large
        practice's list does not reach every client, and a search that lists one client
        selects it, which is the opening being timed."""
        window.client_panel.search_for(names[client_id])
        window.client_panel.view.selectionModel().clearCurrentIndex()
        app.processEvents()
        assert window.client_panel.current_client_id() == ""

    figures: dict[str, list[float]] = {"client_heavy": [], "client_light": []}
    for _ in range(12):  # alternated, so both see the same machine
        find(heavy)
        figures["client_heavy"].append(timed(lambda: open_client(heavy)))
        find(light)
        figures["client_light"].append(timed(lambda: open_client(light)))

    def open_chart(visit_id: str) -> None:
        visit_window = window.open_visit(visit_id)
        assert visit_window is not None
        chart = visit_window.show_chart()
        app.processEvents()
        chart.view.viewport().repaint()
        visit_window.close()
        visit_window.deleteLater()

    charts = {
        "chart_heavy": latest_visits(database, heavy, 1, signed=False)[0],
        "chart_light": latest_visits(database, light, 1, signed=False)[0],
    }
    for name, visit_id in charts.items():
        window.select_client(heavy if name == "chart_heavy" else light)
        open_chart(visit_id)  # the first opening loads the chart's modules: not counted
        app.processEvents()
        figures[name] = []
    for _ in range(20):
        for name, visit_id in charts.items():
            window.select_client(heavy if name == "chart_heavy" else light)
            app.processEvents()
            figures[name].append(timed(lambda v=visit_id: open_chart(v)))
            app.processEvents()

    # The window's export reads and renders like this (in its worker); memory is the point here.
    render(DocumentKind.SOAP, read_snapshot(database, latest_visits(database, heavy, 1, True)[0]))
    # A code searched in a note's ICD-10-CM picker: its search index is built once, then kept.
    wait_for_icd10(120)
    open_client(heavy)
    QTest.qWait(VIEW_AUDIT_DELAY_MS + 200)  # the view is audited, as a real look would be
    closing = timed(window.close)
    result: dict[str, Any] = {name: percentiles(samples) for name, samples in figures.items()}
    result["samples"] = figures
    result["close_after_view"] = round(closing, 3)
    result["peak_mb"] = peak_mb()
    window.deleteLater()
    database.dispose()
    return result


PROBES: dict[str, Callable[[str], dict[str, Any]]] = {
    "search": probe_search,
    "pdf": probe_pdf,
    "window": probe_window,
}


def main(argv: list[str] | None = None) -> int:
    """Run one probe and print its figures as JSON."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2 or args[0] not in PROBES:
        print(f"usage: python -m benchmarks.probes {{{','.join(PROBES)}}} DATABASE_URL")
        return 2
    print(json.dumps(PROBES[args[0]](args[1])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
