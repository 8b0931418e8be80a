"""A client with a course of visits to chart: two earlier visits with marks, today's draft."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from pytestqt.qtbot import QtBot

from massage_chart.atlas import load_atlas
from massage_chart.domain.marks import MarkKind
from massage_chart.storage import marks as store
from massage_chart.storage.database import Database
from massage_chart.storage.models import Provider
from massage_chart.storage.repositories import add_client, create_visit, get_visit
from massage_chart.storage.signing import sign_visit
from massage_chart.ui.chart import VisitChartWindow

ATLAS = load_atlas()


@dataclass(frozen=True)
class Course:
    """Ids of the records the chart tests use."""

    provider_id: str
    client_id: str
    first_visit_id: str
    last_visit_id: str
    today_visit_id: str


def inner(view: str, region_id: str) -> tuple[float, float]:
    """A point inside a region, in frame fractions."""
    return ATLAS.region(view, region_id).inner_point


def open_chart(qtbot: QtBot, db: Database, visit_id: str) -> VisitChartWindow:
    """The chart of a visit, shown at laptop size as the therapist opens it."""
    window = VisitChartWindow(db, visit_id)
    qtbot.addWidget(window)
    window.resize(1366, 740)
    window.show()
    qtbot.waitExposed(window)
    return window


@pytest.fixture
def course(db: Database) -> Course:
    """Zoë's care: a signed first visit, a signed last visit with marks, and today's draft.

    The last visit has an active trigger point (R upper trapezius 7/10), a spasm (L lower trapezius)
    and an area to avoid (L popliteal fossa); today's visit is empty.
    """
    with db.write() as session:
        provider = Provider(first_name="Sam", last_name="Lee", credentials="LMT")
        session.add(provider)
        session.flush()
        client = add_client(session, first_name="Zoë", last_name="Nguyễn")
        first = create_visit(
            session, client.id, provider_id=provider.id, start=dt.datetime(2026, 11, 9, 10)
        )
        last = create_visit(
            session, client.id, provider_id=provider.id, start=dt.datetime(2026, 11, 16, 10)
        )
        today = create_visit(
            session, client.id, provider_id=provider.id, start=dt.datetime(2026, 11, 23, 10)
        )
        for data in (
            store.place_mark(
                ATLAS,
                last.id,
                MarkKind.TRIGGER_POINT_ACTIVE,
                "posterior",
                [inner("posterior", "upper_trapezius.r")],
                intensity=7,
            ),
            store.place_mark(
                ATLAS,
                last.id,
                MarkKind.SPASM,
                "posterior",
                [inner("posterior", "lower_trapezius.l")],
                whole_region=True,
                intensity=5,
            ),
            store.place_mark(
                ATLAS,
                last.id,
                MarkKind.AVOID,
                "posterior",
                [inner("posterior", "popliteal.l")],
                whole_region=True,
            ),
        ):
            store.add_mark(session, data)
        session.flush()
        for visit in (first, last):
            sign_visit(
                get_visit(session, visit.id), provider.id, visit.start + dt.timedelta(hours=1)
            )
        return Course(provider.id, client.id, first.id, last.id, today.id)
