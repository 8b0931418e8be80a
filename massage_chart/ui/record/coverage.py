"""Who pays and what allows treatment: insurance claims, referrals and consents, each a list + form."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from massage_chart.domain import limits
from massage_chart.domain.client_file import ClaimInfo, ConsentInfo, ReferralInfo
from massage_chart.domain.identifiers import npi_problem
from massage_chart.domain.presentation import PAYER_LABELS, UNIT_RULE_LABELS
from massage_chart.domain.record_kinds import ConsentKind, PayerType
from massage_chart.ui.formatting import format_date
from massage_chart.ui.record.fields import (
    DateField,
    ProblemLabel,
    capped_line,
    count_value,
    expiry_text,
    optional_count,
    scrolling,
    show_line_text,
)
from massage_chart.ui.record.icd_picker import Icd10Picker

CONSENT_LABELS = {
    ConsentKind.TREATMENT: "Consent to treatment",
    ConsentKind.SENSITIVE_AREAS: "Sensitive areas",
    ConsentKind.THIRD_PARTY_BILLING: "Third-party billing",
}
CONSENT_YEARS = 1
"""Washington treats a consent as valid for a year (DOMAIN.md §4.1): the default expiry."""


class _ListFormPage(QWidget):
    """A list of rows on the left and the selected row's form on the right.

    Signals:
        save_requested(): the Save button was pressed.
    """

    save_requested = Signal()

    def __init__(self, noun: str, today: Callable[[], dt.date], parent: QWidget | None) -> None:
        super().__init__(parent)
        self._noun = noun
        self._today = today
        self._ids: list[str] = []
        self.current_id: str | None = None
        self.list_widget = QListWidget()
        self.list_widget.setAccessibleName(f"{noun.capitalize()}s")
        self.list_widget.setMaximumWidth(300)
        self.new_button = QPushButton(f"New {noun}")
        self.form = QFormLayout()
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.problems: dict[str, ProblemLabel] = {}
        self.problem_label = ProblemLabel()
        self.save_button = QPushButton(f"&Save {noun}")
        self.save_button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)

        left = QVBoxLayout()
        left.addWidget(self.list_widget, 1)
        left.addWidget(self.new_button)
        bottom = QHBoxLayout()
        bottom.addWidget(self.problem_label, 1)
        bottom.addStretch(1)
        bottom.addWidget(self.save_button, 0, Qt.AlignmentFlag.AlignTop)
        form_column = QVBoxLayout()
        form_column.addLayout(self.form)
        form_column.addStretch(1)
        right = QVBoxLayout()
        right.addWidget(scrolling(form_column), 1)
        right.addLayout(bottom)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addLayout(left)
        layout.addLayout(right, 1)
        self.list_widget.currentRowChanged.connect(self._on_list_widget_current_row_changed)
        self.new_button.clicked.connect(self._on_new_button_clicked)
        self.save_button.clicked.connect(self.save_requested)

    def add_field(self, name: str, label: str, widget: QWidget) -> None:
        """A form row with a problem line under the field."""
        problem = ProblemLabel()
        self.problems[name] = problem
        column = QWidget()
        column_layout = QVBoxLayout(column)
        column_layout.setContentsMargins(0, 0, 0, 0)
        column_layout.setSpacing(2)
        column_layout.addWidget(widget)
        column_layout.addWidget(problem)
        widget.setAccessibleName(label.replace("&", ""))
        self.form.addRow(f"{label}:", column)

    def show_problems(self, problems: dict[str, str], fields: dict[str, QWidget]) -> bool:
        """Show each problem under its field; True when there are none."""
        for name, label in self.problems.items():
            label.say(problems.get(name, ""))
        errors = {k: v for k, v in problems.items() if not k.endswith("!")}
        if errors:
            first = next(iter(errors))
            if first in fields:
                fields[first].setFocus(Qt.FocusReason.OtherFocusReason)
            self.problem_label.say("Not saved: fix the fields marked in red.")
            return False
        self.problem_label.say("")
        return True

    def set_rows(self, rows: Sequence[tuple[str, str]], select_id: str | None) -> None:
        """List rows (id, text) and select one (or the last, or a blank form)."""
        self._ids = [row_id for row_id, _ in rows]
        self.list_widget.blockSignals(True)
        self.list_widget.clear()
        for _row_id, text in rows:
            self.list_widget.addItem(QListWidgetItem(text))
        self.list_widget.blockSignals(False)
        wanted = select_id if select_id in self._ids else (self._ids[-1] if self._ids else None)
        if wanted is None:
            self.current_id = None
            self.clear_form()
        else:
            self.list_widget.setCurrentRow(self._ids.index(wanted))

    def clear_form(self) -> None:
        """Empty the form for a new row."""
        raise NotImplementedError

    def fill_form(self, row_id: str) -> None:
        """Show a row in the form."""
        raise NotImplementedError

    @Slot(int)
    def _on_list_widget_current_row_changed(self, row: int) -> None:
        if 0 <= row < len(self._ids):
            self.current_id = self._ids[row]
            self.fill_form(self._ids[row])
            for label in self.problems.values():
                label.say("")
            self.problem_label.say("")

    @Slot()
    def _on_new_button_clicked(self) -> None:
        self.list_widget.blockSignals(True)
        self.list_widget.clearSelection()
        self.list_widget.setCurrentRow(-1)
        self.list_widget.blockSignals(False)
        self.current_id = None
        self.clear_form()


# --------------------------------------------------------------------------- claims


def claim_text(claim: ClaimInfo) -> str:
    """A claim as its list row reads."""
    parts = [PAYER_LABELS[claim.payer_type]]
    if claim.payer_name:
        parts.append(claim.payer_name)
    if claim.claim_number:
        parts.append(f"#{claim.claim_number}")
    return " · ".join(parts) + ("" if claim.active else " (closed)")


class ClaimsPage(_ListFormPage):
    """Insurance claims: payer, numbers, adjuster, date of injury, visits authorised, unit rule."""

    def __init__(self, today: Callable[[], dt.date], parent: QWidget | None = None) -> None:
        super().__init__("claim", today, parent)
        self._claims: dict[str, ClaimInfo] = {}
        self.payer_type = QComboBox()
        for payer, label in PAYER_LABELS.items():
            self.payer_type.addItem(label, payer)
        self.payer_name = capped_line(limits.CLAIM["payer_name"])
        self.claim_number = capped_line(limits.CLAIM["claim_number"])
        self.policy_number = capped_line(limits.CLAIM["policy_number"])
        self.adjuster = capped_line(limits.CLAIM["adjuster"])
        self.date_of_injury = DateField()
        self.authorised_visits = optional_count()
        self.unit_rule = QComboBox()
        for rule, label in UNIT_RULE_LABELS.items():
            self.unit_rule.addItem(label, rule)
        self.active = QCheckBox("Open (new visits are billed to it)")
        self.fields: dict[str, QWidget] = {
            "payer_type": self.payer_type,
            "payer_name": self.payer_name,
            "claim_number": self.claim_number,
            "policy_number": self.policy_number,
            "adjuster": self.adjuster,
            "date_of_injury": self.date_of_injury,
            "authorised_visits": self.authorised_visits,
            "unit_rule": self.unit_rule,
            "active": self.active,
        }
        labels = (
            "Payer type", "Payer", "Claim number", "Policy number", "Adjuster",
            "Date of injury", "Visits authorised", "Unit rule", "Status",
        )  # fmt: skip
        for (name, widget), label in zip(self.fields.items(), labels, strict=True):
            self.add_field(name, label, widget)
        self.clear_form()

    def load(self, claims: Sequence[ClaimInfo], select_id: str | None = None) -> None:
        """List the client's claims."""
        self._claims = {c.id: c for c in claims}
        self.set_rows([(c.id, claim_text(c)) for c in claims], select_id)

    def clear_form(self) -> None:
        """A blank claim: commercial payer, CMS rule unless changed, open."""
        self.payer_type.setCurrentIndex(self.payer_type.findData(PayerType.COMMERCIAL))
        for edit in (self.payer_name, self.claim_number, self.policy_number, self.adjuster):
            edit.clear()
        self.date_of_injury.clear()
        self.authorised_visits.setValue(0)
        self.unit_rule.setCurrentIndex(0)
        self.active.setChecked(True)

    def fill_form(self, row_id: str) -> None:
        """Show a claim."""
        claim = self._claims[row_id]
        self.payer_type.setCurrentIndex(self.payer_type.findData(claim.payer_type))
        show_line_text(self.payer_name, claim.payer_name)
        show_line_text(self.claim_number, claim.claim_number)
        show_line_text(self.policy_number, claim.policy_number)
        show_line_text(self.adjuster, claim.adjuster)
        self.date_of_injury.set_date(claim.date_of_injury)
        self.authorised_visits.setValue(claim.authorised_visits or 0)
        self.unit_rule.setCurrentIndex(self.unit_rule.findData(claim.unit_rule))
        self.active.setChecked(claim.active)

    def validate(self) -> dict[str, Any] | None:
        """The claim's fields, or None after saying what is wrong."""
        problems: dict[str, str] = {}
        injury, error = self.date_of_injury.date()
        if error:
            problems["date_of_injury"] = error
        elif injury is not None and injury > self._today():
            problems["date_of_injury"] = (
                f"The date of injury {format_date(injury)} is in the future. Check the year."
            )
        payer = self.payer_type.currentData()
        if payer is not PayerType.SELF_PAY and not self.payer_name.text().strip():
            problems["payer_name"] = "Name the insurer or payer."
        if not self.show_problems(problems, self.fields):
            return None
        return {
            "payer_type": payer,
            "payer_name": self.payer_name.text().strip(),
            "claim_number": self.claim_number.text().strip(),
            "policy_number": self.policy_number.text().strip(),
            "adjuster": self.adjuster.text().strip(),
            "date_of_injury": injury,
            "authorised_visits": count_value(self.authorised_visits),
            "unit_rule": self.unit_rule.currentData(),
            "active": self.active.isChecked(),
        }


