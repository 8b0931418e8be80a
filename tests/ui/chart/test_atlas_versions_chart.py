"""A chart keeps the atlas it was charted on: a signed one is drawn and printed on it; an
unsigned one moves to the current atlas when opened; the detail views can be charted."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select, text

from massage_chart.atlas import current_atlas_version, load_atlas
from massage_chart.domain.marks import MarkKind
from massage_chart.domain.placement import locate
from massage_chart.export.service import DocumentKind, export_document
from massage_chart.export.snapshot import load_visit_snapshot
from massage_chart.export.soap_pdf import body_charts
from massage_chart.storage import marks as store
from massage_chart.storage.chart_file import (
    ChartFileError,
    export_chart,
    import_chart,
    parse_chart_text,
)
from massage_chart.storage.database import Database, open_database
from massage_chart.storage.guards import SignedVisitError
from massage_chart.storage.models import Mark
from massage_chart.storage.repositories import add_client, create_visit, get_visit
from massage_chart.storage.seals import visit_integrity
from massage_chart.storage.signing import sign_visit
from massage_chart.ui.chart.visit_document import ChartDocument
from massage_chart.ui.chart.window import VisitChartWindow
from tests.ui.chart.conftest import Course, open_chart

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

OLD = load_atlas(1)
NEW = load_atlas()


def _chart_on_version_1(db: Database, visit_id: str) -> list[str]:
    """Marks charted on atlas version 1, as an older copy of the app charted them."""
    placed = [
        store.place_mark(OLD, visit_id, MarkKind.TRIGGER_POINT_ACTIVE, "posterior",
                         [OLD.region("posterior", "upper_trapezius.r").inner_point], intensity=6),
        store.place_mark(OLD, visit_id, MarkKind.TREATED, "anterior",
                         [OLD.region("anterior", "pec_major.l").inner_point],
                         whole_region=True),
    ]  # fmt: skip
    with db.write() as session:
        for data in placed:
            store.add_mark(session, data)
    return [data.id for data in placed]


def _versions(db: Database, visit_id: str) -> set[int]:
    with db.read() as session:
        return set(session.scalars(select(Mark.atlas_version).where(Mark.visit_id == visit_id)))


def test_an_unsigned_chart_moves_to_the_current_atlas_when_opened(
    qtbot: QtBot, db: Database, course: Course
) -> None:
    ids = _chart_on_version_1(db, course.today_visit_id)
    with db.read() as session:
        before = {
            m.id: (m.region_id, m.side) for m in store.list_marks(session, course.today_visit_id)
        }
    assert _versions(db, course.today_visit_id) == {1}
    document = ChartDocument(db, course.today_visit_id)
    assert document.atlas.version == current_atlas_version()
    assert _versions(db, course.today_visit_id) == {current_atlas_version()}
    assert {m.id: (m.region_id, m.side) for m in document.marks.values()} == before
    assert set(document.marks) == set(ids)
    window = VisitChartWindow(db, course.today_visit_id, document=document)
    qtbot.addWidget(window)
    assert "face" in window.scene.figures  # the detail views are there to chart on


def test_a_chart_that_cannot_move_whole_opens_on_the_atlas_it_was_charted_on(
    qtbot: QtBot, db: Database, course: Course
) -> None:
    """A mark stored malformed (an area of one point) cannot be placed on the current atlas:
    the chart opens, whole and unmoved, on version 1."""
    _chart_on_version_1(db, course.today_visit_id)
    with db.write() as session:
        session.add(
            Mark(
                visit_id=course.today_visit_id, kind=MarkKind.HYPERTONICITY.value,
                view="posterior", points=[list(OLD.region("posterior", "teres.r").inner_point)],
                region_id="teres.r", side="right", atlas_version=1,
            )
        )  # fmt: skip
    document = ChartDocument(db, course.today_visit_id)
    assert not document.read_only and document.atlas.version == 1
    assert _versions(db, course.today_visit_id) == {1}
    window = VisitChartWindow(db, course.today_visit_id, document=document)
    qtbot.addWidget(window)
    assert window.scene.figures["posterior"].view.atlas_version == 1


def test_a_signed_chart_stays_on_the_atlas_it_was_signed_with(
    qtbot: QtBot, db: Database, course: Course
) -> None:
    _chart_on_version_1(db, course.today_visit_id)
    with db.write() as session:
        visit = get_visit(session, course.today_visit_id)
        sign_visit(visit, course.provider_id, visit.start + dt.timedelta(hours=1))
    document = ChartDocument(db, course.today_visit_id)
    assert document.read_only
    assert document.atlas.version == 1
    assert _versions(db, course.today_visit_id) == {1}
    window = VisitChartWindow(db, course.today_visit_id, document=document)
    qtbot.addWidget(window)
    assert set(window.scene.figures) == set(OLD.view_ids)  # no detail view on version 1
    assert window.scene.figures["posterior"].view.atlas_version == 1
    with pytest.raises(SignedVisitError), db.write() as session:
        store.move_marks_to_atlas(session, NEW, course.today_visit_id)
    with db.read() as session:
        charts = body_charts(load_visit_snapshot(session, course.today_visit_id).marks)
    assert {chart.view.atlas_version for chart in charts} == {1}  # printed as it was signed


def test_a_mark_s_atlas_version_is_sealed(db: Database, course: Course) -> None:
    """Marks charted on version 2 or later are sealed with their version: a signed chart cannot
    be moved to other geometry by rewriting the number."""
    data = store.place_mark(NEW, course.today_visit_id, MarkKind.TENDER_POINT, "hands_palmar",
                            [NEW.region("hands_palmar", "thumb.r").inner_point])  # fmt: skip
    assert data.atlas_version == NEW.version >= 2
    with db.write() as session:
        store.add_mark(session, data)
        visit = get_visit(session, course.today_visit_id)
        sign_visit(visit, course.provider_id, visit.start + dt.timedelta(hours=1))
    with db.read() as session:
        assert visit_integrity(session, get_visit(session, course.today_visit_id)).content_matches
    with db.engine.begin() as connection:
        connection.exec_driver_sql("DROP TRIGGER trg_marks_signed_update")
        connection.execute(
            text("UPDATE marks SET atlas_version = 1 WHERE id = :id"), {"id": data.id}
        )
    with db.read() as session:
        assert not visit_integrity(
            session, get_visit(session, course.today_visit_id)
        ).content_matches


def test_the_detail_views_are_charted_from_the_window(
    qtbot: QtBot, db: Database, course: Course
) -> None:
    window = open_chart(qtbot, db, course.today_visit_id)
    assert window.detail_button.menu() is not None
    window.view_actions["face"].trigger()
    shown = window.scene.visible_views()
    assert "face" in shown
    assert set(shown) <= {"face", "head_left_lateral", "head_right_lateral"}
    window.set_tool(MarkKind.TRIGGER_POINT_ACTIVE)
    assert window.choose_region_named("L temporomandibular joint (TMJ) · face and neck")
    window.scene.chart_chosen_region()
    (mark,) = window.document.marks.values()
    assert (mark.view, mark.region_id, mark.side) == ("face", "tmj.l", "left")
    assert mark.atlas_version == NEW.version
    window.view_actions["feet_plantar"].trigger()
    assert "feet_plantar" in window.scene.visible_views()


def test_a_chart_file_carries_each_mark_s_atlas(
    db: Database, course: Course, tmp_path: Path
) -> None:
    with db.write() as session:
        client = add_client(session, first_name="Ana", last_name="Ruiz")
        visit_id = create_visit(
            session, client.id, provider_id=course.provider_id, start=dt.datetime(2026, 12, 1, 9)
        ).id
    data = store.place_mark(NEW, visit_id, MarkKind.TRIGGER_POINT_ACTIVE, "feet_plantar",
                            [NEW.region("feet_plantar", "plantar_fascia.l").inner_point])  # fmt: skip
    _chart_on_version_1(db, visit_id)
    with db.write() as session:
        store.add_mark(session, data)
    with db.read() as session:
        document = json.loads(json.dumps(export_chart(session, [client.id]), default=str))
    marks = [m for c in document["clients"] for v in c["visits"] for m in v["marks"]]
    assert {m["atlas_version"] for m in marks} >= {1, NEW.version}
    for mark in marks:  # as an older file: no version said means version 1
        if mark["atlas_version"] == 1:
            del mark["atlas_version"]
    other = open_database(str(tmp_path / "other.db"))
    try:
        with other.write() as session:
            import_chart(session, parse_chart_text(json.dumps(document)))
        assert _versions(other, visit_id) == {1, NEW.version}
        with other.read() as session:
            fascia = session.get(Mark, data.id)
            assert (fascia.region_id, fascia.side) == ("plantar_fascia.l", "left")
        newer = json.loads(json.dumps(document))
        newer["clients"][0]["visits"][-1]["marks"][0]["atlas_version"] = NEW.version + 1
        third = open_database(str(tmp_path / "third.db"))
        with pytest.raises(ChartFileError, match="newer than this copy"), third.write() as session:
            import_chart(session, parse_chart_text(json.dumps(newer)))
        third.dispose()
    finally:
        other.dispose()


def test_a_note_with_detail_marks_prints_them_below_the_body(
    db: Database, course: Course, tmp_path: Path
) -> None:
    with db.write() as session:
        for view, region in (("posterior", "upper_trapezius.r"), ("face", "tmj.r"),
                             ("hands_palmar", "thumb.l")):  # fmt: skip
            store.add_mark(
                session,
                store.place_mark(NEW, course.today_visit_id, MarkKind.TRIGGER_POINT_ACTIVE,
                                 view, [NEW.region(view, region).inner_point], intensity=5),
            )  # fmt: skip
    out = tmp_path / "note.pdf"
    export_document(db, DocumentKind.SOAP, course.today_visit_id, out)
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed: the printed words are not read")
    words = subprocess.run(
        ["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = " ".join(words.split())
    for words_printed in ("Face and neck", "Palms", "temporomandibular", "L thumb"):
        assert words_printed in flat  # the detail figures' captions, and their marks listed


def test_the_deep_layer_switch_charts_a_deep_muscle(
    qtbot: QtBot, db: Database, course: Course
) -> None:
    window = open_chart(qtbot, db, course.today_visit_id)
    assert window.deep_action is not None
    window.show_view("anterior")
    window.deep_action.trigger()
    assert set(window.scene.visible_views()) <= {"anterior_deep", "posterior_deep"}
    assert "anterior_deep" in window.scene.visible_views()
    assert window.view_actions["anterior"].isChecked()  # still the front, seen deep
    window.set_tool(MarkKind.TRIGGER_POINT_ACTIVE)
    assert window.choose_region_named("L psoas major (deep) · anterior, deep layer")
    window.scene.chart_chosen_region()
    (mark,) = window.document.marks.values()
    assert (mark.view, mark.region_id, mark.side) == ("anterior_deep", "deep_psoas.l", "left")
    window.view_actions["posterior"].trigger()  # the switch stays on: the back, deep
    assert "posterior_deep" in window.scene.visible_views()
    window.deep_action.trigger()
    assert "posterior" in window.scene.visible_views()
    assert not window.deep_action.isChecked()
    with db.read() as session:
        charts = body_charts(load_visit_snapshot(session, course.today_visit_id).marks)
    assert [chart.view.id for chart in charts] == ["anterior_deep"]
    assert charts[0].view.caption.startswith("Anterior, deep layer")


def test_a_double_click_on_a_hand_opens_the_hands_close_up(
    qtbot: QtBot, db: Database, course: Course
) -> None:
    window = open_chart(qtbot, db, course.today_visit_id)
    window.show_view("anterior")
    figure = window.scene.figures["anterior"]
    x, y = NEW.region("anterior", "palm.r").inner_point
    at = window.view.mapFromScene(figure.mapToScene(figure.to_local(x, y)))
    qtbot.mouseMove(window.view.viewport(), at)
    qtbot.waitUntil(lambda: "close up" in window.hover_label.text())
    assert window.hover_label.text().startswith("R palm")
    qtbot.mouseDClick(window.view.viewport(), Qt.MouseButton.LeftButton, pos=at)
    assert "hands_palmar" in window.scene.visible_views()
    assert window.document.marks == {}  # a double-click with Select charts nothing


def test_an_area_to_avoid_over_a_deep_muscle_shows_on_the_skin_too(
    qtbot: QtBot, db: Database
) -> None:
    """An earlier visit's area to avoid charted on the rhomboids (the deep layer) still stands
    at today's visit: it is drawn on the deep layer and on the back view over it, so it is seen
    with the deep layer off."""
    with db.write() as session:
        client = add_client(session, first_name="Ana", last_name="Silva")
        earlier = create_visit(
            session, client.id, provider_id=None, start=dt.datetime(2026, 11, 2, 9)
        )
        today = create_visit(
            session, client.id, provider_id=None, start=dt.datetime(2026, 11, 23, 9)
        )
        store.add_mark(
            session,
            store.place_mark(
                NEW, earlier.id, MarkKind.AVOID, "posterior_deep",
                [NEW.region("posterior_deep", "rhomboid.r").inner_point], whole_region=True,
            ),
        )  # fmt: skip
        today_id = today.id
    window = VisitChartWindow(db, today_id)
    qtbot.addWidget(window)
    assert sorted(item.mark.view for item in window.scene.standing) == [
        "posterior",
        "posterior_deep",
    ]
    (skin,) = [i for i in window.scene.standing if i.mark.view == "posterior"]
    covered = {r.id for r in locate(NEW, "posterior", MarkKind.AVOID, skin.mark.points).regions}
    assert "lower_trapezius.r" in covered  # the skin over the rhomboids
