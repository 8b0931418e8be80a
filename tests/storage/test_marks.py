"""Mark persistence on a real database: add, edit, move, delete, previous visit, standing avoid."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

import pytest
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select

from massage_chart.atlas import load_atlas
from massage_chart.domain.comparison import ChangeKind, compare_findings
from massage_chart.domain.marks import MARK_FIELDS, SEALED_MARK_FIELDS, MarkData, MarkKind
from massage_chart.domain.placement import PlacementError
from massage_chart.storage import marks as store
from massage_chart.storage.client_records import update_visit_note, visit_findings
from massage_chart.storage.database import Database
from massage_chart.storage.guards import SignedVisitError
from massage_chart.storage.marks import MarkError
from massage_chart.storage.models import AuditEvent, Mark, Provider
from massage_chart.storage.repositories import NotFoundError, add_client, create_visit, get_visit
from massage_chart.storage.signing import sign_visit

ATLAS = load_atlas()


@dataclass(frozen=True)
class Course:
    provider_id: str
    client_id: str
    visit_ids: tuple[str, ...]


@pytest.fixture
def course(db: Database) -> Course:
    """A client with three draft visits a week apart."""
    return _new_course(db)


def _new_course(db: Database) -> Course:
    with db.write() as session:
        provider = Provider(first_name="Sam", last_name="Lee", credentials="LMT")
        session.add(provider)
        session.flush()
        client = add_client(session, first_name="Zoë", last_name="Nguyễn")
        visits = [
            create_visit(
                session,
                client.id,
                provider_id=provider.id,
                start=dt.datetime(2026, 11, 2 + 7 * i, 10, 0),
            ).id
            for i in range(3)
        ]
        return Course(provider.id, client.id, tuple(visits))


def _at(view: str, region_id: str) -> tuple[float, float]:
    return ATLAS.region(view, region_id).inner_point


def _add(db: Database, visit_id: str, kind: MarkKind, view: str, region: str, **f: object) -> str:
    data = store.place_mark(ATLAS, visit_id, kind, view, [_at(view, region)], **f)  # type: ignore[arg-type]
    with db.write() as session:
        store.add_mark(session, data)
    return data.id


def test_place_mark_names_region_and_client_side() -> None:
    x, y = _at("posterior", "upper_trapezius.r")
    data = store.place_mark(
        ATLAS, "v", MarkKind.TRIGGER_POINT_ACTIVE, "posterior", [(x, y)], intensity=7
    )
    assert data.region_id == "upper_trapezius.r"
    assert data.side == "right"
    assert data.intensity == 7
    area = store.place_mark(ATLAS, "v", MarkKind.TREATED, "anterior", [(x, y)], whole_region=True)
    assert area.whole_region and len(area.points) == 1


def test_place_mark_refuses_what_does_not_fit() -> None:
    with pytest.raises(PlacementError):
        store.place_mark(ATLAS, "v", MarkKind.HYPERTONICITY, "posterior", [(0.5, 0.2)])
    with pytest.raises(MarkError, match="no intensity"):
        store.place_mark(
            ATLAS, "v", MarkKind.SCAR, "posterior", [(0.5, 0.2), (0.5, 0.3)], intensity=3
        )
    with pytest.raises(MarkError, match="0 to 10"):
        store.place_mark(ATLAS, "v", MarkKind.PAIN, "posterior", [(0.5, 0.2)], intensity=11)


def test_add_update_move_delete_round_trip(db: Database, course: Course) -> None:
    visit_id = course.visit_ids[0]
    mark_id = _add(
        db, visit_id, MarkKind.TRIGGER_POINT_ACTIVE, "posterior", "upper_trapezius.r", intensity=7
    )
    with db.read() as session:
        (stored,) = store.list_marks(session, visit_id)
    assert (
        stored.id == mark_id and stored.region_id == "upper_trapezius.r" and stored.intensity == 7
    )

    with db.write() as session:
        changed = store.update_mark(session, mark_id, intensity=5, note="refers to temple")
    assert changed.intensity == 5 and changed.note == "refers to temple"

    with db.write() as session:
        moved = store.move_mark(session, ATLAS, mark_id, [_at("posterior", "middle_trapezius.l")])
    assert (moved.region_id, moved.side) == ("middle_trapezius.l", "left")

    with db.write() as session:
        store.delete_mark(session, mark_id)
    with db.read() as session:
        assert store.list_marks(session, visit_id) == []
        details = session.scalars(select(AuditEvent.detail)).all()
    assert any("mark added" in d for d in details) and any("mark removed" in d for d in details)


def test_re_adding_keeps_the_same_row(db: Database, course: Course) -> None:
    visit_id = course.visit_ids[0]
    mark_id = _add(db, visit_id, MarkKind.PAIN, "anterior", "pec_major.l", intensity=4)
    with db.read() as session:
        (before,) = store.list_marks(session, visit_id)
    with db.write() as session:
        store.delete_mark(session, mark_id)
    with db.write() as session:
        store.add_mark(session, before)
    with db.read() as session:
        assert store.list_marks(session, visit_id) == [before]


def test_unknown_mark_and_bad_field_are_refused(db: Database, course: Course) -> None:
    with db.write() as session, pytest.raises(NotFoundError):
        store.update_mark(session, "nope", note="x")
    mark_id = _add(
        db,
        course.visit_ids[0],
        MarkKind.TREATED,
        "posterior",
        "lower_trapezius.r",
        whole_region=True,
    )
    with db.write() as session, pytest.raises(MarkError):
        store.update_mark(session, mark_id, region_id="anything")
    with db.write() as session, pytest.raises(MarkError, match="Walton"):
        store.update_mark(session, mark_id, pressure=6)


def test_signed_visit_marks_cannot_change(db: Database, course: Course) -> None:
    visit_id = course.visit_ids[0]
    mark_id = _add(
        db, visit_id, MarkKind.SPASM, "posterior", "lower_trapezius.l", whole_region=True
    )
    with db.write() as session:
        sign_visit(get_visit(session, visit_id), course.provider_id, dt.datetime(2026, 11, 2, 12))
    data = store.place_mark(
        ATLAS, visit_id, MarkKind.PAIN, "posterior", [_at("posterior", "lower_trapezius.l")]
    )
    with pytest.raises(SignedVisitError), db.write() as session:
        store.add_mark(session, data)
    with pytest.raises(SignedVisitError), db.write() as session:
        store.update_mark(session, mark_id, note="late")
    with pytest.raises(SignedVisitError), db.write() as session:
        store.delete_mark(session, mark_id)
    with db.read() as session:
        assert [m.id for m in session.scalars(select(Mark))] == [mark_id]


def test_previous_visit_and_its_marks(db: Database, course: Course) -> None:
    first, second, third = course.visit_ids
    _add(db, first, MarkKind.TRIGGER_POINT_ACTIVE, "posterior", "upper_trapezius.r", intensity=7)
    with db.read() as session:
        assert store.previous_visit(session, first) is None
        previous = store.previous_visit(session, third)
        assert previous is not None and previous.id == second
        assert [m.region_id for m in store.previous_marks(session, second)] == ["upper_trapezius.r"]


def test_standing_avoid_areas_carry_until_resolved(db: Database, course: Course) -> None:
    first, second, third = course.visit_ids
    avoid = _add(db, first, MarkKind.AVOID, "posterior", "popliteal.l", whole_region=True)
    _add(db, first, MarkKind.PAIN, "posterior", "lower_trapezius.r", intensity=3)
    with db.read() as session:
        assert [m.id for m in store.standing_avoid_areas(session, second)] == [avoid]
        assert [m.id for m in store.standing_avoid_areas(session, third)] == [avoid]
        assert store.standing_avoid_areas(session, first) == []
        marks_one = store.list_marks(session, first)
    # The second visit copies forward only the pain mark: the avoid area was resolved there.
    pain = [m for m in marks_one if m.kind is MarkKind.PAIN]
    with db.write() as session:
        for copy in store.carry_forward(pain, second):
            store.add_mark(session, copy)
    with db.read() as session:
        assert store.standing_avoid_areas(session, third) == []
        assert store.standing_avoid_areas(session, second) == []


def test_carried_avoid_area_stands_through_its_copy(db: Database, course: Course) -> None:
    first, second, third = course.visit_ids
    _add(db, first, MarkKind.AVOID, "anterior", "sternocleidomastoid.r", whole_region=True)
    with db.read() as session:
        marks_one = store.list_marks(session, first)
    with db.write() as session:
        (copy,) = store.carry_forward(marks_one, second)
        store.add_mark(session, copy)
    with db.read() as session:
        assert [m.id for m in store.standing_avoid_areas(session, third)] == [copy.id]
        assert store.standing_avoid_areas(session, second) == []


def test_changes_since_last_visit(db: Database, course: Course) -> None:
    first, second, _ = course.visit_ids
    _add(db, first, MarkKind.TRIGGER_POINT_ACTIVE, "posterior", "upper_trapezius.r", intensity=7)
    _add(
        db, first, MarkKind.SPASM, "posterior", "lower_trapezius.l", whole_region=True, intensity=5
    )
    _add(db, first, MarkKind.TENDER_POINT, "posterior", "middle_trapezius.r", intensity=4)
    with db.read() as session:
        previous = store.list_marks(session, first)
    with db.write() as session:
        copies = store.carry_forward(previous, second)
        for copy in copies:
            if copy.kind is MarkKind.TRIGGER_POINT_ACTIVE:
                store.add_mark(session, copy.replace(intensity=5))
            elif copy.kind is MarkKind.TENDER_POINT:
                store.add_mark(session, copy.replace(intensity=6))
    _add(db, second, MarkKind.PAIN, "posterior", "lumbar_erector.r", intensity=3)
    _add(db, second, MarkKind.TREATED, "posterior", "lower_trapezius.r", whole_region=True)
    with db.read() as session:
        current = store.list_marks(session, second)
        assert [f.mark_id for f in visit_findings(session, second)] == [m.id for m in current]
    changes = compare_findings(
        [store.as_finding(m) for m in previous], [store.as_finding(m) for m in current]
    )
    copies = {m.kind: m.id for m in copies}
    pain = next(m.id for m in current if m.kind is MarkKind.PAIN)
    assert [(c.change, c.kind, c.before, c.after, c.after_id) for c in changes] == [
        (ChangeKind.NEW, MarkKind.PAIN, None, 3, pain),
        (ChangeKind.WORSE, MarkKind.TENDER_POINT, 4, 6, copies[MarkKind.TENDER_POINT]),
        (
            ChangeKind.BETTER,
            MarkKind.TRIGGER_POINT_ACTIVE,
            7,
            5,
            copies[MarkKind.TRIGGER_POINT_ACTIVE],
        ),
        (ChangeKind.RESOLVED, MarkKind.SPASM, 5, None, ""),
    ]


def test_a_mark_note_too_long_or_with_a_nul_is_refused_and_nothing_changes(
    db: Database, course: Course
) -> None:
    from massage_chart.storage.repositories import FieldRefusedError

    visit_id = course.visit_ids[0]
    mark_id = _add(db, visit_id, MarkKind.TRIGGER_POINT_ACTIVE, "posterior", "upper_trapezius.r",
                   intensity=7, note="tender")  # fmt: skip
    for bad in ("x" * 100_001, "tender\x00spot"):
        with pytest.raises(FieldRefusedError), db.write() as session:
            store.update_mark(session, mark_id, note=bad)
    with pytest.raises(FieldRefusedError):
        _add(db, visit_id, MarkKind.TRIGGER_POINT_ACTIVE, "posterior", "upper_trapezius.l",
             note="\x00")  # fmt: skip
    with db.read() as session:
        assert [m.note for m in store.list_marks(session, visit_id)] == ["tender"]


def _read(db: Database, visit_id: str) -> tuple[int, dict[str, MarkData]]:
    with db.read() as session:
        version = store.marks_version(session, visit_id)
        return version, {m.id: m for m in store.list_marks(session, visit_id)}


def test_a_chart_write_is_refused_when_its_marks_changed_elsewhere(
    db: Database, course: Course
) -> None:
    visit = course.visit_ids[0]
    mark = _add(
        db, visit, MarkKind.TRIGGER_POINT_ACTIVE, "posterior", "lower_trapezius.l", intensity=7
    )
    held = _read(db, visit)  # what one window holds
    with db.write() as session:  # another window raises the intensity
        store.update_mark(session, mark, intensity=9)

    with pytest.raises(store.ChartChangedElsewhereError, match="changed elsewhere"):
        store.write_unless_changed(db, visit, held, store.delete_mark, mark)

    version, marks = _read(db, visit)
    assert marks[mark].intensity == 9  # nothing was written over the other window's change
    assert version > held[0]


def test_a_chart_write_goes_ahead_when_only_the_note_moved_the_version(
    db: Database, course: Course
) -> None:
    visit = course.visit_ids[0]
    mark = _add(
        db, visit, MarkKind.TRIGGER_POINT_ACTIVE, "posterior", "lower_trapezius.l", intensity=7
    )
    held = _read(db, visit)
    with db.write() as session:
        update_visit_note(session, visit, subjective="Neck stiff after driving")
    assert _read(db, visit)[0] > held[0]  # the note's write moved the version on

    changed, version = store.write_unless_changed(
        db, visit, held, store.update_mark, mark, intensity=4
    )

    assert changed.intensity == 4
    assert _read(db, visit) == (version, {mark: changed})


def test_every_declared_mark_field_is_a_column_and_the_seal_covers_what_it_always_did() -> None:
    """The rows are read field by declared field, and the signature seals the declared subset:
    the same twelve fields every hash version sealed (a change here would unseal signed notes)."""
    columns = {column.key for column in sa_inspect(Mark).column_attrs}
    assert set(MARK_FIELDS) <= columns
    assert SEALED_MARK_FIELDS == (
        "id", "kind", "view", "points", "region_id", "side",
        "intensity", "deep_muscle", "technique", "minutes", "pressure", "note",
    )  # fmt: skip


def test_an_area_across_muscles_is_named_after_each_in_the_note_and_the_documents(
    db: Database, course: Course
) -> None:
    from massage_chart.export.snapshot import load_visit_snapshot

    visit = course.visit_ids[0]
    across = [(0.52, 0.17), (0.62, 0.17), (0.62, 0.25), (0.52, 0.25)]
    data = store.place_mark(ATLAS, visit, MarkKind.TREATED, "posterior", across, minutes=10)
    with db.write() as session:
        store.add_mark(session, data)
    with db.read() as session:
        (finding,) = visit_findings(session, visit)
        (printed,) = load_visit_snapshot(session, visit).marks
    assert finding.region_label == printed.location
    assert "R lower trapezius" in printed.location and " and " in printed.location
    assert finding.other_regions  # the alerts check the others too


def _standing_by_the_rule(history: list[list[MarkData]], index: int) -> list[str]:
    """The rule as the therapist states it, over every mark of every visit up to ``index``: an
    earlier area to avoid stands unless a visit since (or this one) carried it forward, or was
    copied forward from its visit without it."""
    copies = [m for visit in history[: index + 1] for m in visit if m.carried_from_id]
    visit_of = {m.id: m.visit_id for visit in history[:index] for m in visit}
    carried = {m.carried_from_id for m in copies}
    copied_from = {visit_of.get(m.carried_from_id or "") for m in copies}
    return [
        m.id
        for visit in history[:index]
        for m in sorted(visit, key=lambda m: m.created_at)
        if m.kind is MarkKind.AVOID and m.id not in carried and m.visit_id not in copied_from
    ]


@pytest.mark.parametrize("seed", range(4))
def test_standing_avoid_areas_follow_the_rule_over_a_long_random_history(
    db: Database, seed: int
) -> None:
    """Visits with areas to avoid and other marks, each copying forward a random part of the
    one before (or nothing): at every visit the standing areas are those the rule names."""
    rng = random.Random(seed)
    regions = [("posterior", "popliteal.l"), ("anterior", "sternocleidomastoid.r")]
    regions += [("posterior", "lower_trapezius.r"), ("posterior", "upper_trapezius.r")]
    with db.write() as session:
        provider = Provider(first_name="Sam", last_name="Lee", credentials="LMT")
        session.add(provider)
        session.flush()
        client = add_client(session, first_name="Amal", last_name="Haddad")
        other = add_client(session, first_name="Li", last_name="Wei")
        visit_ids = [
            create_visit(
                session, client.id, provider_id=provider.id, start=dt.datetime(2026, 1, 5 + i, 10)
            ).id
            for i in range(14)
        ]
        other_visit = create_visit(
            session, other.id, provider_id=provider.id, start=dt.datetime(2026, 1, 9, 10)
        ).id
    _add(db, other_visit, MarkKind.AVOID, "posterior", "popliteal.l", whole_region=True)
    history: list[list[MarkData]] = []
    for visit_id in visit_ids:
        with db.write() as session:
            if history and rng.random() < 0.7:
                kept = [m for m in history[-1] if rng.random() < 0.6]
                for copy in store.carry_forward(kept, visit_id):
                    store.add_mark(session, copy)
        for _ in range(rng.randrange(3)):
            view, region = rng.choice(regions)
            kind = rng.choice([MarkKind.AVOID, MarkKind.AVOID, MarkKind.PAIN])
            extra = {"whole_region": True} if kind is MarkKind.AVOID else {"intensity": 4}
            _add(db, visit_id, kind, view, region, **extra)
        with db.read() as session:
            history.append(store.list_marks(session, visit_id))

    with db.read() as session:
        found = [[m.id for m in store.standing_avoid_areas(session, v)] for v in visit_ids]
    assert found == [_standing_by_the_rule(history, i) for i in range(len(visit_ids))]
    assert sum(bool(ids) for ids in found) >= 3  # the history has areas that stand


def test_a_chart_write_gives_the_version_it_stored_so_the_next_write_goes_straight_ahead(
    any_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The version a write returns is the visit's as stored after it (taken from the write's own
    UPDATE, not read again): the chart's next write finds it unchanged and reads no marks."""
    visit = _new_course(any_db).visit_ids[0]
    held = _read(any_db, visit)
    read_marks = store.list_marks
    for _ in range(3):
        data = store.place_mark(
            ATLAS, visit, MarkKind.PAIN, "posterior",
            [ATLAS.region("posterior", "lower_trapezius.l").inner_point],
        )  # fmt: skip
        # The write may not take the path for a version moved on (it reads every mark).
        monkeypatch.setattr(store, "list_marks", lambda *_: pytest.fail("marks read again"))
        _added, version = store.write_unless_changed(any_db, visit, held, store.add_mark, data)
        monkeypatch.setattr(store, "list_marks", read_marks)
        stored = _read(any_db, visit)
        assert version == stored[0] > held[0]
        assert data.id in stored[1]
        held = (version, stored[1])


