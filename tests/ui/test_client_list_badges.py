"""Alert badges in the client list: a stop/refer or caution client carries a tier badge by the
name, with the alert titles as its tooltip, from one read of the listed clients' alerts."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from massage_chart.domain.alerts import AlertTier
from massage_chart.domain.client_file import MedicationInfo
from massage_chart.storage.client_records import add_clearance, clients_alerts
from massage_chart.storage.database import Database
from massage_chart.storage.repositories import (
    add_client,
    add_health_history_version,
    search_clients,
)
from massage_chart.ui.client_list import ClientColumn, ClientListPanel, badge_icon

TODAY = dt.date(2026, 11, 23)
# The offscreen platform cannot resize a window to its size hint; real screens can.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def listed(qtbot: QtBot, db: Database) -> ClientListPanel:
    """The panel showing every client, with their alerts read as the main window reads them."""
    with db.write() as session:
        dvt = add_client(session, first_name="Ama", last_name="Acheampong")
        add_health_history_version(
            session,
            dvt.id,
            conditions=["DVT left calf"],
            medications=[MedicationInfo("Warfarin 5 mg")],
            pregnant=True,
        )
        thinner = add_client(session, first_name="Ben", last_name="Baker")
        add_health_history_version(
            session, thinner.id, medications=[MedicationInfo("Warfarin 5 mg")]
        )
        cleared = add_client(session, first_name="Cleo", last_name="Cruz")
        add_health_history_version(session, cleared.id, surgeries="left hip replacement 2026-11-01")
        add_clearance(session, cleared.id, ["recent_surgery"], signed_on=TODAY)
        add_client(session, first_name="Dee", last_name="Diaz")
    with db.read() as session:
        clients = search_clients(session)
        alerts = clients_alerts(session, [c.id for c in clients], today=TODAY)
    panel = ClientListPanel()
    qtbot.addWidget(panel)
    panel.show_results(clients, len(clients), alerts)
    panel.resize(520, 400)
    panel.show()
    qtbot.waitExposed(panel)
    return panel


def row_named(panel: ClientListPanel, name: str) -> int:
    model = panel.model
    for row in range(model.rowCount()):
        if model.data(model.index(row, ClientColumn.NAME)) == name:
            return row
    raise AssertionError(f"{name} is not listed")


def test_stop_and_caution_clients_carry_a_badge_with_the_titles(qtbot: QtBot, db: Database) -> None:
    panel = listed(qtbot, db)
    model = panel.model
    decoration = Qt.ItemDataRole.DecorationRole
    tooltip = Qt.ItemDataRole.ToolTipRole

    ama = model.index(row_named(panel, "Acheampong, Ama"), ClientColumn.NAME)
    badge = model.badge_of(str(model.data(ama, Qt.ItemDataRole.UserRole)))
    assert badge is not None and badge.tier is AlertTier.STOP_REFER
    assert model.data(ama, decoration) is badge_icon(AlertTier.STOP_REFER)
    words = str(model.data(ama, tooltip))
    assert "Stop / refer:" in words
    assert "Suspected or known blood clot (DVT)" in words
    assert "Blood thinner (anticoagulant)" in words
    assert words.index("blood clot") < words.index("Blood thinner")

    ben = model.index(row_named(panel, "Baker, Ben"), ClientColumn.NAME)
    assert model.data(ben, decoration) is badge_icon(AlertTier.DEEP_TISSUE_CAUTION)
    assert "Deep-tissue caution:" in str(model.data(ben, tooltip))

    # A clearance on file settles the surgery alert: no badge left; nor for a client with none.
    for name in ("Cruz, Cleo", "Diaz, Dee"):
        index = model.index(row_named(panel, name), ClientColumn.NAME)
        assert model.data(index, decoration) is badge_icon(None)
        assert "Stop" not in str(model.data(index, tooltip))
    # Only the name column carries the badge.
    born = model.index(row_named(panel, "Acheampong, Ama"), ClientColumn.BORN)
    assert model.data(born, decoration) is None
    assert model.badge_of(str(model.data(born, Qt.ItemDataRole.UserRole))) is not None


def test_a_new_search_without_alerts_drops_the_badges(qtbot: QtBot, db: Database) -> None:
    panel = listed(qtbot, db)
    with db.read() as session:
        clients = search_clients(session, "ama")
    panel.show_results(clients, 4)
    index = panel.model.index(0, ClientColumn.NAME)
    assert panel.model.data(index, Qt.ItemDataRole.DecorationRole) is None


def test_the_main_window_lists_clients_with_their_badges(qtbot: QtBot, db: Database) -> None:
    from massage_chart.ui.main_window import MainWindow

    with db.write() as session:
        dvt = add_client(session, first_name="Ama", last_name="Acheampong")
        add_health_history_version(session, dvt.id, conditions=["DVT left calf"])
        add_client(session, first_name="Dee", last_name="Diaz")
    window = MainWindow(db, today=lambda: TODAY, backup_on_close=False)
    qtbot.addWidget(window)
    model = window.client_panel.model
    badge = model.badge_of(dvt.id)
    assert badge is not None and badge.tier is AlertTier.STOP_REFER
    ama = model.index(row_named(window.client_panel, "Acheampong, Ama"), ClientColumn.NAME)
    assert model.data(ama, Qt.ItemDataRole.DecorationRole) is badge_icon(AlertTier.STOP_REFER)