# --------------------------------------------------------------------------- referrals


def referral_text(referral: ReferralInfo, today: dt.date) -> str:
    """A referral as its list row reads."""
    parts = [referral.prescriber or "Referral"]
    if referral.referral_date:
        parts.append(format_date(referral.referral_date))
    expiry = expiry_text(referral.expires_on, today)
    if expiry:
        parts.append(expiry)
    codes = ", ".join(str(c) for c in referral.icd10_codes or [])
    return " · ".join(parts) + (f"\n{codes}" if codes else "")


class ReferralsPage(_ListFormPage):
    """Prescriptions and referrals: prescriber, NPI, dates, ICD-10 codes, visits, frequency."""

    def __init__(self, today: Callable[[], dt.date], parent: QWidget | None = None) -> None:
        super().__init__("referral", today, parent)
        self._referrals: dict[str, ReferralInfo] = {}
        self.prescriber = capped_line(limits.REFERRAL["prescriber"])
        self.prescriber.setPlaceholderText("Dr. Priya Raman, MD")
        self.prescriber_npi = capped_line(12)  # ten digits, and room for stray spaces
        self.prescriber_npi.setMaximumWidth(160)
        self.prescriber_phone = capped_line(limits.REFERRAL["prescriber_phone"])
        self.claim = QComboBox()
        self.referral_date = DateField()
        self.expires_on = DateField()
        self.codes = Icd10Picker()
        self.visits_authorised = optional_count()
        self.frequency = capped_line(limits.REFERRAL["frequency"])
        self.frequency.setPlaceholderText("e.g. 2x/week for 4 weeks")
        self.instructions = QPlainTextEdit()
        self.instructions.setFixedHeight(50)
        self.instructions.setTabChangesFocus(True)
        self.fields: dict[str, QWidget] = {
            "prescriber": self.prescriber,
            "prescriber_npi": self.prescriber_npi,
            "prescriber_phone": self.prescriber_phone,
            "claim_id": self.claim,
            "referral_date": self.referral_date,
            "expires_on": self.expires_on,
            "icd10_codes": self.codes,
            "visits_authorised": self.visits_authorised,
            "frequency": self.frequency,
            "instructions": self.instructions,
        }
        labels = (
            "Prescriber", "Prescriber NPI", "Their phone", "For claim", "Referral date",
            "Expires", "ICD-10 codes", "Visits authorised", "Frequency", "Instructions",
        )  # fmt: skip
        for (name, widget), label in zip(self.fields.items(), labels, strict=True):
            self.add_field(name, label, widget)
        self.prescriber_npi.textEdited.connect(self._on_prescriber_npi_text_edited)
        self.clear_form()

    def load(
        self,
        referrals: Sequence[ReferralInfo],
        claims: Sequence[ClaimInfo],
        select_id: str | None = None,
    ) -> None:
        """List the client's referrals; the claim picker lists their claims."""
        self._referrals = {r.id: r for r in referrals}
        self.claim.clear()
        self.claim.addItem("—", None)
        for claim in claims:
            self.claim.addItem(claim_text(claim), claim.id)
        today = self._today()
        self.set_rows([(r.id, referral_text(r, today)) for r in referrals], select_id)

    def clear_form(self) -> None:
        """A blank referral."""
        for edit in (self.prescriber, self.prescriber_npi, self.prescriber_phone, self.frequency):
            edit.clear()
        self.referral_date.clear()
        self.expires_on.clear()
        self.instructions.clear()
        self.codes.set_codes([])
        self.visits_authorised.setValue(0)
        self.claim.setCurrentIndex(self.claim.count() - 1 if self.claim.count() > 1 else 0)

    def fill_form(self, row_id: str) -> None:
        """Show a referral."""
        referral = self._referrals[row_id]
        show_line_text(self.prescriber, referral.prescriber)
        show_line_text(self.prescriber_npi, referral.prescriber_npi)
        show_line_text(self.prescriber_phone, referral.prescriber_phone)
        self.claim.setCurrentIndex(max(self.claim.findData(referral.claim_id), 0))
        self.referral_date.set_date(referral.referral_date)
        self.expires_on.set_date(referral.expires_on)
        self.codes.set_codes([str(c) for c in referral.icd10_codes or []])
        self.visits_authorised.setValue(referral.visits_authorised or 0)
        show_line_text(self.frequency, referral.frequency)
        self.instructions.setPlainText(referral.instructions)

    def validate(self) -> dict[str, Any] | None:
        """The referral's fields, or None after saying what is wrong."""
        problems: dict[str, str] = {}
        if not self.prescriber.text().strip():
            problems["prescriber"] = "Name who referred or prescribed."
        npi = npi_problem(self.prescriber_npi.text())
        if npi:
            problems["prescriber_npi"] = npi
        referred, error = self.referral_date.date()
        if error:
            problems["referral_date"] = error
        elif referred is not None and referred > self._today():
            problems["referral_date"] = (
                f"The referral date {format_date(referred)} is in the future."
            )
        expires, error = self.expires_on.date()
        if error:
            problems["expires_on"] = error
        elif expires is not None and referred is not None and expires < referred:
            problems["expires_on"] = "The referral expires before it was written; check the dates."
        elif expires is not None and expires < self._today():
            problems["expires_on!"] = (
                f"This referral expired on {format_date(expires)}: new visits will not use it."
            )
        if not self.show_problems(problems, self.fields):
            return None
        self.problems["expires_on"].say(problems.get("expires_on!", ""))
        return {
            "prescriber": self.prescriber.text().strip(),
            "prescriber_npi": self.prescriber_npi.text().strip(),
            "prescriber_phone": self.prescriber_phone.text().strip(),
            "claim_id": self.claim.currentData(),
            "referral_date": referred,
            "expires_on": expires,
            "icd10_codes": self.codes.codes(),
            "visits_authorised": count_value(self.visits_authorised),
            "frequency": self.frequency.text().strip(),
            "instructions": self.instructions.toPlainText().strip(),
        }

    @Slot(str)
    def _on_prescriber_npi_text_edited(self, text: str) -> None:
        # Say it as soon as ten digits are in; while typing the first nine, stay quiet.
        digits = text.strip()
        self.problems["prescriber_npi"].say(npi_problem(digits) or "" if len(digits) >= 10 else "")