def test_the_standing_areas_to_avoid_are_read_by_index_not_by_scanning_every_mark(
    db: Database, course: Course
) -> None:
    """What a chart opening reads of the client's past is found through the client's visits: a
    query that scanned every mark of the practice took three seconds a chart in a ten-year
    clinic (1.4 million marks) and grew with every client's charting, not this one's."""
    from sqlalchemy import event

    first, second, third = course.visit_ids
    _add(db, first, MarkKind.AVOID, "posterior", "popliteal.l", whole_region=True)
    with db.read() as session:
        marks_one = store.list_marks(session, first)
    with db.write() as session:
        for copy in store.carry_forward(marks_one, second):
            store.add_mark(session, copy)
    with db.write() as session:  # other clients' marks, so that a scan would have rows to read
        other = add_client(session, first_name="Łukasz", last_name="Wróbel")
        elsewhere = create_visit(
            session, other.id, provider_id=course.provider_id, start=dt.datetime(2026, 11, 1, 9)
        ).id
    _add(db, elsewhere, MarkKind.AVOID, "posterior", "popliteal.r", whole_region=True)

    statements: list[tuple[str, object]] = []

    def seen(_conn, _cursor, statement, parameters, *_args) -> None:  # type: ignore[no-untyped-def]
        statements.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        with db.read() as session:
            standing = store.standing_avoid_areas(session, third)
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    assert [m.carried_from_id for m in standing] == [marks_one[0].id]  # the copy stands for it
    with db.engine.connect() as connection:
        raw = connection.connection.driver_connection
        assert raw is not None
        plans = [
            row[3]
            for statement, parameters in statements
            if statement.lstrip().upper().startswith("SELECT")
            for row in raw.execute("EXPLAIN QUERY PLAN " + statement, parameters)
        ]
    assert plans and not [step for step in plans if step.startswith("SCAN")], plans
