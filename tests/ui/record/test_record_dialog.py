"""The client record window: every field saved, validation that keeps what was typed, alerts."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QTableWidgetItem,
)
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from massage_chart.domain.alerts import AlertTier
from massage_chart.domain.record_kinds import ConsentKind, MedicationClass, PayerType, UnitRule
from massage_chart.storage.database import Database
from massage_chart.storage.models import Claim, Consent, Referral
from massage_chart.storage.repositories import (
    get_client,
    health_history_versions,
    latest_health_history,
)
from massage_chart.ui.record.fields import wait_for_icd10
from massage_chart.ui.record.health_history import HealthHistoryPage, MedColumn
from massage_chart.ui.record.record_dialog import ClientRecordDialog, RecordTab
from tests.ui.conftest import TODAY, SmallPractice, type_text

# Showing a top-level dialog offscreen makes Qt say this once; it means nothing there.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.fixture
def dialog(qtbot: QtBot, db: Database, practice: SmallPractice) -> ClientRecordDialog:
    """Zoë's record, shown."""
    record = ClientRecordDialog(db, practice.zoe_id, today=lambda: TODAY)
    qtbot.addWidget(record)
    record.show()
    qtbot.waitExposed(record)
    return record


def _set(widget: QLineEdit | QPlainTextEdit, text: str) -> None:
    if isinstance(widget, QPlainTextEdit):
        widget.setPlainText(text)
    else:
        widget.selectAll()
        widget.del_()
        type_text(widget, text)


def _name_cell(page: HealthHistoryPage, row: int) -> QTableWidgetItem:
    item = page.medications.item(row, MedColumn.NAME)
    assert item is not None
    return item


def test_every_detail_field_is_saved(
    qtbot: QtBot, dialog: ClientRecordDialog, db: Database, practice: SmallPractice
) -> None:
    page = dialog.details_page
    values = {
        "preferred_name": "Zo",
        "date_of_birth": "1986-03-15",
        "gender": "female",
        "pronouns": "she/her",
        "occupation": "Barista",
        "phone": "555 111 2222",
        "alternate_phone": "555 333 4444",
        "email": "zoe.n@example.org",
        "address": "12 Harbor St\nSeattle WA",
        "emergency_contact_name": "Minh Nguyễn",
        "emergency_contact_phone": "555 999 0000",
        "emergency_contact_relationship": "brother",
        "primary_care_provider": "Dr. Alvarez",
        "primary_care_phone": "555 777 8888",
        "referring_provider": "Dr. Priya Raman",
        "goals": "Turn head to check blind spot without pain",
        "pressure_preference": "Medium, lighter on the neck",
        "notes": "Prefers morning visits",
    }
    for name, text in values.items():
        _set(page.fields[name], text)
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    with db.read() as session:
        client = get_client(session, practice.zoe_id)
        for name, text in values.items():
            stored = getattr(client, name)
            assert (stored.isoformat() if isinstance(stored, dt.date) else stored) == text, name
    assert not page.is_modified()


def test_wrong_fields_say_what_is_wrong_and_keep_the_text(
    qtbot: QtBot, dialog: ClientRecordDialog, db: Database, practice: SmallPractice
) -> None:
    page = dialog.details_page
    _set(page.fields["date_of_birth"], "2031-01-02")
    _set(page.fields["email"], "zoe.example.com")
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert "in the future" in page.problems["date_of_birth"].text()
    assert "needs an @" in page.problems["email"].text()
    assert page.fields["email"].text() == "zoe.example.com"  # type: ignore[union-attr]
    with db.read() as session:
        client = get_client(session, practice.zoe_id)
        assert client.email == "zoe@example.com"
        assert client.date_of_birth == dt.date(1986, 3, 14)
    dialog.close()
    assert dialog.isVisible() and dialog.unsaved_box is not None
    dialog.unsaved_box.done(QMessageBox.StandardButton.Discard.value)
    assert not dialog.isVisible()


