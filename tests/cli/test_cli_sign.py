"""`massage-chart sign`: the command line refuses exactly what the note window refuses."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy.orm import Session

from massage_chart.domain.presentation import Clock, clock_set_to
from massage_chart.domain.record_kinds import PayerType, UnitRule, VisitStatus
from massage_chart.export.service import DocumentKind, render_document
from massage_chart.storage.client_records import update_visit_note
from massage_chart.storage.database import Database, open_database
from massage_chart.storage.models import Claim, Mark, Provider
from massage_chart.storage.repositories import (
    add_client,
    add_health_history_version,
    create_visit,
    get_visit,
)
from massage_chart.ui.note.editor import VisitNoteEditor
from tests.export.pdftext import all_text, flat
from tests.helpers.notes import complete_the_note, sign_by_button

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

START = dt.datetime(2026, 11, 20, 7, 14)
NOW = dt.datetime(2026, 11, 20, 9, 0)


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "massage_chart", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        check=False,
    )


def _practice(path: Path, spoil: Callable[[Session, str, str], None]) -> str:
    """A database file with one PIP visit, complete and then spoiled; returns the visit id."""
    database = open_database(str(path))
    try:
        with database.write() as session:
            provider = Provider(first_name="Sam", last_name="Lee", credentials="LMT")
            session.add(provider)
            session.flush()
            client = add_client(session, first_name="Zoë", last_name="Nguyễn")
            claim = Claim(client_id=client.id, payer_type=PayerType.PIP, unit_rule=UnitRule.CMS)
            session.add(claim)
            session.flush()
            visit = create_visit(session, client.id, provider_id=provider.id, start=START)
            visit.claim_id = claim.id
            session.flush()
            complete_the_note(session, visit.id)
            spoil(session, visit.id, client.id)
            return visit.id
    finally:
        database.dispose()


def _nothing(_session: Session, _visit_id: str, _client_id: str) -> None:
    pass


def _no_assessment_no_code(session: Session, visit_id: str, _client_id: str) -> None:
    update_visit_note(session, visit_id, assessment="", icd10_codes=[])


def _no_time_out(session: Session, visit_id: str, _client_id: str) -> None:
    update_visit_note(session, visit_id, end=None, assessment="")


def _only_a_plan(session: Session, visit_id: str, _client_id: str) -> None:
    update_visit_note(session, visit_id, subjective="", objective="")


def _unconfirmed_copy(session: Session, visit_id: str, _client_id: str) -> None:
    get_visit(session, visit_id).marks.append(
        Mark(kind="tender_point", view="posterior", points=[[0.4, 0.2]], confirmed=False)
    )


def _blood_clot(session: Session, _visit_id: str, client_id: str) -> None:
    add_health_history_version(session, client_id, conditions=["DVT left calf"])


SCENARIOS = {
    "complete": (_nothing, set[str]()),
    "warnings only": (_no_assessment_no_code, set[str]()),
    "no time out": (_no_time_out, {"time out"}),
    "no S and no O": (_only_a_plan, {"no Subjective or Objective"}),
    "unconfirmed copied mark": (_unconfirmed_copy, {"not confirmed"}),
    "stop/refer alert": (_blood_clot, {"override reason or physician clearance"}),
}


def _status(path: Path, visit_id: str) -> VisitStatus:
    database = open_database(str(path))
    try:
        with database.read() as session:
            return get_visit(session, visit_id).status
    finally:
        database.dispose()


def _window_signs(qtbot: QtBot, path: Path, visit_id: str) -> tuple[bool, str]:
    """Press Sign note, and confirm what it shows (Sign anyway when it warns); (signed, what
    the window said: the summary with its warnings, or the refusal)."""
    database: Database = open_database(str(path))
    editor = VisitNoteEditor(database, visit_id, now=lambda: NOW, today=lambda: NOW.date())
    qtbot.addWidget(editor)
    editor.show()
    qtbot.waitExposed(editor)
    summary = sign_by_button(qtbot, editor)
    signed = editor.is_signed()
    message = editor.sign_problem.text() if summary is None else summary
    editor.close()
    database.dispose()
    return signed, message


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_the_command_line_refuses_what_the_window_refuses(
    qtbot: QtBot, tmp_path: Path, scenario: str
) -> None:
    spoil, blocking_words = SCENARIOS[scenario]
    original = tmp_path / "practice.db"
    visit_id = _practice(original, spoil)
    window_copy, cli_copy = tmp_path / "window.db", tmp_path / "cli.db"
    shutil.copyfile(original, window_copy)
    shutil.copyfile(original, cli_copy)

    signed, message = _window_signs(qtbot, window_copy, visit_id)
    plain = run("sign", visit_id, "--db", str(cli_copy))
    assert "Traceback" not in plain.stderr

    if scenario == "complete":
        assert signed and plain.returncode == 0, plain.stdout + plain.stderr
        assert "Likely to be denied" not in message, message
        assert f"Signed visit {visit_id} as Sam Lee" in plain.stdout
    elif not blocking_words:  # warnings: said before signing anyway, on both roads
        assert signed
        assert "Likely to be denied" in message
        assert plain.returncode == 1 and _status(cli_copy, visit_id) is VisitStatus.DRAFT
        assert "--anyway" in plain.stderr
        warnings = [line for line in plain.stdout.splitlines() if line.startswith("warning: ")]
        assert warnings and all(w.removeprefix("warning: ") in message for w in warnings)
        anyway = run("sign", visit_id, "--anyway", "--db", str(cli_copy))
        assert anyway.returncode == 0, anyway.stdout + anyway.stderr
    else:  # blocking: refused on both roads, whatever is pressed or passed
        assert not signed
        assert message.startswith("Not signed:")
        anyway = run("sign", visit_id, "--anyway", "--db", str(cli_copy))
        for result in (plain, anyway):
            assert result.returncode == 1
            assert "blocking problem" in result.stderr
            blocking = [
                line.removeprefix("blocking: ")
                for line in result.stdout.splitlines()
                if line.startswith("blocking: ")
            ]
            assert blocking and all(line in message for line in blocking)
            assert all(any(words in line for line in blocking) for words in blocking_words)
    assert _status(window_copy, visit_id) is _status(cli_copy, visit_id)


def test_a_visit_with_no_provider_names_the_option(tmp_path: Path) -> None:
    path = tmp_path / "practice.db"

    def no_provider(session: Session, visit_id: str, _client_id: str) -> None:
        get_visit(session, visit_id).provider_id = None

    visit_id = _practice(path, no_provider)
    refused = run("sign", visit_id, "--db", str(path))
    assert refused.returncode == 1
    assert "blocking: Choose the provider who signs the note. (give one with --provider ID)" in (
        refused.stdout
    )
    database = open_database(str(path))
    try:
        with database.read() as session:
            provider_id = session.query(Provider.id).scalar()
    finally:
        database.dispose()
    assert provider_id is not None
    signed = run("sign", visit_id, "--provider", provider_id, "--db", str(path))
    assert signed.returncode == 0, signed.stdout + signed.stderr
    assert _status(path, visit_id) is VisitStatus.SIGNED

    again = run("sign", visit_id, "--db", str(path))
    assert again.returncode == 1
    assert "already signed" in again.stderr


@pytest.mark.parametrize("bad", ["no-such-visit", "'; DROP TABLE visits;--", "王"])
def test_an_unknown_visit_or_provider_is_named_and_nothing_changes(
    tmp_path: Path, bad: str
) -> None:
    path = tmp_path / "practice.db"
    visit_id = _practice(path, _nothing)
    unknown_visit = run("sign", bad, "--db", str(path))
    assert unknown_visit.returncode == 1
    assert unknown_visit.stderr.strip() == (
        f"massage-chart: error: No visit with id {bad!r}. Nothing was signed."
    )
    unknown_provider = run("sign", visit_id, "--provider", bad, "--db", str(path))
    assert unknown_provider.returncode == 1
    assert f"No provider with id {bad!r}" in unknown_provider.stderr
    assert _status(path, visit_id) is VisitStatus.DRAFT


def test_sign_is_in_the_help() -> None:
    result = run("sign", "--help")
    assert result.returncode == 0
    assert "--anyway" in result.stdout and "--provider" in result.stdout


@pytest.fixture
def in_seattle(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """This process and its children keep US Pacific time."""
    if not hasattr(time, "tzset"):
        pytest.skip("the time zone of a running process is set with TZ only on Unix")
    monkeypatch.setenv("TZ", "America/Los_Angeles")
    time.tzset()
    yield
    monkeypatch.setenv("TZ", "UTC")  # as every test starts (tests/conftest.py)
    time.tzset()


@pytest.mark.usefixtures("in_seattle")
def test_every_road_records_the_signature_in_utc_and_shows_it_in_local_time(
    qtbot: QtBot, tmp_path: Path
) -> None:
    original = tmp_path / "practice.db"
    visit_id = _practice(original, _nothing)
    window_copy, cli_copy = tmp_path / "window.db", tmp_path / "cli.db"
    shutil.copyfile(original, window_copy)
    shutil.copyfile(original, cli_copy)

    # The window signs at 09:00 on the therapist's clock in Seattle (17:00 UTC in November).
    database = open_database(str(window_copy))
    editor = VisitNoteEditor(database, visit_id, now=lambda: NOW, today=lambda: NOW.date())
    qtbot.addWidget(editor)
    editor.show()
    qtbot.waitExposed(editor)
    with clock_set_to(Clock.TWENTY_FOUR_HOUR):
        sign_by_button(qtbot, editor)
        assert editor.is_signed(), editor.sign_problem.text()
        assert "20 Nov 2026 at 09:00 PST" in editor.status_label.text()
        with database.read() as session:
            assert get_visit(session, visit_id).signed_at == NOW + dt.timedelta(hours=8)
        rendered = render_document(database, DocumentKind.SOAP, visit_id)
    editor.close()
    database.dispose()
    text = flat(all_text(rendered.pdf))
    assert flat("20 Nov 2026 at 09:00 PST") in text
    assert "UTC" not in text

    before = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    signed = run("sign", visit_id, "--db", str(cli_copy))
    assert signed.returncode == 0, signed.stdout + signed.stderr
    assert signed.stdout.rstrip().endswith(("PST.", "PDT."))
    stored = open_database(str(cli_copy))
    try:
        with stored.read() as session:
            signed_at = get_visit(session, visit_id).signed_at
    finally:
        stored.dispose()
    assert signed_at is not None
    assert before - dt.timedelta(seconds=1) <= signed_at <= before + dt.timedelta(minutes=2)
