"""The chart file: lossless round trips, atlas-computed regions, and hostile files refused whole."""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from massage_chart import __version__
from massage_chart.atlas import load_atlas
from massage_chart.domain.marks import MarkKind
from massage_chart.domain.placement import locate
from massage_chart.storage.chart_file import (
    FORMAT,
    FORMAT_FAMILY,
    ChartFileError,
    dumps_chart,
    export_chart,
    import_chart,
    parse_chart_text,
    read_chart_file,
)
from massage_chart.storage.client_records import add_addendum
from massage_chart.storage.database import Database, open_database
from massage_chart.storage.models import Client, Mark, OutcomeRecord, PainMapRecord, Visit
from massage_chart.storage.outcomes import list_outcomes, record_outcome
from massage_chart.storage.pain_maps import list_pain_maps, record_pain_map
from massage_chart.storage.repositories import get_visit
from massage_chart.storage.signing import sign_visit, verify_visit_hash
from tests.storage.test_repositories import _clients, _provider

PRODUCT_EXAMPLE: dict[str, Any] = {
    "format": "massage-chart/1",
    "clients": [
        {
            "id": "c-123",
            "first_name": "Zoë",
            "last_name": "Nguyễn",
            "date_of_birth": "1984-02-29",
            "health_history": {
                "conditions": ["osteoporosis"],
                "medications": [{"name": "warfarin"}],
                "allergies": ["almond oil"],
            },
            "insurance": {
                "payer_type": "pip",
                "claim_number": "A-77",
                "date_of_injury": "2026-09-01",
                "unit_rule": "cms",
            },
            "referral": {"prescriber": "Dr. A. Rahman", "icd10": ["M54.2", "S13.4XXD"]},
            "visits": [
                {
                    "id": "v-9",
                    "start": "2026-11-20T10:00:00",
                    "end": "2026-11-20T11:00:00",
                    "provider": {
                        "name": "Sam Lee",
                        "credentials": "LMT",
                        "license": "MA.60012345",
                        "npi": "1234567893",
                    },
                    "subjective": "...",
                    "objective": "...",
                    "assessment": "...",
                    "plan": "...",
                    "pain_before": 7,
                    "pain_after": 3,
                    "techniques": ["trigger point therapy"],
                    "icd10": ["M54.2"],
                    "billing": [{"cpt": "97140", "minutes": 38, "modifiers": []}],
                    "marks": [
                        {
                            "kind": "trigger_point_active",
                            "view": "posterior",
                            "points": [[0.62, 0.21]],
                            "intensity": 7,
                            "note": "refers to temple",
                        }
                    ],
                    "signed_at": None,
                    "addenda": [],
                }
            ],
        }
    ],
}


ROTATION_BEFORE = {
    "motion": "cervical.rotation", "side": "left", "degrees": 55, "within_normal": False,
    "passive": False, "painful": True, "method": "goniometer", "timing": "before",
}  # fmt: skip
GOAL = {"term": "short", "text": "Check the blind spot — 痛い", "target": "2026-12-14",
        "status": "progressing"}  # fmt: skip


def _count_clients(db: Database) -> int:
    with db.read() as session:
        return int(session.scalar(select(func.count(Client.id))) or 0)


def _import(db: Database, document: dict[str, Any], *, replace: bool = False) -> None:
    with db.write() as session:
        import_chart(session, document, replace=replace)


def _export_text(db: Database) -> str:
    with db.write() as session:
        return dumps_chart(export_chart(session))


