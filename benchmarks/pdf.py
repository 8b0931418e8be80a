"""PDF timings (PRODUCT.md §7): one SOAP note with body charts, warm, and a 1,000-note batch.

    python -m benchmarks.pdf                  # prints p50/p95 and the batch total beside the budget
    python -m benchmarks.pdf --notes 200 --runs 30

A fresh SQLite database gets signed visits that each carry ten marks on two views, two CPT lines,
two ICD-10 codes and a full SOAP text. "One note" is the time to read the visit's snapshot in one
short session and render the PDF, after warm-up (fonts registered, code set loaded). The batch is
``export batch`` as the command runs it: worker processes on every core, files written atomically,
one audit event per file.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from massage_chart.atlas import load_atlas
from massage_chart.domain.marks import MarkKind
from massage_chart.domain.record_kinds import PayerType, UnitRule
from massage_chart.export.batch import export_batch
from massage_chart.export.service import DocumentKind, read_snapshot, render
from massage_chart.storage.database import Database, open_database
from massage_chart.storage.models import (
    BillingLine,
    Claim,
    Client,
    Mark,
    Practice,
    Provider,
    Referral,
    Visit,
)
from massage_chart.storage.signing import sign_visit

ONE_NOTE_BUDGET_MS = 250.0
BATCH_BUDGET_S = 60.0
FIRST_DAY = dt.date(2026, 1, 5)

MARKS: list[tuple[MarkKind, str, str, bool, int | None]] = [
    (MarkKind.TRIGGER_POINT_ACTIVE, "posterior", "upper_trapezius.r", False, 7),
    (MarkKind.TRIGGER_POINT_LATENT, "posterior", "levator_scapulae.l", False, 3),
    (MarkKind.TENDER_POINT, "posterior", "rhomboid.r", False, None),
    (MarkKind.HYPERTONICITY, "posterior", "upper_trapezius.l", True, 5),
    (MarkKind.TREATED, "posterior", "thoracic_erector.r", True, None),
    (MarkKind.ADHESION, "posterior", "gluteus_medius.l", True, 4),
    (MarkKind.PAIN, "anterior", "pec_major.l", False, 6),
    (MarkKind.REFERRED_PAIN, "anterior", "temporalis.r", True, 5),
    (MarkKind.AVOID, "anterior", "femoral_triangle.r", True, None),
    (MarkKind.NUMBNESS, "anterior", "forearm_flexors.r", True, None),
]


def seed(database: Database, notes: int) -> list[str]:
    """Signed visits with charts; returns their ids."""
    atlas = load_atlas()
    ids: list[str] = []
    with database.write() as session:
        practice = Practice(name="Benchmark Clinical Massage", address="1 Main St\nSeattle, WA")
        provider = Provider(
            practice=practice,
            first_name="Sam",
            last_name="Lee",
            credentials="LMT",
            license_number="MA.60012345",
            npi="1234567893",
        )
        session.add_all([practice, provider])
        session.flush()
        client: Client | None = None
        claim: Claim | None = None
        referral: Referral | None = None
        for number in range(notes):
            if number % 10 == 0:
                client = Client(first_name=f"Zoë {number // 10}", last_name="Ağaoğlu")
                client.refresh_search_key()
                session.add(client)
                session.flush()
                claim = Claim(
                    client_id=client.id,
                    payer_type=PayerType.PIP,
                    payer_name="Evergreen Mutual",
                    claim_number=f"A-{number}",
                    date_of_injury=FIRST_DAY,
                    unit_rule=UnitRule.CMS,
                )
                session.add(claim)
                session.flush()
                referral = Referral(
                    client_id=client.id,
                    claim_id=claim.id,
                    prescriber="Dr. A. Rahman",
                    icd10_codes=["S13.4XXD", "M54.2"],
                )
                session.add(referral)
                session.flush()
            assert client is not None and claim is not None and referral is not None
            start = dt.datetime.combine(
                FIRST_DAY + dt.timedelta(days=number % 300), dt.time(9 + number % 8)
            )
            visit = Visit(
                client_id=client.id,
                provider_id=provider.id,
                claim_id=claim.id,
                referral_id=referral.id,
                start=start,
                end=start + dt.timedelta(minutes=60),
                chief_complaint="Neck pain and headaches",
                subjective="Neck pain after a rear-end collision. " * 8,
                objective="Hypertonicity and trigger points in the upper trapezius. " * 8,
                assessment="Tissue texture improved; rotation increased. " * 4,
                plan="Continue weekly. Home care: upper trapezius stretch 3 x 30 s; heat 15 min.",
                pain_before=7,
                pain_after=3,
                techniques=["trigger point therapy", "myofascial release"],
                pressure=3,
                icd10_codes=["S13.4XXD", "M54.2"],
            )
            visit.billing_lines.append(
                BillingLine(position=0, cpt="97140", minutes=38, units=3, diagnosis_pointers=[1])
            )
            visit.billing_lines.append(
                BillingLine(position=1, cpt="97124", minutes=15, units=1, diagnosis_pointers=[2])
            )
            for index, (kind, view, region_id, whole, intensity) in enumerate(MARKS):
                region = atlas.region(view, region_id)
                visit.marks.append(
                    Mark(
                        kind=kind.value,
                        view=view,
                        points=[list(region.inner_point)],
                        region_id=region.id,
                        side=region.side,
                        whole_region=whole,
                        intensity=intensity,
                        created_at=start + dt.timedelta(seconds=index),
                    )
                )
            session.add(visit)
            session.flush()
            sign_visit(visit, provider.id, start + dt.timedelta(hours=2))
            ids.append(visit.id)
            if number % 100 == 99:
                session.flush()
    return ids


def percentile(values: list[float], fraction: float) -> float:
    """The value below which ``fraction`` of the sorted values lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.pdf", description=__doc__)
    parser.add_argument("--notes", type=int, default=1000, help="notes in the batch")
    parser.add_argument("--runs", type=int, default=50, help="timed runs of one note")
    parser.add_argument("--workers", type=int, default=None, help="batch processes")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="mc-pdf-bench-") as folder:
        path = Path(folder) / "bench.db"
        database = open_database(str(path))
        started = time.perf_counter()
        ids = seed(database, args.notes)
        print(f"seeded {len(ids)} signed visits in {time.perf_counter() - started:.1f} s")

        for _ in range(3):  # warm-up: fonts, ICD-10 tables, atlas paths
            render(DocumentKind.SOAP, read_snapshot(database, ids[0]))
        timings: list[float] = []
        size = 0
        for run in range(args.runs):
            visit_id = ids[run % len(ids)]
            t0 = time.perf_counter()
            pdf = render(DocumentKind.SOAP, read_snapshot(database, visit_id))
            timings.append((time.perf_counter() - t0) * 1000)
            size = len(pdf)
        p50, p95 = statistics.median(timings), percentile(timings, 0.95)
        verdict = "within" if p95 < ONE_NOTE_BUDGET_MS else "OVER"
        print(
            f"one SOAP note (read + render, warm, {args.runs} runs): p50 {p50:.1f} ms, "
            f"p95 {p95:.1f} ms; budget {ONE_NOTE_BUDGET_MS:.0f} ms: {verdict} "
            f"({size // 1024} KiB a note)"
        )
        url = database.url
        database.dispose()

        out = Path(folder) / "out"
        out.mkdir()
        workers = args.workers or os.cpu_count() or 1
        t0 = time.perf_counter()
        report = export_batch(
            url,
            FIRST_DAY,
            FIRST_DAY + dt.timedelta(days=400),
            out,
            workers=workers,
        )
        total = time.perf_counter() - t0
        verdict = "within" if total < BATCH_BUDGET_S else "OVER"
        print(
            f"batch of {len(report.written)} notes on {workers} processes: {total:.1f} s "
            f"({len(report.written) / total:.1f} notes/s, {len(report.failures)} failures); "
            f"budget {BATCH_BUDGET_S:.0f} s for 1,000: {verdict}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
