"""Build the ten-year-clinic database of PRODUCT.md §7 (20,000 clients, 300,000 visits, 3,000,000
marks) for benchmarks, with bulk Core inserts.

    python -m benchmarks.scale --db out/scale.db                 # full scale (several minutes)
    python -m benchmarks.scale --db out/small.db --fraction 0.1  # a tenth of it
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
import time
import uuid
from pathlib import Path

from sqlalchemy import insert, text

from massage_chart.domain.record_kinds import VisitStatus
from massage_chart.domain.text import fold, search_key
from massage_chart.storage.database import Database, open_database
from massage_chart.storage.models import Client, Mark, Provider, Visit

FIRST = [
    "Zoë",
    "Łukasz",
    "Дмитрий",
    "小明",
    "فاطمة",
    "שרה",
    "José",
    "Siobhán",
    "Νίκος",
    "Aiko",
    "Grace",
    "Marcus",
    "Emily",
    "Rahul",
    "Ingrid",
    "François",
    "Amara",
    "Liam",
    "Olivia",
    "Mateo",
    "Hannah",
    "Kwame",
    "Sofia",
    "Noah",
    "Ava",
    "Mehmet",
    "Chloé",
    "Ethan",
]
LAST = [
    "Nguyễn",
    "Wróbel",
    "Иванов",
    "王",
    "الزهراء",
    "כהן",
    "Álvarez",
    "O'Connell",
    "Ağaoğlu",
    "Παπαδόπουλος",
    "Tanaka",
    "Okafor",
    "Johnson",
    "Chen",
    "Sharma",
    "Bjørnstad",
    "Lefèvre",
    "Diallo",
    "Murphy",
    "Smith",
    "García",
    "Müller",
    "Mensah",
    "Rossi",
    "Park",
    "Williams",
]
KINDS = [
    "trigger_point_active",
    "trigger_point_latent",
    "tender_point",
    "pain",
    "hypertonicity",
    "treated",
    "adhesion",
    "referred_pain",
    "spasm",
    "avoid",
]
REGIONS = [
    ("upper_trapezius.r", "right"),
    ("upper_trapezius.l", "left"),
    ("levator_scapulae.r", "right"),
    ("rhomboids.l", "left"),
    ("gluteus_medius.r", "right"),
    ("lumbar_erector.l", "left"),
    ("sternum", "midline"),
]
BATCH = 20_000


def _id() -> str:
    return str(uuid.uuid4())


def build(
    database: Database, *, clients: int, visits_per_client: int, marks_per_visit: int, seed: int = 7
) -> dict[str, int]:
    """Insert the synthetic practice; returns the row counts."""
    rng = random.Random(seed)
    now = dt.datetime(2026, 11, 23, 12, 0)
    providers = [
        {
            "id": _id(),
            "first_name": f"Therapist{i}",
            "last_name": "Bench",
            "credentials": "LMT",
            "license_number": "",
            "license_jurisdiction": "",
            "npi": "",
            "email": "",
            "phone": "",
            "active": True,
            "created_at": now,
        }
        for i in range(8)
    ]
    client_rows: list[dict[str, object]] = []
    visit_rows: list[dict[str, object]] = []
    mark_rows: list[dict[str, object]] = []
    counts = {"clients": 0, "visits": 0, "marks": 0}

    def flush() -> None:
        """Insert what is pending, parents first, in one transaction."""
        with database.engine.begin() as connection:
            for table, rows, key in (
                (Client, client_rows, "clients"),
                (Visit, visit_rows, "visits"),
                (Mark, mark_rows, "marks"),
            ):
                if rows:
                    connection.execute(insert(table), rows)
                    counts[key] += len(rows)
                    rows.clear()

    with database.engine.begin() as connection:
        connection.execute(insert(Provider), providers)
    for n in range(clients + 1):
        heavy = n == clients  # one long-standing client with 300 visits
        first, last = ("Heavy", "Longtime") if heavy else (rng.choice(FIRST), rng.choice(LAST))
        phone = f"(206) 555-{rng.randint(0, 9999):04d}"
        dob = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randint(0, 25_000))
        cid = _id()
        client_rows.append(
            {
                "id": cid,
                "first_name": f"{first}",
                "last_name": f"{last} {n}",
                "preferred_name": "",
                "date_of_birth": dob,
                "gender": "",
                "pronouns": "",
                "phone": phone,
                "alternate_phone": "",
                "email": f"c{n}@mail.example",
                "address": "",
                "occupation": "",
                "emergency_contact_name": "",
                "emergency_contact_phone": "",
                "emergency_contact_relationship": "",
                "primary_care_provider": "",
                "primary_care_phone": "",
                "referring_provider": "",
                "goals": "",
                "pressure_preference": "",
                "notes": "",
                "search_key": search_key(
                    first, f"{last} {n}", phone, f"c{n}@mail.example", dob.isoformat()
                ),
                "sort_key": f"{fold(last)} {n} {fold(first)}",
                "archived": False,
                "created_at": now,
                "updated_at": now,
                "row_version": 1,
            }
        )
        start = now - dt.timedelta(days=3650)
        count = 300 if heavy else visits_per_client
        for _ in range(count):
            start += dt.timedelta(days=rng.randint(3, 12) if heavy else rng.randint(3, 240))
            vid = _id()
            visit_rows.append(
                {
                    "id": vid,
                    "client_id": cid,
                    "provider_id": rng.choice(providers)["id"],
                    "claim_id": None,
                    "referral_id": None,
                    "start": start,
                    "end": start + dt.timedelta(minutes=60),
                    "status": VisitStatus.DRAFT,  # signed after the marks are in (triggers)
                    "chief_complaint": "Neck and shoulder pain",
                    "health_update": "",
                    "subjective": "Neck pain 6/10 after work; headaches twice a week.",
                    "objective": "Hypertonicity bilateral upper trapezius; active TrP R levator.",
                    "assessment": "Pain 6/10 before, 3/10 after.",
                    "plan": "Weekly x 4.",
                    "pain_before": 6,
                    "pain_after": 3,
                    "techniques": ["trigger point therapy"],
                    "pressure": 3,
                    "positioning": "prone",
                    "icd10_codes": ["M54.2"],
                    "signed_at": None,
                    "signed_by_id": None,
                    "content_hash": None,
                    "created_at": now,
                    "updated_at": now,
                    "row_version": 1,
                }
            )
            for _ in range(marks_per_visit):
                region, side = rng.choice(REGIONS)
                mark_rows.append(
                    {
                        "id": _id(),
                        "visit_id": vid,
                        "kind": rng.choice(KINDS),
                        "view": "posterior",
                        "points": json.loads(f"[[{rng.random():.4f}, {rng.random():.4f}]]"),
                        "region_id": region,
                        "side": side,
                        "whole_region": False,
                        "intensity": rng.randint(0, 10),
                        "deep_muscle": "",
                        "technique": "",
                        "minutes": None,
                        "pressure": None,
                        "note": "",
                        "confirmed": True,
                        "carried_from_id": None,
                        "created_at": now,
                    }
                )
        if len(mark_rows) >= BATCH:
            flush()
    flush()
    with database.engine.begin() as connection:
        connection.execute(
            text(
                "UPDATE visits SET status = 'signed', signed_at = \"end\" WHERE start < "
                "(SELECT max(v2.start) FROM visits v2 WHERE v2.client_id = visits.client_id)"
            )
        )
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", required=True, help="file or URL of an empty database")
    parser.add_argument("--fraction", type=float, default=1.0, help="share of full scale")
    args = parser.parse_args()
    database = open_database(args.db if "://" in args.db else str(Path(args.db).resolve()))
    clients = max(1, int(20_000 * args.fraction))
    started = time.perf_counter()
    counts = build(database, clients=clients, visits_per_client=15, marks_per_visit=10)
    database.dispose()
    print(f"built {counts} in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