def _rich_database(db: Database) -> None:
    """Clients in many scripts, a signed visit with marks on every core view, and an addendum."""
    provider_id = _provider(db)
    ids = _clients(db)
    atlas = load_atlas()
    with db.write() as session:
        visit = Visit(
            client_id=ids["Zoë"],
            provider_id=provider_id,
            start=dt.datetime(2026, 11, 2, 9, 0),
            end=dt.datetime(2026, 11, 2, 10, 0),
            subjective="Neck pain. " * 5000,
            techniques=["trigger point therapy", "myofascial release"],
            pain_before=7,
            pain_after=3,
            range_of_motion=[ROTATION_BEFORE, dict(ROTATION_BEFORE, degrees=70, timing="after")],
            tolerances=[{"activity": "sitting", "minutes": 20}],
            goals=[GOAL, dict(GOAL, term="long", text="العودة إلى العمل", target=None)],
        )
        for view_id in ("anterior", "posterior", "left_lateral", "right_lateral"):
            region = atlas.regions(view_id)[3]
            x, y = region.inner_point
            visit.marks.append(
                Mark(
                    kind="tender_point",
                    view=view_id,
                    points=[[x, y]],
                    region_id=region.id,
                    side=region.side,
                    intensity=4,
                    note="ça fait mal — 痛い",
                    atlas_version=atlas.version,
                )
            )
        outline = [[0.4, 0.3], [0.6, 0.3], [0.5, 0.4]]
        placed = locate(atlas, "posterior", MarkKind.TREATED, outline)  # as the chart does
        visit.marks.append(
            Mark(
                kind="treated",
                view="posterior",
                points=outline,
                region_id=placed.region_id,
                side=placed.side,
                minutes=12,
                pressure=3,
                technique="myofascial release",
                atlas_version=atlas.version,
            )
        )
        session.add(visit)
        session.flush()
        sign_visit(visit, provider_id, dt.datetime(2026, 11, 2, 10, 30))
        session.flush()
        add_addendum(
            session, visit.id, author_id=None, reason="late entry", text="Called next day: 2/10."
        )
        _outcomes(session, ids["Zoë"], visit.id, provider_id)


def _outcomes(session: Session, client_id: str, visit_id: str, provider_id: str) -> None:
    """A pain rating at the visit, a PSFS in the client's words, and a correction of it."""
    record_outcome(
        session,
        client_id,
        "nprs",
        [6],
        taken_on=dt.date(2026, 11, 2),
        source="client",
        visit_id=visit_id,
        recorded_by_id=provider_id,
    )
    first = record_outcome(
        session,
        client_id,
        "psfs",
        [3, 5, 4],
        taken_on=dt.date(2026, 11, 2),
        source="paper",
        activities=["Lift my daughter", "Sitting 1 h at work", "حمل البقالة"],
    )
    record_outcome(
        session,
        client_id,
        "psfs",
        [3, 5, 6],
        taken_on=dt.date(2026, 11, 2),
        source="paper",
        activities=["Lift my daughter", "Sitting 1 h at work", "حمل البقالة"],
        replaces_id=first.id,
        reason="Typed 4 for the 6 she circled",
    )
    record_outcome(
        session, client_id, "lefs", [2] * 20, taken_on=dt.date(2026, 11, 9), source="client"
    )
    # The client's own pain map at the visit, with the symptom scale, and a corrected paper map.
    record_pain_map(
        session, client_id, ["posterior:upper_trapezius.l", "anterior:masseter_tmj.r"],
        symptoms={"fatigue": 2, "unrefreshed": 1, "cognitive": 0, "headaches": 1, "abdomen": 0,
                  "depression": 0},
        three_months=False, taken_on=dt.date(2026, 11, 2), source="client", visit_id=visit_id,
        recorded_by_id=provider_id,
    )  # fmt: skip
    wrong = record_pain_map(
        session, client_id, ["posterior:sacrum"], taken_on=dt.date(2026, 11, 9), source="paper"
    )
    record_pain_map(
        session, client_id, ["posterior:sacrum", "posterior:gluteus_medius.l"],
        taken_on=dt.date(2026, 11, 9), source="paper", replaces_id=wrong.id,
        reason="Left buttock was shaded on the paper too",
    )  # fmt: skip


def _without_provenance(text: str) -> str:
    document = json.loads(text)
    for client in document["clients"]:
        for visit in client["visits"]:
            visit["imported"] = None
    return dumps_chart(document)


