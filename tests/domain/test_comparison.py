"""Findings compared with the previous visit: the matching rule, its wording, and every road to it."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from random import Random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pytestqt.qtbot import QtBot

from massage_chart.atlas import load_atlas
from massage_chart.domain.comparison import (
    ChangeKind,
    FindingChange,
    change_line,
    compare_findings,
    describe_changes,
)
from massage_chart.domain.findings import MarkFinding
from massage_chart.domain.marks import MarkKind, Side
from massage_chart.domain.soap import draft_changes
from massage_chart.export.service import DocumentKind, read_snapshot, render
from massage_chart.storage import marks as store
from massage_chart.storage.client_records import previous_visit_findings, visit_findings
from massage_chart.storage.database import Database
from massage_chart.storage.models import Provider
from massage_chart.storage.repositories import add_client, create_visit
from massage_chart.ui.chart.window import VisitChartWindow
from massage_chart.ui.note.editor import VisitNoteEditor
from tests.export.pdftext import all_text, flat

K = MarkKind
R, L, MID = Side.RIGHT, Side.LEFT, Side.MIDLINE
C = ChangeKind


def mark(
    kind: MarkKind,
    region_id: str,
    label: str,
    side: Side,
    intensity: int | None = None,
    *,
    mark_id: str = "",
    carried_from_id: str | None = None,
) -> MarkFinding:
    return MarkFinding(
        kind,
        region_id,
        label,
        side,
        intensity,
        mark_id=mark_id,
        carried_from_id=carried_from_id,
    )


def trapezius_tp(
    intensity: int | None, mark_id: str = "", carried_from_id: str | None = None
) -> MarkFinding:
    return mark(
        K.TRIGGER_POINT_ACTIVE,
        "upper_trapezius.r",
        "R upper trapezius",
        R,
        intensity,
        mark_id=mark_id,
        carried_from_id=carried_from_id,
    )


def summary(changes: list[FindingChange]) -> list[tuple[ChangeKind, int | None, int | None]]:
    return [(c.change, c.before, c.after) for c in changes]


PREVIOUS = [
    mark(K.TRIGGER_POINT_ACTIVE, "upper_trapezius.r", "R upper trapezius", R, 8),
    mark(K.TRIGGER_POINT_ACTIVE, "upper_trapezius.l", "L upper trapezius", L, 3),
    mark(K.SPASM, "quadratus_lumborum.r", "R quadratus lumborum area", R, 6),
    mark(K.HYPERTONICITY, "lumbar_spine", "Lumbar spine", MID, 4),
    mark(K.TREATED, "upper_trapezius.r", "R upper trapezius", R),
]
CURRENT = [
    mark(K.TRIGGER_POINT_ACTIVE, "upper_trapezius.r", "R upper trapezius", R, 5),
    mark(K.TRIGGER_POINT_ACTIVE, "upper_trapezius.l", "L upper trapezius", L, 4),
    mark(K.TRIGGER_POINT_ACTIVE, "levator_scapulae.l", "L levator scapulae (superior angle)", L, 5),
    mark(K.HYPERTONICITY, "lumbar_spine", "Lumbar spine", MID, 4),
    mark(K.NUMBNESS, "thenar.r", "R thenar eminence & thumb", R, 2),
    mark(K.AVOID, "popliteal.l", "L popliteal fossa", L),
]


def test_changes_since_last_visit_in_order_and_in_words() -> None:
    changes = compare_findings(PREVIOUS, CURRENT)
    assert [(c.change, c.kind, c.region_id, c.side, c.before, c.after) for c in changes] == [
        (C.NEW, K.TRIGGER_POINT_ACTIVE, "levator_scapulae.l", L, None, 5),
        (C.NEW, K.NUMBNESS, "thenar.r", R, None, None),
        (C.WORSE, K.TRIGGER_POINT_ACTIVE, "upper_trapezius.l", L, 3, 4),
        (C.BETTER, K.TRIGGER_POINT_ACTIVE, "upper_trapezius.r", R, 8, 5),
        (C.RESOLVED, K.SPASM, "quadratus_lumborum.r", R, 6, None),
        (C.UNCHANGED, K.HYPERTONICITY, "lumbar_spine", MID, 4, 4),
    ]
    assert (changes[3].delta, changes[3].meaningful) == (-3, True)
    assert (changes[2].delta, changes[2].meaningful) == (1, False)
    assert changes[0].delta is None and not changes[0].meaningful
    assert describe_changes(changes) == (
        "New: active trigger point L levator scapulae (5/10), numbness R thenar eminence & thumb. "
        "Worse: active trigger point L upper trapezius 3/10 → 4/10. "
        "Better: active trigger point R upper trapezius 8/10 → 5/10. "
        "Resolved: spasm R quadratus lumborum area (was 6/10)."
    )
    assert describe_changes(compare_findings(CURRENT, CURRENT)) == ""


def test_two_trigger_points_at_7_and_3_then_one_at_5_the_7_eased_and_the_3_resolved() -> None:
    for previous in ([trapezius_tp(7), trapezius_tp(3)], [trapezius_tp(3), trapezius_tp(7)]):
        changes = compare_findings(previous, [trapezius_tp(5)])
        assert summary(changes) == [(C.BETTER, 7, 5), (C.RESOLVED, 3, None)]
        assert describe_changes(changes) == (
            "Better: active trigger point R upper trapezius 7/10 → 5/10. "
            "Resolved: active trigger point R upper trapezius (was 3/10)."
        )
        assert [change_line(c) for c in changes] == [
            "Better: active trigger point R upper trapezius 7/10 → 5/10",
            "Resolved: active trigger point R upper trapezius (was 3/10)",
        ]


def test_several_marks_on_one_region_pair_by_nearest_intensity() -> None:
    previous = [trapezius_tp(7), trapezius_tp(3)]
    assert summary(compare_findings(previous, [trapezius_tp(4), trapezius_tp(6)])) == [
        (C.WORSE, 3, 4),
        (C.BETTER, 7, 6),
    ]
    assert summary(compare_findings(previous, [trapezius_tp(7)])) == [
        (C.RESOLVED, 3, None),
        (C.UNCHANGED, 7, 7),
    ]
    assert summary(compare_findings([trapezius_tp(5)], [trapezius_tp(5), trapezius_tp(5)])) == [
        (C.NEW, None, 5),
        (C.UNCHANGED, 5, 5),
    ]


def test_a_mark_copied_forward_is_the_finding_it_was_copied_from() -> None:
    previous = [trapezius_tp(7, "a"), trapezius_tp(3, "b")]
    # By intensity the 3 would pair with the 3; the copy of the 7 says the 7 eased to 3.
    changes = compare_findings(previous, [trapezius_tp(3, "c", carried_from_id="a")])
    assert [(c.change, c.before, c.after, c.before_id, c.after_id) for c in changes] == [
        (C.BETTER, 7, 3, "a", "c"),
        (C.RESOLVED, 3, None, "b", ""),
    ]
    # A copy moved to another region is matched like any other mark there.
    moved = mark(K.TRIGGER_POINT_ACTIVE, "levator_scapulae.r", "R levator scapulae", R, 7,
                 mark_id="c", carried_from_id="a")  # fmt: skip
    assert [(c.change, c.region_id) for c in compare_findings(previous[:1], [moved])] == [
        (C.NEW, "levator_scapulae.r"),
        (C.RESOLVED, "upper_trapezius.r"),
    ]
    # A copy of a mark older than the previous visit pairs by place.
    older = trapezius_tp(6, "d", carried_from_id="from-an-earlier-visit")
    assert summary(compare_findings(previous, [older])) == [(C.BETTER, 7, 6), (C.RESOLVED, 3, None)]


def test_left_and_right_are_different_findings() -> None:
    right = mark(K.PAIN, "heel.r", "R heel", R, 5)
    left = mark(K.PAIN, "heel.l", "L heel", L, 5)
    assert [(c.change, c.side) for c in compare_findings([right], [left])] == [
        (C.NEW, L),
        (C.RESOLVED, R),
    ]
    both = compare_findings([right, left], [mark(K.PAIN, "heel.r", "R heel", R, 2), left])
    assert [(c.change, c.side, c.before, c.after) for c in both] == [
        (C.BETTER, R, 5, 2),
        (C.UNCHANGED, L, 5, 5),
    ]


def test_kinds_without_intensity_are_present_or_not() -> None:
    numb = mark(K.NUMBNESS, "thenar.r", "R thenar eminence & thumb", R, 6)
    scar = mark(K.SCAR, "rectus_abdominis_lower.r", "R lower abdomen", R)
    changes = compare_findings([numb, numb], [mark(K.NUMBNESS, "thenar.r", "", R, 2), scar])
    assert [(c.change, c.kind, c.before, c.after) for c in changes] == [
        (C.NEW, K.SCAR, None, None),
        (C.RESOLVED, K.NUMBNESS, None, None),
        (C.UNCHANGED, K.NUMBNESS, None, None),
    ]
    assert describe_changes(changes) == (
        "New: scar R lower abdomen. Resolved: numbness R thenar eminence & thumb."
    )


def test_a_rating_added_or_left_off_is_no_change_of_intensity() -> None:
    changes = compare_findings([trapezius_tp(None)], [trapezius_tp(6)])
    assert summary(changes) == [(C.UNCHANGED, None, 6)]
    assert change_line(changes[0]) == (
        "Unchanged: active trigger point R upper trapezius (6/10; not rated last visit)"
    )
    assert describe_changes(changes) == ""


def test_identical_changes_are_counted_and_off_the_body_is_named() -> None:
    heel = mark(K.PAIN, "heel.r", "R heel", R, 5)
    off_body = mark(K.ACHING, "", "", R, 4)
    assert describe_changes(compare_findings([off_body], [heel, heel])) == (
        "New: pain R heel x2 (5/10). Resolved: aching unspecified area (was 4/10)."
    )


def test_the_notes_sentence_since_last_visit() -> None:
    assert draft_changes([trapezius_tp(7), trapezius_tp(3)], [trapezius_tp(5)]) == (
        "Since last visit: Better: active trigger point R upper trapezius 7/10 → 5/10. "
        "Resolved: active trigger point R upper trapezius (was 3/10)."
    )
    assert draft_changes([trapezius_tp(5)], [trapezius_tp(5)]) == ""


# Properties ----------------------------------------------------------------------------------

_PLACES = [
    (K.TRIGGER_POINT_ACTIVE, "upper_trapezius.r", R),
    (K.TRIGGER_POINT_ACTIVE, "upper_trapezius.l", L),
    (K.NUMBNESS, "thenar.r", R),
    (K.PAIN, "", MID),
    (K.TREATED, "upper_trapezius.r", R),
]


@st.composite
def visits(draw: st.DrawFn) -> tuple[list[MarkFinding], list[MarkFinding]]:
    def findings(prefix: str) -> list[MarkFinding]:
        rows = draw(
            st.lists(
                st.tuples(st.sampled_from(_PLACES), st.none() | st.integers(0, 10)), max_size=7
            )
        )
        return [
            MarkFinding(kind, region, region, side, value, mark_id=f"{prefix}{i}")
            for i, ((kind, region, side), value) in enumerate(rows)
        ]

    previous, current = findings("p"), findings("c")
    origins = draw(st.permutations([m.mark_id for m in previous]))
    carried = draw(st.lists(st.booleans(), min_size=len(current), max_size=len(current)))
    current = [
        MarkFinding(m.kind, m.region_id, m.region_label, m.side, m.intensity, mark_id=m.mark_id,
                    carried_from_id=origins[i] if carry and i < len(origins) else None)
        for i, (m, carry) in enumerate(zip(current, carried, strict=True))
    ]  # fmt: skip
    return previous, current


def _content(changes: list[FindingChange]) -> Counter[tuple[object, ...]]:
    return Counter((c.change, c.kind, c.region_id, c.side, c.before, c.after) for c in changes)


@settings(max_examples=150, deadline=None)
@given(visits(), st.randoms(use_true_random=False))
def test_every_finding_is_accounted_for_once_whatever_the_charting_order(
    pair: tuple[list[MarkFinding], list[MarkFinding]], random: Random
) -> None:
    previous, current = pair
    changes = compare_findings(previous, current)
    findings_before = sorted(m.mark_id for m in previous if m.kind.legend.finding)
    findings_now = sorted(m.mark_id for m in current if m.kind.legend.finding)
    assert sorted(c.before_id for c in changes if c.change is not C.NEW) == findings_before
    assert sorted(c.after_id for c in changes if c.change is not C.RESOLVED) == findings_now
    by_id = {m.mark_id: m for m in [*previous, *current]}
    for change in changes:
        for mark_id in (change.before_id, change.after_id):
            if mark_id:
                found = by_id[mark_id]
                assert (found.kind, found.region_id, found.side) == (
                    change.kind,
                    change.region_id,
                    change.side,
                )
        if change.change in (C.BETTER, C.WORSE):
            assert change.before is not None and change.after is not None
            assert (change.after > change.before) == (change.change is C.WORSE)
    pairs = {(c.before_id, c.after_id) for c in changes}
    for now in current:
        origin = by_id.get(now.carried_from_id or "")
        if (
            origin is not None
            and now.kind.legend.finding
            and (
                (origin.kind, origin.region_id, origin.side) == (now.kind, now.region_id, now.side)
            )
        ):
            assert (origin.mark_id, now.mark_id) in pairs
    assert all(c.change is C.UNCHANGED for c in compare_findings(current, current))

    shuffled_before, shuffled_now = list(previous), list(current)
    random.shuffle(shuffled_before)
    random.shuffle(shuffled_now)
    assert _content(compare_findings(shuffled_before, shuffled_now)) == _content(changes)


# Every road: the chart window, the drafted note, the PDF --------------------------------------


@pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")
def test_the_chart_the_note_and_the_pdf_tell_the_same_change(qtbot: QtBot, db: Database) -> None:
    atlas = load_atlas()
    point = atlas.region("posterior", "upper_trapezius.r").inner_point
    with db.write() as session:
        provider = Provider(first_name="Sam", last_name="Lee", credentials="LMT")
        session.add(provider)
        session.flush()
        client = add_client(session, first_name="Zoë", last_name="Nguyễn")
        before, now = (
            create_visit(session, client.id, provider_id=provider.id, start=start)
            for start in (dt.datetime(2026, 11, 16, 10), dt.datetime(2026, 11, 23, 10))
        )
        for visit_id, intensity in ((before.id, 7), (before.id, 3), (now.id, 5)):
            store.add_mark(
                session,
                store.place_mark(
                    atlas, visit_id, K.TRIGGER_POINT_ACTIVE, "posterior", [point],
                    intensity=intensity,
                ),
            )  # fmt: skip
        visit_id = now.id
    better = "Better: active trigger point R upper trapezius 7/10 → 5/10"
    resolved = "Resolved: active trigger point R upper trapezius (was 3/10)"

    chart = VisitChartWindow(db, visit_id)
    qtbot.addWidget(chart)
    texts = [chart.changes_list.item(i).text() for i in range(chart.changes_list.count())]
    assert texts[1:] == [f"▼ {better}", f"✓ {resolved}"]

    with db.read() as session:
        previous = previous_visit_findings(session, visit_id)
        current = visit_findings(session, visit_id)
    assert previous is not None
    assert compare_findings(previous, current) == chart.document.changes()

    editor = VisitNoteEditor(db, visit_id)
    qtbot.addWidget(editor)
    sentence = f"Since last visit: {better}. {resolved}."
    assert editor.changes_label.text() == sentence
    editor.draft_from_chart()
    assert editor.objective.toPlainText().endswith("\n" + sentence)
    editor.save_now()

    pdf = all_text(render(DocumentKind.SOAP, read_snapshot(db, visit_id)))
    assert flat(sentence) in flat(pdf)
