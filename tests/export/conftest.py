"""Fixtures of the PDF tests: a practice with a fully charted visit, built through the storage API."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from massage_chart.atlas import load_atlas
from massage_chart.demo import seed_demo
from massage_chart.domain.marks import MarkKind
from massage_chart.domain.record_kinds import PayerType, UnitRule, VisitStatus
from massage_chart.export.snapshot import VisitSnapshot, load_visit_snapshot
from massage_chart.storage.client_records import addendum_hash
from massage_chart.storage.database import Database, open_database
from massage_chart.storage.marks import add_mark, place_mark
from massage_chart.storage.models import (
    Addendum,
    BillingLine,
    Claim,
    Client,
    Practice,
    Provider,
    Referral,
    Visit,
)
from massage_chart.storage.signing import sign_visit

START = dt.datetime(2026, 11, 20, 10, 0)


def region_point(view: str, region_id: str) -> tuple[float, float]:
    """A point inside a region of the atlas."""
    return load_atlas().region(view, region_id).inner_point


def around(view: str, region_id: str, r: float = 0.02) -> list[tuple[float, float]]:
    """A small diamond around a region's inner point (an area mark's outline)."""
    x, y = region_point(view, region_id)
    return [(x - r, y), (x, y - r), (x + r, y), (x, y + r)]


#: (kind, view, points, whole_region, fields) of the standard chart.
STANDARD_MARKS: list[tuple[MarkKind, str, list[tuple[float, float]], bool, dict[str, Any]]] = [
    (
        MarkKind.TRIGGER_POINT_ACTIVE,
        "posterior",
        [region_point("posterior", "upper_trapezius.r")],
        False,
        {"intensity": 7, "note": "refers to temple"},
    ),
    (
        MarkKind.TRIGGER_POINT_LATENT,
        "posterior",
        [region_point("posterior", "middle_trapezius.l")],
        False,
        {"intensity": 3},
    ),
    (MarkKind.TENDER_POINT, "posterior", [region_point("posterior", "lower_trapezius.r")], False, {}),
    (MarkKind.PAIN, "anterior", [region_point("anterior", "pec_major.l")], False, {"intensity": 6}),
    (MarkKind.HYPERTONICITY, "posterior", [region_point("posterior", "upper_trapezius.l")], True,
     {"intensity": 5}),
    (MarkKind.TREATED, "posterior", [region_point("posterior", "thoracic_erector.r")], True,
     {"minutes": 15, "pressure": 3, "technique": "myofascial release"}),
    (MarkKind.REFERRED_PAIN, "anterior", [region_point("anterior", "temporalis.r")], True, {}),
    (MarkKind.AVOID, "anterior", [region_point("anterior", "femoral_triangle.r")], True,
     {"note": "varicosity"}),
    (MarkKind.ADHESION, "posterior", around("posterior", "gluteus_medius.l", 0.03), False, {}),
    (MarkKind.SCAR, "anterior",
     [region_point("anterior", "rectus_abdominis_lower.r"),
      region_point("anterior", "rectus_abdominis_lower.l")], False, {}),
]  # fmt: skip


@dataclass
class VisitSpec:
    """What to put in a test visit."""

    first_name: str = "Zoë"
    last_name: str = "Ağaoğlu"
    date_of_birth: dt.date | None = dt.date(1984, 2, 29)
    subjective: str = "Neck pain after a rear-end collision. Pain 7/10 at rest."
    objective: str = "Hypertonicity R upper trapezius; active TrP reproduces temple pain."
    assessment: str = "Tissue texture improved; cervical rotation increased."
    plan: str = (
        "Continue weekly for 4 weeks. Home care: upper trapezius stretch 3 x 30 s each side; "
        "chin tucks 10 reps hourly; heat 15 minutes in the evening."
    )
    goals: str = "Turn the head fully to check traffic.\nSleep through the night."
    icd10: tuple[str, ...] = ("S13.4XXD", "M54.2")
    billing: tuple[tuple[str, int, int, tuple[str, ...]], ...] = (
        ("97140", 38, 3, ("59",)),
        ("97124", 15, 1, ()),
    )
    marks: Sequence[tuple[MarkKind, str, list[tuple[float, float]], bool, dict[str, Any]]] = field(
        default_factory=lambda: STANDARD_MARKS
    )
    signed: bool = True
    addenda: tuple[tuple[str, str], ...] = ()
    start: dt.datetime = START
    chief_complaint: str = "Neck pain and headaches"
    logo_png: bytes | None = None


@dataclass(frozen=True)
class MadeVisit:
    """Ids of what a spec made."""

    visit_id: str
    client_id: str
    provider_id: str


def make_visit(database: Database, spec: VisitSpec | None = None) -> MadeVisit:
    """Store a practice (once), a provider, a client with claim and referral, and one visit."""
    spec = spec or VisitSpec()
    atlas = load_atlas()
    with database.write() as session:
        practice = session.query(Practice).first()
        if practice is None:
            practice = Practice(
                name="Harbourview Clinical Massage",
                address="1200 Harbor Ave, Suite 210\nSeattle, WA 98101",
                phone="(206) 555-0142",
                email="front@harbourview.example",
                website="harbourview.example",
                logo_png=spec.logo_png,
            )
            session.add(practice)
        provider = session.query(Provider).first()
        if provider is None:
            provider = Provider(
                practice=practice,
                first_name="Sam",
                last_name="Lee",
                credentials="LMT",
                license_number="MA.60012345",
                license_jurisdiction="WA",
                npi="1234567893",
                phone="(206) 555-0199",
                email="sam@harbourview.example",
            )
            session.add(provider)
        client = Client(
            first_name=spec.first_name,
            last_name=spec.last_name,
            date_of_birth=spec.date_of_birth,
            goals=spec.goals,
        )
        client.refresh_search_key()
        session.add(client)
        session.flush()
        claim = Claim(
            client_id=client.id,
            payer_type=PayerType.PIP,
            payer_name="Evergreen Mutual",
            claim_number="A-77-1042",
            policy_number="P9911",
            date_of_injury=dt.date(2026, 9, 1),
            unit_rule=UnitRule.CMS,
        )
        session.add(claim)
        session.flush()
        referral = Referral(
            client_id=client.id,
            claim_id=claim.id,
            prescriber="Dr. A. Rahman",
            prescriber_npi="1992753880",
            icd10_codes=list(spec.icd10),
            frequency="1x/week for 6 weeks",
        )
        session.add(referral)
        session.flush()
        visit = Visit(
            client_id=client.id,
            provider_id=provider.id,
            claim_id=claim.id,
            referral_id=referral.id,
            start=spec.start,
            end=spec.start + dt.timedelta(minutes=60),
            chief_complaint=spec.chief_complaint,
            health_update="No changes to health history.",
            subjective=spec.subjective,
            objective=spec.objective,
            assessment=spec.assessment,
            plan=spec.plan,
            pain_before=7,
            pain_after=3,
            techniques=["trigger point therapy", "myofascial release"],
            pressure=3,
            positioning="prone, then supine",
            icd10_codes=list(spec.icd10),
        )
        for position, (cpt, minutes, units, modifiers) in enumerate(spec.billing):
            visit.billing_lines.append(
                BillingLine(
                    position=position,
                    cpt=cpt,
                    minutes=minutes,
                    units=units,
                    modifiers=list(modifiers),
                    diagnosis_pointers=[1, 2],
                )
            )
        session.add(visit)
        session.flush()
        base = dt.datetime(2026, 11, 20, 10, 5)
        for index, (kind, view, points, whole, fields) in enumerate(spec.marks):
            data = place_mark(atlas, visit.id, kind, view, points, whole_region=whole, **fields)
            data = data.replace(created_at=base + dt.timedelta(seconds=index))
            add_mark(session, data)
        session.flush()
        session.refresh(visit)
        if spec.signed:
            sign_visit(visit, provider.id, dt.datetime(2026, 11, 20, 11, 42))
            session.flush()
        for index, (reason, text) in enumerate(spec.addenda):
            written = dt.datetime(2026, 11, 21, 9, index)
            session.add(
                Addendum(
                    visit_id=visit.id,
                    author_id=provider.id,
                    reason=reason,
                    text=text,
                    created_at=written,
                    content_hash=addendum_hash(visit.id, provider.id, written, reason, text),
                )
            )
        return MadeVisit(visit.id, client.id, provider.id)


@pytest.fixture
def visit_factory(db: Database) -> Callable[..., MadeVisit]:
    """Make visits in the test database: ``visit_factory(first_name="Łukasz", signed=False)``."""

    def make(**overrides: Any) -> MadeVisit:
        return make_visit(db, VisitSpec(**overrides))

    return make


def signed_demo_snapshots(folder: Path, clients: int = 30) -> list[VisitSnapshot]:
    """The snapshots of every signed visit of a freshly seeded demo practice, oldest first."""
    database = open_database(str(folder / "demo.db"))
    try:
        seed_demo(database, clients=clients, today=dt.date(2026, 11, 23))
        with database.read() as session:
            ids = session.scalars(
                select(Visit.id).where(Visit.status == VisitStatus.SIGNED).order_by(Visit.start)
            ).all()
            return [load_visit_snapshot(session, visit_id) for visit_id in ids]
    finally:
        database.dispose()