def test_export_import_export_is_byte_identical(db: Database, tmp_path: Path) -> None:
    _rich_database(db)
    first = _export_text(db)
    other = open_database(str(tmp_path / "other.db"))
    try:
        _import(other, json.loads(first))
        second = _export_text(other)
        # Byte for byte, but for the imported signature saying where it was signed.
        assert _without_provenance(second) == first
        (signed,) = [
            v for c in json.loads(second)["clients"] for v in c["visits"] if v["signed_at"]
        ]
        assert signed["imported"]["from"].endswith(f"(massage-chart {__version__})")
        assert signed["imported"]["seal"] == "carried"
        # Exported and imported again, it still names the system it was signed in.
        third = open_database(str(tmp_path / "third.db"))
        try:
            _import(third, json.loads(second))
            again = [v for c in json.loads(_export_text(third))["clients"] for v in c["visits"]]
            assert [v["imported"]["from"] for v in again if v["signed_at"]] == [
                signed["imported"]["from"]
            ]
        finally:
            third.dispose()
        with other.read() as session:
            visit = session.scalars(select(Visit)).one()
            assert verify_visit_hash(visit)
            assert len(visit.marks) == 5
            scores = [
                (e.measure.code, e.score, e.replaces_id is not None, e.visit_id)
                for e in list_outcomes(session, visit.client_id)
            ]
            assert scores == [
                ("nprs", 6, False, visit.id),
                ("psfs", 4.7, True, None),  # the mean, to one decimal as published
                ("lefs", 40, False, None),
            ]
            assert session.scalar(select(func.count()).select_from(OutcomeRecord)) == 4
            maps = [
                (m.score.wpi, m.score.sss, m.replaces_id is not None, m.visit_id)
                for m in list_pain_maps(session, visit.client_id)
            ]
            assert maps == [(2, 4, False, visit.id), (2, None, True, None)]
            assert session.scalar(select(func.count()).select_from(PainMapRecord)) == 3
    finally:
        other.dispose()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda o: o[0].update(measure="odi"), "outcomes[0].measure"),
        (lambda o: o[0].update(answers=[11]), "outcomes[0]"),
        (lambda o: o[0].update(measure_version=2), "update the app"),
        (lambda o: o[1].update(activities=["Lift my daughter"]), "outcomes[1]"),
        (lambda o: o[2].update(replaces_id="nowhere"), "not an earlier outcome measure"),
        (lambda o: o[2].update(reason=""), "must say why"),
        (lambda o: o[0].update(visit_id="someone-elses"), "not one of this client's"),
        (lambda o: o[3].update(taken_on="2999-01-01"), "in the future"),
        (lambda o: o[3].update(recorded_by="nobody"), "no provider"),
        (lambda o: o.append(dict(o[2], id="again")), "corrected twice"),
    ],
)
def test_an_outcome_measure_that_breaks_the_rules_refuses_the_file(
    db: Database, tmp_path: Path, change: Any, message: str
) -> None:
    document = json.loads(_export_text_after(db))
    (client,) = [c for c in document["clients"] if c["outcomes"]]
    change(client["outcomes"])
    other = open_database(str(tmp_path / "other.db"))
    try:
        with pytest.raises(ChartFileError, match=re.escape(message)):
            _import(other, document)
        with other.read() as session:
            assert session.scalar(select(func.count()).select_from(OutcomeRecord)) == 0
            assert session.scalar(select(func.count()).select_from(Client)) == 0
    finally:
        other.dispose()


@pytest.mark.parametrize(
    ("field", "change", "message"),
    [
        ("range_of_motion", {"motion": "jaw.opening"}, "unknown motion 'jaw.opening'"),
        ("range_of_motion", {"side": ""}, "choose the right or left side"),
        ("range_of_motion", {"degrees": None}, "enter the degrees measured"),
        ("range_of_motion", {"within_normal": True}, "not both"),
        ("goals", {"text": "   "}, "write the goal"),
        ("goals", {"target": "14/12/2026"}, "is not a date"),
        ("goals", {"text": "x" * 50_000}, "too long"),
        ("tolerances", {"minutes": 5000}, "enter the minutes"),
    ],
)
def test_a_measure_or_goal_that_breaks_the_rules_refuses_the_file(
    db: Database, tmp_path: Path, field: str, change: dict[str, Any], message: str
) -> None:
    document = json.loads(_export_text_after(db))
    (visit,) = [v for c in document["clients"] for v in c["visits"] if v[field]]
    visit[field][0].update(change)
    other = open_database(str(tmp_path / "other.db"))
    try:
        with pytest.raises(ChartFileError, match=re.escape(message)) as caught:
            _import(other, document)
        assert f"{field}" in str(caught.value)
        assert _count_clients(other) == 0
    finally:
        other.dispose()


