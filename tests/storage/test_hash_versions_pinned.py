"""The canonical content of hash versions 1 and 2 is frozen: signed visits must keep verifying."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest

from massage_chart.domain.record_kinds import VisitStatus
from massage_chart.domain.visit_record import sealed_fields
from massage_chart.storage.models import CURRENT_HASH_VERSION, BillingLine, Visit, VisitOverride
from massage_chart.storage.models import Mark as MarkRow
from massage_chart.storage.signing import visit_canonical_content, visit_content_hash

COMMON_KEYS = {
    "id", "client_id", "provider_id", "start", "end", "chief_complaint", "health_update",
    "subjective", "objective", "assessment", "plan", "pain_before", "pain_after", "techniques",
    "pressure", "positioning", "icd10_codes", "signed_by_id", "signed_at", "marks", "billing",
}  # fmt: skip
VERSION_2_KEYS = COMMON_KEYS | {
    "hash_version", "overrides", "pain_best", "pain_worst", "functional_limits", "response",
    "progress_toward_goals", "frequency", "home_care", "referrals_out", "next_visit",
}  # fmt: skip
WHEN_FILLED = {"range_of_motion", "tolerances", "goals"}
FILLED = {
    "range_of_motion": {"motion": "cervical.rotation", "side": "left", "degrees": 55,
                        "within_normal": False, "passive": False, "painful": True,
                        "method": "goniometer", "timing": "before"},
    "tolerances": {"activity": "sitting", "minutes": 20},
    "goals": {"term": "short", "text": "Check the blind spot", "target": "2026-12-21",
              "status": "progressing"},
}  # fmt: skip
MARK_KEYS = {
    "id", "kind", "view", "points", "region_id", "side", "intensity", "deep_muscle", "technique",
    "minutes", "pressure", "note",
}  # fmt: skip


def _sample_visit(hash_version: int) -> Visit:
    """A signed visit with every sealed field filled, built without a session so ids stay fixed."""
    visit = Visit(
        id="visit-1",
        client_id="client-1",
        provider_id="provider-1",
        start=dt.datetime(2026, 11, 23, 9, 0),
        end=dt.datetime(2026, 11, 23, 10, 0),
        status=VisitStatus.SIGNED,
        chief_complaint="Neck pain after a long drive",
        health_update="No changes; résumé of meds unchanged",
        subjective="Neck stiff turning left",
        objective="Upper trapezius taut band",
        assessment="Improving",
        plan="Weekly for 4 weeks",
        pain_best=2,
        pain_worst=7,
        functional_limits="Cannot check blind spot",
        response="Tolerated well",
        progress_toward_goals="Half way",
        frequency="Weekly",
        home_care="Heat 15 minutes",
        referrals_out="GP for imaging",
        next_visit="In one week",
        pain_before=6,
        pain_after=3,
        techniques=["Swedish", "Trigger point"],
        pressure=3,
        positioning="Prone",
        icd10_codes=["M54.2", "M62.830"],
        signed_at=dt.datetime(2026, 11, 23, 10, 5),
        signed_by_id="provider-1",
        hash_version=hash_version,
    )
    visit.marks = [
        MarkRow(
            id="mark-b",
            kind="trigger_point",
            view="posterior",
            points=[[0.41, 0.22]],
            region_id="upper_trapezius",
            side="left",
            whole_region=False,
            intensity=7,
            deep_muscle="Levator scapulae",
            technique="Ischemic compression",
            minutes=5,
            pressure=4,
            note="Refers to temple",
        ),
        MarkRow(
            id="mark-a",
            kind="tension",
            view="anterior",
            points=[[0.5, 0.3], [0.52, 0.31], [0.51, 0.33]],
            region_id=None,
            side="midline",
            intensity=None,
            deep_muscle="",
            technique="",
            minutes=None,
            pressure=None,
            note="",
        ),
    ]
    visit.billing_lines = [
        BillingLine(
            position=1, cpt="97140", minutes=15, units=1, modifiers=["59"], diagnosis_pointers=[2]
        ),
        BillingLine(
            position=0, cpt="97124", minutes=30, units=2, modifiers=[], diagnosis_pointers=[1, 2]
        ),
    ]
    visit.overrides = [
        VisitOverride(position=0, code="dvt", reason="Cleared by phone"),
        VisitOverride(position=1, code="anticoagulant", reason="Light pressure only"),
    ]
    return visit


def _canonical_json(visit: Visit) -> str:
    content = visit_canonical_content(visit)
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


@pytest.mark.parametrize(
    ("version", "keys", "digest"),
    [
        (1, COMMON_KEYS, "c32f3672068b5679462b5cd45587ff472e6efed31647380519e7065785a83257"),
        (2, VERSION_2_KEYS, "687af267def1626e134e93a442d2805170f3f42208440faa9d8c0134da27e5fe"),
    ],
)
def test_hash_versions_keep_their_canonical_content(
    version: int, keys: set[str], digest: str
) -> None:
    visit = _sample_visit(version)
    content = visit_canonical_content(visit)
    assert set(content) == keys
    assert all(set(mark) == MARK_KEYS for mark in content["marks"])
    assert [mark["id"] for mark in content["marks"]] == ["mark-a", "mark-b"]
    assert [line["cpt"] for line in content["billing"]] == ["97124", "97140"]
    assert hashlib.sha256(_canonical_json(visit).encode("utf-8")).hexdigest() == digest
    assert visit_content_hash(visit) == digest


def test_version_1_folds_sub_fields_and_overrides_into_the_text() -> None:
    content = visit_canonical_content(_sample_visit(1))
    assert content["subjective"].startswith("Pain best: 2/10")
    assert "Neck stiff turning left" in content["subjective"]
    assert "Home care: Heat 15 minutes" in content["plan"]
    assert "Stop/refer override [dvt]: Cleared by phone" in content["health_update"]


def test_version_2_keeps_sub_fields_and_overrides_as_fields() -> None:
    content = visit_canonical_content(_sample_visit(2))
    assert content["hash_version"] == 2
    assert content["subjective"] == "Neck stiff turning left"
    assert content["pain_best"] == 2
    assert content["overrides"] == [
        {"code": "anticoagulant", "reason": "Light pressure only"},
        {"code": "dvt", "reason": "Cleared by phone"},
    ]


def test_each_version_seals_the_fields_declared_up_to_it() -> None:
    assert CURRENT_HASH_VERSION == 2
    assert set(sealed_fields(1)) == COMMON_KEYS - {"marks", "billing"}
    assert set(sealed_fields(2)) == (VERSION_2_KEYS | WHEN_FILLED) - {
        "marks",
        "billing",
        "hash_version",
        "overrides",
    }
    visit = _sample_visit(CURRENT_HASH_VERSION)
    for name in WHEN_FILLED:
        setattr(visit, name, [])
    sealed = visit_content_hash(visit)
    for name in sealed_fields(CURRENT_HASH_VERSION):
        before = getattr(visit, name)
        changed: object
        if isinstance(before, dt.datetime):
            changed = before + dt.timedelta(minutes=1)
        elif isinstance(before, int):
            changed = before + 1
        elif name in WHEN_FILLED:
            changed = [FILLED[name]]
        elif isinstance(before, list):
            changed = [*before, "extra"]
        else:
            changed = f"{before} changed"
        setattr(visit, name, changed)
        assert visit_content_hash(visit) != sealed, name
        setattr(visit, name, before)
    assert visit_content_hash(visit) == sealed


def test_lists_added_to_version_2_are_sealed_only_when_filled() -> None:
    """A note signed before range of motion, tolerance and goals existed (their lists empty)
    keeps its digest; entries, once there, are sealed as stored, and adding or removing one
    breaks the seal."""
    visit = _sample_visit(2)
    for name in WHEN_FILLED:
        setattr(visit, name, [])
    pinned = "687af267def1626e134e93a442d2805170f3f42208440faa9d8c0134da27e5fe"
    assert visit_content_hash(visit) == pinned
    for name, entry in FILLED.items():
        setattr(visit, name, [entry])
    content = visit_canonical_content(visit)
    assert {name: content[name] for name in WHEN_FILLED} == {
        name: [entry] for name, entry in FILLED.items()
    }
    sealed = visit_content_hash(visit)
    assert sealed != pinned
    for name, entry in FILLED.items():
        setattr(visit, name, [])
        assert visit_content_hash(visit) != sealed, name
        setattr(visit, name, [entry, entry])
        assert visit_content_hash(visit) != sealed, name
        setattr(visit, name, [entry])
    assert visit_content_hash(visit) == sealed
