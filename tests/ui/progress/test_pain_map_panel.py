"""The Where it hurts tab of Progress: the client's own pain maps over time, and the therapist's
pain extent beside them, apart and labelled as the therapist's."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from massage_chart.atlas import load_atlas
from massage_chart.domain.marks import MarkKind
from massage_chart.domain.pain_extent import body_area, region_area
from massage_chart.storage.database import Database
from massage_chart.storage.models import Mark
from massage_chart.storage.pain_maps import record_pain_map
from massage_chart.storage.repositories import add_client, create_visit
from massage_chart.storage.signing import sign_visit
from massage_chart.ui.progress.progress_dialog import ProgressDialog
from tests.helpers.pain_maps import SYMPTOMS, WIDESPREAD

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.fixture
def client_id(db: Database) -> str:
    """Two pain maps a month apart (8 areas, then 2), and a signed visit where the therapist
    charted pain over the right upper trapezius, and a draft with more (not counted)."""
    with db.write() as session:
        client = add_client(session, first_name="Ana", last_name="Silva")
        record_pain_map(
            session, client.id, WIDESPREAD, symptoms=SYMPTOMS, three_months=True,
            taken_on=dt.date(2026, 10, 5), source="client",
        )  # fmt: skip
        record_pain_map(
            session, client.id, ["posterior:lumbar_spine", "posterior:upper_trapezius.r"],
            taken_on=dt.date(2026, 11, 2), source="paper",
        )  # fmt: skip
        for day, regions, signed in ((6, ["upper_trapezius.r"], True), (20, ["sacrum"], False)):
            visit = create_visit(
                session, client.id, provider_id=None, start=dt.datetime(2026, 10, day, 9)
            )
            for region_id in regions:
                point = load_atlas().region("posterior", region_id).inner_point
                session.add(
                    Mark(
                        visit_id=visit.id, kind=MarkKind.PAIN.value, view="posterior",
                        points=[list(point)], region_id=region_id, side="right", intensity=6,
                        atlas_version=load_atlas().version,
                    )
                )  # fmt: skip
            session.flush()
            if signed:
                sign_visit(visit, None, dt.datetime(2026, 10, day, 10))
        return client.id


def test_the_tab_shows_the_client_s_maps_and_the_therapist_s_extent_apart(
    qtbot: QtBot, db: Database, client_id: str
) -> None:
    dialog = ProgressDialog(db, client_id, today=lambda: dt.date(2026, 11, 23))
    qtbot.addWidget(dialog)
    dialog.show()
    panel = dialog.pain_maps
    dialog.tabs.setCurrentWidget(panel)
    qtbot.waitExposed(panel)
    rows = panel.rows()
    assert [row[:5] for row in rows] == [
        ["2 Nov 2026", "2/19", "—", "—", "symptoms not asked"],
        ["5 Oct 2026", "8/19", "6/12", "14/31", "met"],
    ]
    assert rows[0][6] == "Right shoulder girdle, Lower back"
    assert rows[1][7] == "completed by the client on this computer"
    assert panel.summary.text().startswith("2 pain maps. WPI 8/19 on 5 Oct 2026, 2/19 on 2 Nov")
    series = panel.chart.series
    assert [p.y() for p in series["WPI (client)"].points()] == [8, 2]
    therapist = series["Pain extent (therapist's findings)"].points()
    atlas = load_atlas()
    share = region_area(atlas, atlas.region("posterior", "upper_trapezius.r")) / body_area(atlas)
    assert [p.y() for p in therapist] == [pytest.approx(share * 100)]  # the signed visit only
    # The R upper trapezius lies in the right shoulder girdle: one WPI area, the therapist's.
    assert [p.y() for p in series["WPI areas (therapist's findings)"].points()] == [1]
    assert "not the client's score" in panel.note.text()
    # The WPI points are drawn left to right by date.
    first, second = (panel.chart.point_at("WPI (client)", i) for i in (0, 1))
    assert first.x() < second.x() and first.y() < second.y()


def test_a_new_map_from_the_tab_is_shown_once_filed(qtbot: QtBot, db: Database) -> None:
    with db.write() as session:
        client_id = add_client(session, first_name="Ben", last_name="Okafor").id
    dialog = ProgressDialog(db, client_id, today=lambda: dt.date(2026, 11, 23))
    qtbot.addWidget(dialog)
    panel = dialog.pain_maps
    assert panel.rows() == [] and panel.summary.text().startswith("No pain map")
    form = panel.open_form()
    form.picker.toggle("anterior:sternum")
    with qtbot.waitSignal(form.recorded):
        qtbot.mouseClick(form.done_button, Qt.MouseButton.LeftButton)
    assert [row[:2] for row in panel.rows()] == [["23 Nov 2026", "1/19"]]