def test_a_format_3_file_imports_with_no_measures(db: Database, tmp_path: Path) -> None:
    document = json.loads(_export_text_after(db))
    document["format"] = "massage-chart/3"
    for client in document["clients"]:
        for visit in client["visits"]:
            for name in ("range_of_motion", "tolerances", "goals"):
                del visit[name]
            visit.pop("content_hash")  # the signed note's seal covered the measures
    other = open_database(str(tmp_path / "other.db"))
    try:
        _import(other, document)
        visits = [v for c in json.loads(_export_text(other))["clients"] for v in c["visits"]]
        assert [(v["range_of_motion"], v["tolerances"], v["goals"]) for v in visits] == [
            ([], [], [])
        ] * len(visits)
    finally:
        other.dispose()


def _export_text_after(db: Database) -> str:
    _rich_database(db)
    return _export_text(db)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda m: m[0].update(regions=["left_lateral:biceps.l"]), "front and back views only"),
        (lambda m: m[0].update(regions=["posterior:tail.l"]), "pain_maps[0]: "),
        (lambda m: m[0]["symptoms"].update(fatigue=3, cognitive=None), "Cognitive symptoms"),
        (lambda m: m[0].update(instrument_version=2), "update the app"),
        (lambda m: m[2].update(replaces_id="nowhere"), "not an earlier pain map"),
        (lambda m: m[2].update(reason=""), "must say why"),
        (lambda m: m[0].update(visit_id="someone-elses"), "not one of this client's"),
        (lambda m: m[1].update(taken_on="2999-01-01"), "in the future"),
        (lambda m: m.append(dict(m[2], id="again")), "corrected twice"),
        (lambda m: m.append(dict(m[1])), "the pain map id"),
    ],
)
def test_a_pain_map_that_breaks_the_rules_refuses_the_file(
    db: Database, tmp_path: Path, change: Any, message: str
) -> None:
    document = json.loads(_export_text_after(db))
    (client,) = [c for c in document["clients"] if c["pain_maps"]]
    change(client["pain_maps"])
    other = open_database(str(tmp_path / "other.db"))
    try:
        with pytest.raises(ChartFileError, match=re.escape(message)):
            _import(other, document)
        with other.read() as session:
            assert session.scalar(select(func.count()).select_from(PainMapRecord)) == 0
            assert session.scalar(select(func.count()).select_from(Client)) == 0
    finally:
        other.dispose()


def test_a_format_4_file_still_imports_without_pain_maps(db: Database, tmp_path: Path) -> None:
    document = json.loads(_export_text_after(db))
    document["format"] = "massage-chart/4"
    for client in document["clients"]:
        del client["pain_maps"]
    other = open_database(str(tmp_path / "other.db"))
    try:
        _import(other, document)
        assert json.loads(_export_text(other))["clients"][0]["pain_maps"] == []
    finally:
        other.dispose()


def test_a_format_5_file_still_imports_its_marks_on_their_atlas(
    db: Database, tmp_path: Path
) -> None:
    """Format 5 carried marks of atlas versions 1 and 2: each is read on its own version (an
    unsigned chart then moves to the current atlas when it is opened or signed)."""
    document = json.loads(_export_text_after(db))
    document["format"] = "massage-chart/5"
    old = load_atlas(2)
    (client,) = [c for c in document["clients"] if c["visits"]]
    (signed,) = client["visits"]
    draft = copy.deepcopy(signed) | {
        "id": "v-draft", "status": "draft", "signed_at": None, "signed_by": None,
        "content_hash": None, "addenda": [], "start": "2026-11-09T10:00:00",
        "end": "2026-11-09T11:00:00",
        "marks": [{"kind": "tender_point", "view": "posterior", "atlas_version": 2,
                   "points": [list(old.region("posterior", "rhomboid.l").inner_point)]}],
    }  # fmt: skip
    draft.pop("imported", None)
    client["visits"].append(draft)
    other = open_database(str(tmp_path / "other.db"))
    try:
        _import(other, document)
        with other.read() as session:
            marks = session.scalars(select(Mark).where(Mark.atlas_version == 2)).all()
            assert marks and {(m.view, m.region_id) for m in marks} == {("posterior", "rhomboid.l")}
    finally:
        other.dispose()


