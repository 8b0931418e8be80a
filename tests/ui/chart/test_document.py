"""The chart document: every edit is one undo step, committed at once, and undo restores the
database; a refused write leaves the chart and the database alike."""

from __future__ import annotations

import datetime as dt

from pytestqt.qtbot import QtBot

from massage_chart.domain.comparison import ChangeKind
from massage_chart.domain.marks import MarkData, MarkKind
from massage_chart.storage import marks as store
from massage_chart.storage.database import Database
from massage_chart.storage.repositories import get_visit
from massage_chart.storage.signing import sign_visit
from massage_chart.ui.chart.visit_document import ChartDocument
from tests.ui.chart.conftest import Course, inner


def _stored(db: Database, visit_id: str) -> dict[str, MarkData]:
    with db.read() as session:
        return {m.id: m for m in store.list_marks(session, visit_id)}


def test_add_edit_move_delete_each_commit_and_undo_restores(
    qtbot: QtBot, db: Database, course: Course
) -> None:
    document = ChartDocument(db, course.today_visit_id)
    with qtbot.waitSignal(document.mark_added):
        mark_id = document.add_mark(
            MarkKind.TRIGGER_POINT_ACTIVE,
            "posterior",
            [inner("posterior", "upper_trapezius.l")],
            intensity=6,
        )
    assert mark_id is not None
    assert _stored(db, course.today_visit_id) == document.marks
    snapshots = [_stored(db, course.today_visit_id)]

    document.edit_marks([mark_id], intensity=4, note="less referral")
    snapshots.append(_stored(db, course.today_visit_id))
    document.move_marks({mark_id: [inner("posterior", "middle_trapezius.l")]})
    snapshots.append(_stored(db, course.today_visit_id))
    assert document.marks[mark_id].region_id == "middle_trapezius.l"
    document.delete_marks([mark_id])
    assert _stored(db, course.today_visit_id) == {} == document.marks
    assert document.undo_stack.count() == 4

    for expected in reversed(snapshots):
        document.undo_stack.undo()
        assert _stored(db, course.today_visit_id) == expected == document.marks
    document.undo_stack.undo()
    assert _stored(db, course.today_visit_id) == {}
    for _ in range(4):
        document.undo_stack.redo()
    assert _stored(db, course.today_visit_id) == {}
    document.undo_stack.undo()
    assert _stored(db, course.today_visit_id) == snapshots[-1] == document.marks


def test_multi_select_edit_is_one_undo_step(qtbot: QtBot, db: Database, course: Course) -> None:
    document = ChartDocument(db, course.today_visit_id)
    ids = [
        document.add_mark(MarkKind.PAIN, "anterior", [inner("anterior", region)], intensity=5)
        for region in ("pec_major.r", "pec_major.l", "biceps.r")
    ]
    document.edit_marks([i for i in ids if i], intensity=2)
    assert {m.intensity for m in _stored(db, course.today_visit_id).values()} == {2}
    assert document.undo_stack.count() == 4
    document.undo_stack.undo()
    assert {m.intensity for m in _stored(db, course.today_visit_id).values()} == {5}


def test_ghosts_copy_forward_and_changes(qtbot: QtBot, db: Database, course: Course) -> None:
    document = ChartDocument(db, course.today_visit_id)
    assert {m.kind for m in document.previous} == {
        MarkKind.TRIGGER_POINT_ACTIVE,
        MarkKind.SPASM,
        MarkKind.AVOID,
    }
    assert [m.region_id for m in document.standing_avoid] == ["popliteal.l"]
    assert document.copy_forward() == 3
    stored = _stored(db, course.today_visit_id)
    assert len(stored) == 3 and not any(m.confirmed for m in stored.values())
    assert {m.carried_from_id for m in stored.values()} == {m.id for m in document.previous}
    assert document.copy_forward() == 0  # nothing left to carry

    trp = next(m for m in document.marks.values() if m.kind is MarkKind.TRIGGER_POINT_ACTIVE)
    spasm = next(m for m in document.marks.values() if m.kind is MarkKind.SPASM)
    document.edit_marks([trp.id], intensity=5, confirmed=True)
    document.delete_marks([spasm.id])  # resolved
    changes = [(c.change, c.kind, c.before, c.after, c.after_id) for c in document.changes()]
    assert changes == [
        (ChangeKind.BETTER, MarkKind.TRIGGER_POINT_ACTIVE, 7, 5, trp.id),
        (ChangeKind.RESOLVED, MarkKind.SPASM, 5, None, ""),
    ]
    document.undo_stack.undo()
    document.undo_stack.undo()
    document.undo_stack.undo()  # the copy forward, as one step
    assert _stored(db, course.today_visit_id) == {}


def test_signed_visit_is_read_only(qtbot: QtBot, db: Database, course: Course) -> None:
    document = ChartDocument(db, course.last_visit_id)
    assert document.read_only
    with qtbot.waitSignal(document.problem_reported):
        assert document.add_mark(MarkKind.PAIN, "posterior", [(0.5, 0.3)], intensity=3) is None
    assert document.undo_stack.count() == 0


def test_signed_behind_the_charts_back_leaves_no_phantom(
    qtbot: QtBot, db: Database, course: Course
) -> None:
    document = ChartDocument(db, course.today_visit_id)
    mark_id = document.add_mark(
        MarkKind.PAIN, "posterior", [inner("posterior", "lower_trapezius.r")]
    )
    assert mark_id is not None
    with db.write() as session:
        sign_visit(get_visit(session, course.today_visit_id), course.provider_id, dt.datetime.now())
    with qtbot.waitSignal(document.problem_reported) as blocker:
        assert (
            document.add_mark(MarkKind.PAIN, "posterior", [inner("posterior", "lower_trapezius.l")])
            is None
        )
    assert "signed" in blocker.args[0]
    assert document.read_only
    assert list(document.marks) == [mark_id] == list(_stored(db, course.today_visit_id))
    document.read_only = False  # pretend the window missed it: the database still refuses
    with qtbot.waitSignal(document.problem_reported):
        document.undo_stack.undo()
    assert list(document.marks) == [mark_id] == list(_stored(db, course.today_visit_id))