# --------------------------------------------------------------------------- consents


def consent_text(consent: ConsentInfo, today: dt.date) -> str:
    """A consent as its list row reads."""
    clearance = [str(code) for code in consent.clearance_codes or ()]
    label = (
        "Physician clearance (" + ", ".join(sorted(clearance)) + ")"
        if clearance
        else CONSENT_LABELS[consent.kind]
    )
    parts = [label, f"signed {format_date(consent.signed_on)}"]
    expiry = expiry_text(consent.expires_on, today)
    if expiry:
        parts.append(
            expiry.upper() if consent.expires_on and consent.expires_on < today else expiry
        )
    return " · ".join(parts)


class ConsentsPage(_ListFormPage):
    """Signed consents: what they cover, when signed, when they expire."""

    def __init__(self, today: Callable[[], dt.date], parent: QWidget | None = None) -> None:
        super().__init__("consent", today, parent)
        self._consents: dict[str, ConsentInfo] = {}
        self.kind = QComboBox()
        for kind, label in CONSENT_LABELS.items():
            self.kind.addItem(label, kind)
        self.signed_on = DateField()
        self.expires_on = DateField()
        self.notes = QPlainTextEdit()
        self.notes.setFixedHeight(60)
        self.notes.setTabChangesFocus(True)
        self.fields: dict[str, QWidget] = {
            "kind": self.kind,
            "signed_on": self.signed_on,
            "expires_on": self.expires_on,
            "notes": self.notes,
        }
        for (name, widget), label in zip(
            self.fields.items(), ("Covers", "Signed on", "Expires", "Notes"), strict=True
        ):
            self.add_field(name, label, widget)
        self.signed_on.textEdited.connect(self._on_signed_on_text_edited)
        self.expires_on.textEdited.connect(self._on_expires_on_text_edited)
        self.clear_form()

    def load(self, consents: Sequence[ConsentInfo], select_id: str | None = None) -> None:
        """List the client's consents."""
        self._consents = {c.id: c for c in consents}
        today = self._today()
        self.set_rows([(c.id, consent_text(c, today)) for c in consents], select_id)

    def clear_form(self) -> None:
        """A blank consent to treatment signed today, expiring in a year."""
        today = self._today()
        self.kind.setCurrentIndex(0)
        self.signed_on.set_date(today)
        self.expires_on.set_date(_a_year_after(today))
        self.notes.clear()

    def fill_form(self, row_id: str) -> None:
        """Show a consent."""
        consent = self._consents[row_id]
        self.kind.setCurrentIndex(self.kind.findData(consent.kind))
        self.signed_on.set_date(consent.signed_on)
        self.expires_on.set_date(consent.expires_on)
        self.notes.setPlainText(consent.notes)
        self._on_expires_on_text_edited(self.expires_on.text())

    def validate(self) -> dict[str, Any] | None:
        """The consent's fields, or None after saying what is wrong."""
        problems: dict[str, str] = {}
        today = self._today()
        signed, error = self.signed_on.date()
        if error:
            problems["signed_on"] = error
        elif signed is None:
            problems["signed_on"] = "Type the date the consent was signed."
        elif signed > today:
            problems["signed_on"] = f"The signing date {format_date(signed)} is in the future."
        expires, error = self.expires_on.date()
        if error:
            problems["expires_on"] = error
        elif expires is not None and signed is not None and expires < signed:
            problems["expires_on"] = "The consent expires before it was signed; check the dates."
        elif expires is not None and expires < today:
            problems["expires_on"] = (
                f"This consent expired on {format_date(expires)}. Have the client sign a new "
                "one and record that, or correct the expiry date."
            )
        if not self.show_problems(problems, self.fields):
            return None
        return {
            "kind": self.kind.currentData(),
            "signed_on": signed,
            "expires_on": expires,
            "notes": self.notes.toPlainText().strip(),
        }

    @Slot(str)
    def _on_signed_on_text_edited(self, text: str) -> None:
        signed, error = self.signed_on.date()
        if signed is not None and not error:
            self.expires_on.set_date(_a_year_after(signed))
            self._on_expires_on_text_edited(self.expires_on.text())

    @Slot(str)
    def _on_expires_on_text_edited(self, _text: str) -> None:
        expires, error = self.expires_on.date()
        today = self._today()
        message = ""
        if expires is not None and not error and expires < today:
            message = f"This consent expired on {format_date(expires)}."
        self.problems["expires_on"].say(message)


def _a_year_after(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year + CONSENT_YEARS)
    except ValueError:  # 29 February
        return day.replace(year=day.year + CONSENT_YEARS, day=28)