def test_a_format_2_file_still_imports(db: Database, tmp_path: Path) -> None:
    document = json.loads(_export_text_after(db))
    document["format"] = "massage-chart/2"
    for client in document["clients"]:
        del client["outcomes"]
    other = open_database(str(tmp_path / "other.db"))
    try:
        _import(other, document)
        assert json.loads(_export_text(other))["clients"][0]["outcomes"] == []
    finally:
        other.dispose()


def test_the_product_example_imports_with_ids_kept_and_regions_from_the_atlas(db: Database) -> None:
    document = copy.deepcopy(PRODUCT_EXAMPLE)
    document["clients"][0]["visits"][0]["marks"][0]["side"] = "left"  # never trusted
    document["clients"][0]["visits"][0]["marks"][0]["region_id"] = "big_toe.l"
    _import(db, document)
    expected = load_atlas().region_at("posterior", 0.62, 0.21)
    assert expected is not None
    assert expected.side == "right"  # posterior view: the viewer's right is the client's right
    with db.read() as session:
        visit = get_visit(session, "v-9")
        assert visit.client.first_name == "Zoë"
        assert visit.provider is not None
        assert visit.provider.npi == "1234567893"
        (mark,) = visit.marks
        assert (mark.region_id, mark.side) == (expected.id, "right")
        assert visit.client.claims[0].claim_number == "A-77"
        assert visit.client.referrals[0].icd10_codes == ["M54.2", "S13.4XXD"]
        assert visit.billing_lines[0].minutes == 38


def test_an_existing_client_is_refused_unless_replaced(db: Database) -> None:
    _import(db, PRODUCT_EXAMPLE)
    changed = copy.deepcopy(PRODUCT_EXAMPLE)
    changed["clients"][0]["last_name"] = "Martín"
    with pytest.raises(ChartFileError, match="already in this database"):
        _import(db, changed)
    _import(db, changed, replace=True)
    with db.read() as session:
        assert session.scalars(select(Client.last_name)).all() == ["Martín"]


def test_replace_never_removes_signed_notes(db: Database) -> None:
    signed = copy.deepcopy(PRODUCT_EXAMPLE)
    signed["clients"][0]["visits"][0]["signed_at"] = "2026-11-20T11:05:00"
    _import(db, signed)
    with pytest.raises(ChartFileError, match="signed notes are never replaced"):
        _import(db, PRODUCT_EXAMPLE, replace=True)
    with db.read() as session:
        assert get_visit(session, "v-9").is_signed


def test_replace_never_removes_what_the_client_reported(db: Database) -> None:
    from massage_chart.storage.models import PainMapRecord
    from massage_chart.storage.pain_maps import record_pain_map

    _import(db, PRODUCT_EXAMPLE)
    client_id = PRODUCT_EXAMPLE["clients"][0]["id"]
    with db.write() as session:
        record_pain_map(
            session, client_id, ["anterior:sternum"], taken_on=dt.date(2026, 11, 20),
            source="client",
        )  # fmt: skip
    with pytest.raises(ChartFileError, match="1 pain map of their own"):
        _import(db, PRODUCT_EXAMPLE, replace=True)
    with db.read() as session:
        assert session.scalars(select(PainMapRecord.client_id)).all() == [client_id]