def test_claim_referral_and_consent_forms(
    qtbot: QtBot, dialog: ClientRecordDialog, db: Database, practice: SmallPractice
) -> None:
    wait_for_icd10(30)
    dialog.tabs.setCurrentIndex(RecordTab.CLAIMS)
    claims = dialog.claims_page
    qtbot.mouseClick(claims.new_button, Qt.MouseButton.LeftButton)
    claims.payer_type.setCurrentIndex(claims.payer_type.findData(PayerType.WORKERS_COMP))
    _set(claims.payer_name, "WA L&I")
    _set(claims.claim_number, "BB12345")
    _set(claims.policy_number, "P-77")
    _set(claims.adjuster, "Kim Park")
    _set(claims.date_of_injury, "2026-09-30")
    claims.authorised_visits.setValue(12)
    claims.unit_rule.setCurrentIndex(claims.unit_rule.findData(UnitRule.AMA))
    qtbot.mouseClick(claims.save_button, Qt.MouseButton.LeftButton)

    dialog.tabs.setCurrentIndex(RecordTab.REFERRALS)
    referrals = dialog.referrals_page
    qtbot.mouseClick(referrals.new_button, Qt.MouseButton.LeftButton)
    _set(referrals.prescriber, "Dr. Ana Costa")
    _set(referrals.prescriber_npi, "1234567890")
    assert "check digit" in referrals.problems["prescriber_npi"].text()
    qtbot.mouseClick(referrals.save_button, Qt.MouseButton.LeftButton)
    assert referrals.prescriber_npi.text() == "1234567890"
    _set(referrals.prescriber_npi, "1234567893")
    _set(referrals.referral_date, "2026-10-02")
    _set(referrals.expires_on, "2027-01-02")
    type_text(referrals.codes.search_field, "m54.5")
    assert referrals.codes.results.count() > 0
    referrals.codes.add_code("M54.5")
    assert any("not a billable" in m or "category" in m for m in referrals.codes.issue_messages())
    referrals.codes.search_field.clear()
    type_text(referrals.codes.search_field, "cervicalgia")
    qtbot.keyClick(referrals.codes.search_field, Qt.Key.Key_Return)
    referrals.visits_authorised.setValue(8)
    _set(referrals.frequency, "2x/week for 4 weeks")
    qtbot.mouseClick(referrals.save_button, Qt.MouseButton.LeftButton)
    assert referrals.problems["prescriber_npi"].text() == ""

    dialog.tabs.setCurrentIndex(RecordTab.CONSENTS)
    consents = dialog.consents_page
    qtbot.mouseClick(consents.new_button, Qt.MouseButton.LeftButton)
    _set(consents.signed_on, "2025-01-10")
    _set(consents.expires_on, "2026-01-10")
    assert "expired on 10 Jan 2026" in consents.problems["expires_on"].text()
    qtbot.mouseClick(consents.save_button, Qt.MouseButton.LeftButton)
    _set(consents.signed_on, "2026-11-20")
    consents.kind.setCurrentIndex(consents.kind.findData(ConsentKind.SENSITIVE_AREAS))
    qtbot.mouseClick(consents.save_button, Qt.MouseButton.LeftButton)

    with db.read() as session:
        claim = session.scalars(select(Claim).where(Claim.claim_number == "BB12345")).one()
        assert (claim.payer_type, claim.unit_rule, claim.authorised_visits, claim.adjuster) == (
            PayerType.WORKERS_COMP,
            UnitRule.AMA,
            12,
            "Kim Park",
        )
        assert claim.date_of_injury == dt.date(2026, 9, 30)
        referral = session.scalars(
            select(Referral).where(Referral.prescriber == "Dr. Ana Costa")
        ).one()
        assert referral.prescriber_npi == "1234567893"
        assert referral.icd10_codes == ["M54.5", "M54.2"]
        assert (referral.visits_authorised, referral.expires_on) == (8, dt.date(2027, 1, 2))
        consent_rows = session.scalars(select(Consent)).all()
        assert [(c.kind, c.signed_on, c.expires_on) for c in consent_rows] == [
            (ConsentKind.SENSITIVE_AREAS, dt.date(2026, 11, 20), dt.date(2027, 11, 20))
        ]


