"""The SOAP note editor: typing saved, drafting from the chart, billing units, alerts, signing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from massage_chart.domain.alerts import AlertTier
from massage_chart.domain.client_file import MedicationInfo
from massage_chart.domain.marks import MarkKind
from massage_chart.domain.record_kinds import UnitRule, VisitStatus
from massage_chart.storage.client_records import (
    add_clearance,
    override_reasons,
    update_visit_note,
)
from massage_chart.storage.database import Database, WriteError
from massage_chart.storage.guards import SignedVisitError
from massage_chart.storage.models import AuditEvent, Claim, Mark
from massage_chart.storage.repositories import (
    add_health_history_version,
    create_visit,
    get_visit,
)
from massage_chart.ui.note import editor as editor_module
from massage_chart.ui.note.billing import BillingColumn
from massage_chart.ui.note.editor import VisitNoteEditor
from massage_chart.ui.record.fields import wait_for_icd10
from tests.helpers.notes import complete_the_note, sign_by_button
from tests.ui.conftest import NOW, TODAY, SmallPractice, type_text

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def _mark(
    visit_id: str, kind: MarkKind, region: str, side: str, intensity: int | None, **fields: Any
) -> Mark:
    return Mark(
        visit_id=visit_id,
        kind=kind.value,
        view="posterior",
        points=[[0.4, 0.2]],
        region_id=region,
        side=side,
        intensity=intensity,
        **fields,
    )


@dataclass(frozen=True)
class Charted:
    """Zoë's practice with a charted draft visit after a charted earlier one."""

    practice: SmallPractice
    zoe_id: str
    lee_id: str
    visit_id: str


@pytest.fixture
def charted(db: Database, practice: SmallPractice) -> Charted:
    """A trigger point easing 7/10 (8 Oct) -> 3/10 (15 Oct), and a new hypertonic area."""
    with db.write() as session:
        session.add(
            _mark(practice.zoe_second_visit_id, MarkKind.TRIGGER_POINT_ACTIVE,
                  "upper_trapezius.r", "right", 7)
        )  # fmt: skip
        visit = create_visit(
            session,
            practice.zoe_id,
            provider_id=practice.lee_id,
            start=dt.datetime(2026, 10, 15, 14, 0),
            end=dt.datetime(2026, 10, 15, 15, 0),
            chief_complaint="Neck and upper back",
        )
        session.add(_mark(visit.id, MarkKind.TRIGGER_POINT_ACTIVE, "upper_trapezius.r", "right", 3))
        session.add(_mark(visit.id, MarkKind.HYPERTONICITY, "upper_trapezius.l", "left", None))
        visit_id = visit.id
    return Charted(practice, practice.zoe_id, practice.lee_id, visit_id)


def _open(qtbot: QtBot, db: Database, visit_id: str) -> VisitNoteEditor:
    editor = VisitNoteEditor(db, visit_id, now=lambda: NOW, today=lambda: TODAY)
    qtbot.addWidget(editor)
    editor.show()
    qtbot.waitExposed(editor)
    return editor


@pytest.fixture
def editor(qtbot: QtBot, db: Database, charted: Charted) -> Iterator[VisitNoteEditor]:
    """The editor on Zoë's draft visit."""
    note = _open(qtbot, db, charted.visit_id)
    yield note
    note.save_now()


def test_typing_is_saved_after_a_pause_and_on_focus_out(
    qtbot: QtBot, editor: VisitNoteEditor, db: Database, charted: Charted
) -> None:
    editor.sections.setCurrentIndex(0)
    editor.subjective.setFocus()
    type_text(editor.subjective, "Stiff on waking, better by noon — Zoë")

    def stored() -> str:
        with db.read() as session:
            return get_visit(session, charted.visit_id).subjective

    qtbot.waitUntil(lambda: "better by noon — Zoë" in stored(), timeout=3000)
    editor.functional_limits.setFocus()
    type_text(editor.functional_limits, "cannot check blind spot")
    editor.pain_best.setValue(2)
    editor.chief_complaint.setFocus()  # focus-out saves at once
    with db.read() as session:
        visit = get_visit(session, charted.visit_id)
        assert (visit.pain_best, visit.functional_limits) == (2, "cannot check blind spot")
        assert visit.subjective == "Stiff on waking, better by noon — Zoë"
    editor.reload()
    assert editor.pain_best.value() == 2
    assert editor.functional_limits.text() == "cannot check blind spot"
    assert editor.subjective.toPlainText() == "Stiff on waking, better by noon — Zoë"