def test_a_tampered_signed_visit_is_imported_with_a_warning(db: Database) -> None:
    _rich_database(db)
    document = json.loads(_export_text(db))
    signed = next(v for c in document["clients"] for v in c["visits"] if v["status"] == "signed")
    assert signed["content_hash"]
    signed["subjective"] = "changed after signing"
    other_document = copy.deepcopy(document)
    for client in other_document["clients"]:
        client["id"] = client["id"] + "-copy"
        for visit in client["visits"]:
            visit["id"] = visit["id"] + "-copy"
            for item in visit["marks"] + visit["addenda"]:
                item["id"] = item["id"] + "-copy"
        for sheet in client["outcomes"] + client["pain_maps"]:
            for key in ("id", "visit_id", "replaces_id"):
                if sheet[key]:
                    sheet[key] = sheet[key] + "-copy"
    with db.write() as session:
        report = import_chart(session, other_document)
    assert any("does not match its signature" in w for w in report.warnings)


NEWER_FORMAT = f"{FORMAT_FAMILY}{int(FORMAT.removeprefix(FORMAT_FAMILY)) + 1}"


def _mutate(path: str, value: Any) -> dict[str, Any]:
    document = copy.deepcopy(PRODUCT_EXAMPLE)
    target: Any = document
    keys = path.split("/")
    for key in keys[:-1]:
        target = target[int(key)] if key.isdigit() else target[key]
    last = keys[-1]
    if last.isdigit():
        target[int(last)] = value
    else:
        target[last] = value
    return document


BAD_DOCUMENTS = [
    (_mutate("clients/0/visits/0/pain_before", 11), "greater than the maximum"),
    (_mutate("clients/0/date_of_birth", "2026-02-30"), "not a real date"),
    (_mutate("clients/0/date_of_birth", "2999-01-01"), "in the future"),
    (_mutate("clients/0/visits/0/end", "2026-11-20T09:00:00"), "ends"),
    (_mutate("clients/0/visits/0/start", "yesterday"), "not a real date and time"),
    (_mutate("clients/0/visits/0/marks/0/kind", "tickle"), "tickle"),
    (_mutate("clients/0/visits/0/marks/0/view", "dorsal"), "Unknown atlas view"),
    (_mutate("clients/0/visits/0/marks/0/points", [[1.5, 0.2]]), "greater than the maximum"),
    (_mutate("clients/0/visits/0/marks/0/points", [[0.5, 0.2], [0.6, 0.3]]), "one point"),
    (_mutate("clients/0/visits/0/billing/0/cpt", "97140'; DROP TABLE visits;--"), "does not match"),
    (_mutate("clients/0/first_name", "Zo\x00ë"), "NUL"),
    (_mutate("clients/0/visits/0/claim_id", "someone-elses-claim"), "not one of this client's"),
    (_mutate("format", NEWER_FORMAT), "newer version"),
    (_mutate("format", "vcard"), "not a Massage Chart chart file"),
    (_mutate("clients", {"not": "a list"}), "is not of type 'array'"),
]


