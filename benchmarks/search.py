"""Search-as-you-type and open-a-client timings on a scale database (PRODUCT.md §7).

    massage-chart --db out/scale.db demo --scale clinic     # once (about 35 minutes; clinic/10
                                                            # is a tenth of it)
    python -m benchmarks.search --db out/scale.db

Prints p50/p95 per operation beside the budget, and the process's peak resident memory.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
from collections.abc import Callable

from sqlalchemy import select, text

from massage_chart.storage.database import open_database
from massage_chart.storage.models import Client
from massage_chart.storage.repositories import get_client, list_visits, search_clients

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


def _time(action: Callable[[], object], repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def _report(name: str, samples: list[float], budget_ms: float) -> None:
    ordered = sorted(samples)
    p50 = statistics.median(ordered)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    verdict = "within" if p95 <= budget_ms else "OVER"
    print(f"{name:42s} p50 {p50:7.2f} ms  p95 {p95:7.2f} ms  budget {budget_ms:5.0f} ms  {verdict}")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", required=True)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    database = open_database(args.db)
    with database.read() as session:
        clients = session.scalar(text("SELECT count(*) FROM clients"))
        visits = session.scalar(text("SELECT count(*) FROM visits"))
        heavy_id = session.scalar(select(Client.id).where(Client.first_name == "Heavy"))
    print(f"database: {database.display_name}: {clients} clients, {visits} visits")

    def search_all() -> None:
        for query in TYPED:
            with database.read() as session:
                search_clients(session, query, limit=200)

    search_all()  # warm the page cache, as a running app would be
    samples: list[float] = []
    for _ in range(args.repeat):
        for query in TYPED:

            def one(q: str = query) -> None:
                with database.read() as session:
                    search_clients(session, q, limit=200)

            samples += _time(one, 1)
    _report(f"search as you type ({len(TYPED)} queries)", samples, 30)

    def baseline() -> None:
        with database.read() as session:
            session.execute(
                text("SELECT id FROM clients WHERE search_key LIKE '%zoe%' LIMIT 200")
            ).all()

    _report("  baseline: bare LIKE query", _time(baseline, len(samples)), 30)

    if heavy_id is not None:

        def open_client() -> None:
            with database.read() as session:
                get_client(session, heavy_id)
                list_visits(session, heavy_id)

        open_client()
        _report("open a client with 300 visits", _time(open_client, args.repeat * 4), 100)

    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"peak resident memory: {peak_kib / 1024:.0f} MB (budget 300 MB)")
    database.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