def test_health_history_versions_and_medication_classes(
    qtbot: QtBot, dialog: ClientRecordDialog, db: Database, practice: SmallPractice
) -> None:
    page = dialog.health_page
    dialog.tabs.setCurrentIndex(RecordTab.HEALTH)
    page.conditions_edit.setPlainText("osteopenia")
    # Typed into the cell editor, the class follows each keystroke.
    page.medications.setCurrentCell(0, MedColumn.NAME)
    page.medications.editItem(_name_cell(page, 0))
    editor = page.medications.focusWidget()
    assert isinstance(editor, QLineEdit)
    type_text(editor, "Eliquis")
    assert page.medication_class(0) is MedicationClass.ANTICOAGULANT
    type_text(editor, " 5 mg")
    page.medications.commitData(editor)
    page.medications.closeEditor(editor, QAbstractItemDelegate.EndEditHint.NoHint)
    assert _name_cell(page, 0).text() == "Eliquis 5 mg"
    _name_cell(page, 1).setText("Vitamin D")
    page.set_medication_class(1, MedicationClass.OTHER)
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert AlertTier.DEEP_TISSUE_CAUTION in dialog.banner.shown_tiers()

    page.allergies_edit.setPlainText("lavender oil")
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    with db.read() as session:
        versions = health_history_versions(session, practice.zoe_id)
        latest = latest_health_history(session, practice.zoe_id)
    assert [v.version for v in versions] == [2, 1]
    assert latest is not None
    assert [(m.name, m.med_class) for m in latest.medications] == [
        ("Eliquis 5 mg", MedicationClass.ANTICOAGULANT),
        ("Vitamin D", MedicationClass.OTHER),
    ]
    assert [a.substance for a in versions[1].allergies] == []
    assert "Version 2" in page.version_combo.itemText(0)
    page.version_combo.setCurrentIndex(1)
    assert page.is_read_only() and page.allergies_edit.isReadOnly()
    assert not page.save_button.isEnabled()
    assert page.allergies_edit.toPlainText() == ""


def test_alert_tiers_and_clearance_on_file(
    qtbot: QtBot, dialog: ClientRecordDialog, db: Database, practice: SmallPractice
) -> None:
    page = dialog.health_page
    page.conditions_edit.setPlainText("DVT left calf\nheart disease\nosteoporosis")
    page.surgeries_edit.setPlainText("appendectomy 2026-11-10")
    page.allergies_edit.setPlainText("latex")
    page.pregnant_check.setChecked(True)
    page.pregnancy_weeks.setValue(24)
    dialog.save_health_history()
    tiers = dialog.banner.shown_tiers()
    assert tiers[:2] == [AlertTier.STOP_REFER, AlertTier.CLEARANCE]
    assert AlertTier.DEEP_TISSUE_CAUTION in tiers
    assert AlertTier.POSITIONING in tiers
    texts = dialog.banner.tier_texts()
    assert any("DVT" in line or "clot" in line for line in texts[AlertTier.STOP_REFER])
    clearance_codes = list(dialog.banner.clearance_buttons)
    assert clearance_codes
    for code in clearance_codes:
        qtbot.mouseClick(dialog.banner.clearance_buttons[code], Qt.MouseButton.LeftButton)
    assert AlertTier.CLEARANCE not in dialog.banner.shown_tiers()
    with db.read() as session:
        assert session.scalars(select(Consent)).all()


def test_a_details_save_is_one_undo_step(
    qtbot: QtBot, dialog: ClientRecordDialog, db: Database, practice: SmallPractice
) -> None:
    page = dialog.details_page
    _set(page.fields["email"], "zoe.n@example.org")
    _set(page.fields["pressure_preference"], "Light")
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    _set(page.fields["occupation"], "Barista")  # typed, not saved: undo leaves it alone
    qtbot.mouseClick(dialog.undo_button, Qt.MouseButton.LeftButton)
    assert page.fields["occupation"].text() == "Barista"  # type: ignore[union-attr]
    with db.read() as session:
        client = get_client(session, practice.zoe_id)
        assert (client.email, client.pressure_preference) == ("zoe@example.com", "")
    assert page.fields["email"].text() == "zoe@example.com"  # type: ignore[union-attr]
    qtbot.mouseClick(dialog.redo_button, Qt.MouseButton.LeftButton)
    with db.read() as session:
        client = get_client(session, practice.zoe_id)
        assert (client.email, client.pressure_preference) == ("zoe.n@example.org", "Light")
        assert client.occupation == ""
    assert page.is_modified()  # the occupation is still only typed