@pytest.mark.parametrize(("document", "message"), BAD_DOCUMENTS)
def test_a_bad_chart_file_is_refused_whole_with_a_reason(
    db: Database, document: dict[str, Any], message: str
) -> None:
    extra = copy.deepcopy(PRODUCT_EXAMPLE["clients"][0])
    extra["id"] = "c-first"
    for visit in extra["visits"]:
        visit["id"] = "v-first"
    document = copy.deepcopy(document)
    if isinstance(document.get("clients"), list):
        document["clients"].insert(0, extra)  # a good client before the bad one is not kept
    with pytest.raises(ChartFileError, match=message):
        _import(db, parse_chart_text(json.dumps(document)))
    assert _count_clients(db) == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "broken JSON"),
        (b'{"format": "massage-chart/1", "clients": [', "broken JSON at line 1"),
        (b"[1, 2, 3]", "not a Massage Chart chart file"),
        (b"\xff\xfe\x00garbage", "not UTF-8"),
        (b"[" * 100_000 + b"]" * 100_000, "chart file"),
    ],
)
def test_malformed_and_truncated_files(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "chart.json"
    path.write_bytes(content)
    with pytest.raises(ChartFileError, match=message):
        read_chart_file(path)


def test_a_truncated_export_is_refused(db: Database, tmp_path: Path) -> None:
    _rich_database(db)
    text = _export_text(db).encode("utf-8")
    path = tmp_path / "cut.json"
    path.write_bytes(text[: len(text) // 2])
    with pytest.raises(ChartFileError, match="broken JSON"):
        read_chart_file(path)


def test_a_200_mb_file_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.json"
    with open(path, "wb") as handle:
        handle.truncate(200 * 1024 * 1024)  # sparse: costs no disk
    with pytest.raises(ChartFileError, match="200 MB"):
        read_chart_file(path)


def test_ids_that_clash_with_other_records_are_refused(db: Database) -> None:
    _rich_database(db)
    document = json.loads(_export_text(db))
    for client in document["clients"]:
        client["id"] = client["id"] + "-copy"  # new clients, but their visits' ids already exist
    before = _count_clients(db)
    with pytest.raises(ChartFileError, match="conflicts with records already in this database"):
        _import(db, document)
    assert _count_clients(db) == before


def test_a_missing_file_says_so(tmp_path: Path) -> None:
    with pytest.raises(ChartFileError, match="Cannot read"):
        read_chart_file(tmp_path / "nope.json")


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300))
def test_any_text_is_parsed_or_refused_cleanly(text: str) -> None:
    with contextlib.suppress(ChartFileError):
        parse_chart_text(text)


class _RollBackError(Exception):
    """Ends a write session without keeping what it did."""


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    client=st.fixed_dictionaries(
        {"first_name": st.text(max_size=20), "last_name": st.text(max_size=20)},
        optional=dict.fromkeys(
            set(PRODUCT_EXAMPLE["clients"][0]) - {"first_name", "last_name"}, JSON_VALUES
        ),
    )
)
def test_any_client_shape_is_imported_or_refused_cleanly(
    db: Database, client: dict[str, Any]
) -> None:
    """Whatever the file holds, the import either succeeds or says why; it never crashes."""
    try:
        document = parse_chart_text(json.dumps({"format": "massage-chart/1", "clients": [client]}))
    except ChartFileError:
        return
    with contextlib.suppress(ChartFileError, _RollBackError), db.write() as session:
        import_chart(session, document)
        raise _RollBackError
    assert _count_clients(db) == 0


def test_a_chart_moves_from_sqlite_to_postgresql_unchanged(db: Database, pg_db: Database) -> None:
    _rich_database(db)
    first = _export_text(db)
    _import(pg_db, json.loads(first))
    assert _without_provenance(_export_text(pg_db)) == first


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(path=st.sampled_from(_paths(PRODUCT_EXAMPLE)), value=JSON_VALUES)
def test_any_single_field_gone_wrong_is_imported_or_refused_cleanly(
    db: Database, path: tuple[Any, ...], value: Any
) -> None:
    document = copy.deepcopy(PRODUCT_EXAMPLE)
    target: Any = document
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    try:
        parsed = parse_chart_text(json.dumps(document))
    except ChartFileError:
        return
    with contextlib.suppress(ChartFileError, _RollBackError), db.write() as session:
        import_chart(session, parsed)
        raise _RollBackError
    assert _count_clients(db) == 0


def test_the_supervisor_named_on_a_student_s_draft_travels(db: Database, tmp_path: Path) -> None:
    provider_id = _provider(db)
    ids = _clients(db)
    with db.write() as session:
        visit = Visit(
            client_id=ids["Zoë"], provider_id=provider_id, start=dt.datetime(2026, 11, 30, 9),
            supervisor_id=provider_id,
        )  # fmt: skip
        session.add(visit)
        session.flush()
        visit_id = visit.id
    document = json.loads(_export_text(db))
    (sent,) = [v for c in document["clients"] for v in c["visits"] if v["id"] == visit_id]
    assert sent["supervisor_id"] == provider_id
    other = open_database(str(tmp_path / "other.db"))
    try:
        _import(other, document)
        with other.read() as session:
            assert get_visit(session, visit_id).supervisor_id == provider_id
        sent["supervisor_id"] = "nobody"
        with pytest.raises(ChartFileError, match="supervisor_id"):
            _import(open_database(str(tmp_path / "third.db")), document)
    finally:
        other.dispose()