def test_a_failed_save_says_why_and_keeps_the_text(
    qtbot: QtBot, editor: VisitNoteEditor, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full_disk(*_args: object, **_kwargs: object) -> None:
        raise WriteError("The disk is full: nothing was saved.")

    monkeypatch.setattr(editor_module, "update_visit_note", full_disk)
    editor.plan.setFocus()
    type_text(editor.plan, "Heat at home")
    assert not editor.save_now()
    assert "The disk is full" in editor.save_problem.text()
    assert editor.plan.toPlainText() == "Heat at home"
    monkeypatch.undo()
    assert editor.save_now()
    assert not editor.save_problem.isVisible()


def test_the_objective_is_drafted_from_the_marks_until_the_therapist_writes_their_own(
    qtbot: QtBot, editor: VisitNoteEditor, db: Database, charted: Charted
) -> None:
    editor.sections.setCurrentIndex(1)
    assert "Better: active trigger point R upper trapezius 7/10 → 3/10" in (
        editor.changes_label.text()
    )
    # Charted before the note was opened: the Objective is the marks' draft, and saved.
    drafted = editor.objective.toPlainText()
    assert "Active trigger points: R upper trapezius (3/10)." in drafted
    assert "Hypertonicity: L upper trapezius." in drafted
    assert "Since last visit:" in drafted
    qtbot.waitUntil(lambda: stored_objective(db, charted.visit_id) == drafted, timeout=3000)

    # The therapist's own words are kept; Draft from chart puts the marks' draft back, as one
    # step of the field's own undo.
    editor.objective.setFocus()
    editor.objective.selectAll()
    type_text(editor.objective, "Ropy bands both upper traps, R worse")
    editor.reload_findings()
    assert editor.objective.toPlainText() == "Ropy bands both upper traps, R worse"
    qtbot.mouseClick(editor.draft_button, Qt.MouseButton.LeftButton)
    assert editor.objective.toPlainText() == drafted
    assert stored_objective(db, charted.visit_id) == drafted
    editor.objective.undo()
    assert editor.objective.toPlainText() == "Ropy bands both upper traps, R worse"


def stored_objective(db: Database, visit_id: str) -> str:
    with db.read() as session:
        return get_visit(session, visit_id).objective


def test_condition_template_prefills_empty_sections(
    editor: VisitNoteEditor, db: Database, charted: Charted
) -> None:
    editor.template_combo.setCurrentIndex(1)
    editor.template_button.click()
    assert editor.subjective.toPlainText() and editor.plan.toPlainText()
    assert editor.home_care.text()
    with db.read() as session:
        assert get_visit(session, charted.visit_id).home_care == editor.home_care.text()


@pytest.mark.parametrize(
    ("rule", "units", "total"),
    [(UnitRule.CMS, ["1", "0", ""], 1), (UnitRule.AMA, ["1", "1", ""], 2)],
)
def test_units_follow_the_claims_rule_live(
    qtbot: QtBot,
    db: Database,
    charted: Charted,
    rule: UnitRule,
    units: list[str],
    total: int,
) -> None:
    with db.write() as session:
        for claim in session.scalars(select(Claim)):
            claim.unit_rule = rule
    wait_for_icd10(30)
    editor = _open(qtbot, db, charted.visit_id)
    billing = editor.billing
    for code, minutes in (("97140", "12"), ("97124", "10"), ("", "")):
        row = billing.add_line()
        billing.set_cell(row, BillingColumn.CPT, code)
        billing.set_cell(row, BillingColumn.MINUTES, minutes)
    assert billing.units_shown() == units
    assert billing.totals.total_units == total
    assert f"units {total}" in billing.totals_label.text()
    assert "treatment minutes 22" in billing.totals_label.text()
    billing.set_cell(0, BillingColumn.MODIFIERS, "-59")
    assert editor.save_now()
    with db.read() as session:
        lines = get_visit(session, charted.visit_id).billing_lines
        assert [(b.cpt, b.minutes, b.units, b.modifiers) for b in lines] == [
            ("97140", 12, int(units[0]), ["59"]),
            ("97124", 10, int(units[1]), []),
        ]
    editor.save_now()


def test_deep_tissue_and_positioning_warnings_on_the_note(
    qtbot: QtBot, db: Database, charted: Charted
) -> None:
    with db.write() as session:
        add_health_history_version(
            session,
            charted.zoe_id,
            medications=[MedicationInfo("warfarin")],
            pregnant=True,
            pregnancy_weeks=24,
        )
    editor = _open(qtbot, db, charted.visit_id)
    tiers = editor.banner.shown_tiers()
    assert AlertTier.DEEP_TISSUE_CAUTION in tiers and AlertTier.POSITIONING in tiers
    # The trigger point charted on this visit is warned about at once.
    assert any("trigger-point" in w.message for w in editor.warnings)
    editor.techniques.setFocus()
    type_text(editor.techniques, "deep tissue")
    editor.pressure.setCurrentIndex(editor.pressure.findData(5))
    editor.positioning.setCurrentText("supine")
    messages = [w.message for w in editor.warnings]
    assert any("a deep technique" in m or "pressure 5" in m for m in messages)
    assert any("pressure 5" in m for m in messages)
    assert any("side-lying" in m for m in messages)
    assert editor.banner.tier_texts()[None]
    editor.save_now()


def test_stop_alert_blocks_signing_until_an_override_then_signs_and_locks(
    qtbot: QtBot, db: Database, charted: Charted
) -> None:
    with db.write() as session:
        add_health_history_version(session, charted.zoe_id, conditions=["DVT left calf"])
    editor = _open(qtbot, db, charted.visit_id)
    assert editor.banner.shown_tiers()[0] is AlertTier.STOP_REFER
    # Charting waits for the override: only the Subjective (with the health update) is open.
    assert not editor.sections.isTabEnabled(1) and not editor.billing.isEnabled()
    assert editor.sections.isTabEnabled(0)
    editor.draft_from_chart()
    editor.provider_combo.setCurrentIndex(editor.provider_combo.findData(charted.lee_id))
    assert sign_by_button(qtbot, editor) is None
    assert "override reason" in editor.sign_problem.text()
    with db.read() as session:
        assert get_visit(session, charted.visit_id).status is VisitStatus.DRAFT

    code = next(iter(editor.banner.override_fields))
    type_text(editor.banner.override_fields[code], "DVT treated and cleared by Dr Raman")
    qtbot.mouseClick(editor.banner.override_buttons[code], Qt.MouseButton.LeftButton)
    assert not editor.blocking()
    assert editor.sections.isTabEnabled(1) and editor.billing.isEnabled()
    # The note is completed as the signing rules ask: pain score, Assessment, a CPT line.
    editor.pain_now.setValue(4)
    editor.pain_after.setValue(2)
    type_text(editor.assessment, "Calf not treated; neck eased, rotation improved.")
    editor.billing.add_line("97140", 53)
    summary = sign_by_button(qtbot, editor)
    assert summary is not None and "Likely to be denied" not in summary, summary
    for shown in ("Client: Zoë Nguyễn", "Pain: 4/10 before, 2/10 after", "97140 × 4 units"):
        assert shown in summary, summary
    assert editor.is_signed(), editor.sign_problem.text()
    with db.read() as session:
        visit = get_visit(session, charted.visit_id)
        assert visit.status is VisitStatus.SIGNED and visit.signed_by_id == charted.lee_id
        assert override_reasons(visit) == {code: "DVT treated and cleared by Dr Raman"}
        actions = session.scalars(
            select(AuditEvent.action).where(AuditEvent.visit_id == visit.id)
        ).all()
        assert "sign" in actions
    # Read-only now: typing changes nothing, and the database refuses changes too.
    assert editor.objective.isReadOnly() and not editor.sign_button.isVisible()
    before = editor.objective.toPlainText()
    type_text(editor.objective, "late change")
    assert editor.objective.toPlainText() == before
    with pytest.raises(SignedVisitError), db.write() as session:
        update_visit_note(session, charted.visit_id, objective="late change")


def test_a_physician_clearance_on_file_opens_the_note_as_signing_allows(
    qtbot: QtBot, db: Database, charted: Charted
) -> None:
    with db.write() as session:
        add_health_history_version(session, charted.zoe_id, conditions=["DVT left calf"])
    editor = _open(qtbot, db, charted.visit_id)
    (code,) = {a.code for a in editor.blocking()}
    editor.close()
    with db.write() as session:
        add_clearance(session, charted.zoe_id, [code], signed_on=TODAY, note="Dr Raman: cleared")
    editor = _open(qtbot, db, charted.visit_id)
    assert editor.blocking() == []  # the same rule signing follows: cleared, so not held
    assert editor.sections.isTabEnabled(1) and editor.billing.isEnabled()


def test_addendum_after_signing_is_shown_after_the_note(
    qtbot: QtBot, db: Database, charted: Charted
) -> None:
    editor = _open(qtbot, db, charted.practice.zoe_first_visit_id)  # signed in the fixture
    assert editor.is_signed() and editor.addendum_button.isVisible()
    qtbot.mouseClick(editor.addendum_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: editor.addendum_dialog is not None)
    dialog = editor.addendum_dialog
    assert dialog is not None
    dialog.reason.setCurrentText("Late entry")
    type_text(dialog.text, "Advised ice 10 min twice daily.")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert "Advised ice 10 min twice daily." in editor.addenda_view.toPlainText()
    with db.read() as session:
        visit = get_visit(session, charted.practice.zoe_first_visit_id)
        assert [(a.reason, a.text, a.created_at) for a in visit.addenda] == [
            ("Late entry", "Advised ice 10 min twice daily.", NOW)
        ]
        assert visit.objective == "Hypertonic left upper trapezius."
    assert editor.addenda_view.isVisible()


def test_the_practice_keeps_its_own_cpt_labels(
    qtbot: QtBot, editor: VisitNoteEditor, charted: Charted
) -> None:
    billing = editor.billing
    row = billing.add_line()
    billing.set_cell(row, BillingColumn.CPT, "97140")
    billing.set_cell(row, BillingColumn.LABEL, "Manual therapy (our label)")
    second = billing.add_line()
    billing.set_cell(second, BillingColumn.CPT, "97140")
    label = billing.table.item(second, BillingColumn.LABEL)
    assert label is not None and label.text() == "Manual therapy (our label)"


def test_signing_with_likely_denials_asks_once_more(
    qtbot: QtBot, editor: VisitNoteEditor, db: Database, charted: Charted
) -> None:
    wait_for_icd10(30)
    editor.billing.icd_picker.add_code("M54.5")  # a category: not billable
    editor.draft_from_chart()
    summary = sign_by_button(qtbot, editor, confirm=False)
    assert summary is not None and "Likely to be denied" in summary and "M54.5" in summary
    assert not editor.is_signed(), "cancelled: nothing signed"
    assert sign_by_button(qtbot, editor) is not None  # "Sign anyway"
    assert editor.is_signed()
    with db.read() as session:
        assert get_visit(session, charted.visit_id).icd10_codes == ["M54.2", "M54.5"]


def test_a_visit_without_a_therapist_asks_who_signs_instead_of_guessing(
    qtbot: QtBot, db: Database, practice: SmallPractice
) -> None:
    with db.write() as session:
        visit = create_visit(
            session,
            practice.zoe_id,
            provider_id=None,
            start=dt.datetime(2026, 10, 20, 9, 0),
            end=dt.datetime(2026, 10, 20, 10, 0),
        )
        complete_the_note(session, visit.id)
        visit_id = visit.id
    editor = _open(qtbot, db, visit_id)
    assert editor.provider_combo.currentText() == "Choose who signs…"
    assert editor.provider_combo.currentData() is None
    assert not editor.sign()
    assert "Choose the provider who signs the note" in editor.sign_problem.text()
    with db.read() as session:
        assert get_visit(session, visit_id).signed_at is None


def test_draft_from_chart_fills_techniques_and_pressure_from_the_marks(
    qtbot: QtBot, db: Database, charted: Charted
) -> None:
    with db.write() as session:
        treated = (
            ("upper_trapezius.r", "right", "Myofascial release", 2, 10),
            ("upper_trapezius.r", "right", "trigger point therapy", 4, 10),
            # the same technique charted again, in other letters: named once
            ("upper_trapezius.l", "left", "myofascial release", 3, None),
        )
        for region, side, technique, pressure, minutes in treated:
            session.add(
                _mark(
                    charted.visit_id,
                    MarkKind.TREATED,
                    region,
                    side,
                    None,
                    whole_region=True,
                    technique=technique,
                    pressure=pressure,
                    minutes=minutes,
                )
            )
    editor = _open(qtbot, db, charted.visit_id)
    editor.sections.setCurrentIndex(1)
    qtbot.mouseClick(editor.draft_button, Qt.MouseButton.LeftButton)
    assert editor.techniques.text() == "Myofascial release, trigger point therapy"
    assert editor.pressure.currentData() == 4  # the deepest charted
    with db.read() as session:
        visit = get_visit(session, charted.visit_id)
        assert (list(visit.techniques), visit.pressure) == (
            ["Myofascial release", "trigger point therapy"],
            4,
        )

    # What the therapist typed is theirs: a second draft leaves it.
    editor.techniques.setFocus()
    editor.techniques.selectAll()
    type_text(editor.techniques, "Swedish")
    editor.pressure.setCurrentIndex(editor.pressure.findData(2))
    qtbot.mouseClick(editor.draft_button, Qt.MouseButton.LeftButton)
    assert (editor.techniques.text(), editor.pressure.currentData()) == ("Swedish", 2)


def test_each_billing_lines_units_are_explained_under_the_table(editor: VisitNoteEditor) -> None:
    billing = editor.billing
    editor.sections.setCurrentIndex(3)
    row = billing.add_line("97140", 38)
    billing.table.setCurrentCell(row, BillingColumn.MINUTES)
    explained = billing.units_label.text()
    assert explained.startswith("97140: 38 min") and "3 units" in explained
    assert billing.units_label.isVisibleTo(billing)
    units = billing.table.item(row, BillingColumn.UNITS)
    assert units is not None and units.toolTip() == explained


def test_the_header_says_the_visits_place_on_the_claim_and_warns_past_it(
    qtbot: QtBot, db: Database, charted: Charted
) -> None:
    """Zoë's third visit on a claim authorising two: said under the title, in the alert colour,
    with the reason as its tooltip, and the same warning when signing."""
    with db.write() as session:
        visit = get_visit(session, charted.visit_id)
        claim = session.get(Claim, visit.claim_id)
        assert claim is not None
        claim.authorised_visits = 2
    editor = _open(qtbot, db, charted.visit_id)
    assert editor.claim_label.isVisible()
    assert editor.claim_label.text() == "Visit 3: 1 past the 2 authorised"
    assert "ask the payer for more visits" in editor.claim_label.toolTip()
    with db.write() as session:
        claim = session.get(Claim, get_visit(session, charted.visit_id).claim_id)
        assert claim is not None
        claim.authorised_visits = 12
    editor.reload()
    assert editor.claim_label.text() == "Visit 3 of 12 authorised"
    assert editor.claim_label.toolTip() == ""
