"""The SOAP note editor of one visit: sections, drafting from the chart, billing, signing, addenda."""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShortcut, QTextCursor
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from massage_chart.domain.alerts import (
    Alert,
    TreatmentWarning,
    assess_health,
    blocking_alerts,
    recommended_max_pressure,
    treatment_plan_warnings,
)
from massage_chart.domain.authorisation import authorisation_lines, authorisation_warnings
from massage_chart.domain.limits import VISIT_NOTE
from massage_chart.domain.marks import WALTON_PRESSURE_LEVELS, Side
from massage_chart.domain.record_kinds import VisitStatus
from massage_chart.domain.sign_rules import BilledLine, describe_problems, describe_signature
from massage_chart.domain.soap import (
    draft_changes,
    objective_draft,
    soap_templates,
    treatment_from_findings,
)
from massage_chart.storage.client_records import (
    NOTE_FIELD_NAMES,
    BillingLineData,
    NoteChangedElsewhereError,
    add_addendum,
    note_values_differ,
    override_reasons,
    previous_visit_findings,
    record_override,
    replace_billing_lines,
    set_supervisor,
    sign_and_record,
    sign_check,
    update_visit_note,
    visit_findings,
)
from massage_chart.storage.database import Database
from massage_chart.storage.drafts import Draft, DraftError, DraftStore, draft_key
from massage_chart.storage.note_drafts import (
    draft_billing_lines,
    note_draft_changes,
    note_draft_fields,
)
from massage_chart.storage.overviews import NoteData, load_note
from massage_chart.storage.signing import SignRefusedError
from massage_chart.ui.dialogs import ask_to_discard
from massage_chart.ui.formatting import (
    format_date,
    format_recorded_time,
    format_time,
    format_time_span,
)
from massage_chart.ui.note.addendum import AddendumDialog
from massage_chart.ui.note.billing import BillingPanel
from massage_chart.ui.note.measures import FIELDS as MEASURE_FIELDS
from massage_chart.ui.note.measures import MeasuresPanel
from massage_chart.ui.note.pain_box import PainBox
from massage_chart.ui.note.time_out import TimeOutField
from massage_chart.ui.practice_document import READ_ERRORS, WRITE_ERRORS, describe_error
from massage_chart.ui.record.alerts_banner import AlertsBanner
from massage_chart.ui.record.fields import ProblemLabel
from massage_chart.ui.style import alert_text, error_text, heading, muted

if TYPE_CHECKING:
    from massage_chart.ui.chart.visit_document import ChartDocument

AUTOSAVE_MS = 1000
# While typing goes on (the autosave waits for a pause), what is on screen is kept as a draft
# this often; and at once whenever the database refuses a save.
DRAFT_MS = 3000
"""Text is saved this long after the last keystroke (and at once on focus-out and close)."""
NOTE_ERRORS: tuple[type[Exception], ...] = (*WRITE_ERRORS, ValueError)
"""What a note write may raise that the user is told about (ValueError: a rule refused it)."""
POSITIONS = ("", "prone", "supine", "side-lying", "seated", "prone then supine")


DRAFT_TIP = (
    "The Objective drafts itself from this visit's marks until you write your own; this "
    "replaces it with the marks' draft (Ctrl+Z in the text takes it back)"
)


def _text_edit(name: str, placeholder: str = "") -> QPlainTextEdit:
    edit = QPlainTextEdit()
    edit.setAccessibleName(name)
    edit.setPlaceholderText(placeholder)
    edit.setTabChangesFocus(True)
    return edit


def _line(name: str, placeholder: str = "") -> QLineEdit:
    edit = QLineEdit()
    edit.setAccessibleName(name)
    edit.setPlaceholderText(placeholder)
    return edit


class VisitNoteEditor(QWidget):
    """Edit a visit's SOAP note, billing and sign it; a signed note is read-only with addenda.

    Every change is saved about a second after typing stops, and at once when a field loses
    focus or the window closes, in one short write session. A failed save shows the reason and
    keeps every word on screen; the next change (or Save now) tries again.

    Args:
        database: the open database.
        visit_id: the visit.
        now: the clock (signing and addendum times; a seam for tests).
        today: the calendar (alerts).
        drafts: where unsaved text is kept while typing and when saving fails (None: nowhere).
        document: the visit's shared document (``ui.visit_documents``): the findings follow its
            marks as they are charted in any window, and saves and signing are announced on it.
        client_alerts_elsewhere: the client's alerts are on show beside the note (the visit
            window shows them once, above chart and note): the banner then says only what the
            note's own treatment fields go against.

    Signals:
        saved(visit_id): the note was written.
        signed(visit_id): the note was signed.
        closed(visit_id): the window closed (it is hidden, not deleted).
    """

    saved = Signal(str)
    signed = Signal(str)
    closed = Signal(str)

    def __init__(
        self,
        database: Database,
        visit_id: str,
        parent: QWidget | None = None,
        *,
        now: Callable[[], dt.datetime] = dt.datetime.now,
        today: Callable[[], dt.date] = dt.date.today,
        drafts: DraftStore | None = None,
        document: ChartDocument | None = None,
        client_alerts_elsewhere: bool = False,
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.database = database
        self.visit_id = visit_id
        self.document = document
        self.drafts = drafts
        self.draft_error = ""
        self._now = now
        self._today = today
        self._loading = False
        self._saved_values: dict[str, Any] = {}
        self._saved_billing: list[BillingLineData] = []
        self._overrides: dict[str, str] = {}
        self.alerts: list[Alert] = []
        self.warnings: list[TreatmentWarning] = []
        #: Whether the client's alerts are on show beside the note (the visit window's chart
        #: shows them once for both): the note's banner then says only what is on the note.
        self.client_alerts_elsewhere = client_alerts_elsewhere
        self.save_error = ""
        self._sign_despite_errors = False
        self.addendum_dialog: AddendumDialog | None = None
        self.unsaved_box: QMessageBox | None = None
        #: The open "Sign this note?" question, until it is answered.
        self.sign_box: QMessageBox | None = None
        self.confirm_sign_button: QPushButton | None = None
        self._sign_warned = False
        self.data: NoteData | None = None
        #: Fields saved elsewhere that this note's last save would have written over.
        self.conflict: NoteChangedElsewhereError | None = None
        self._objective_draft = ""  # the Objective the marks drafted last
        self.setWindowTitle("Visit note")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)

        self._build()
        self._autosave = QTimer(self)
        self._autosave.setSingleShot(True)
        self._autosave.setInterval(AUTOSAVE_MS)
        self._autosave.timeout.connect(self._on_autosave_timeout)
        self._draft_timer = QTimer(self)
        self._draft_timer.setInterval(DRAFT_MS)
        self._draft_timer.timeout.connect(self._on_draft_timer_timeout)
        self._connect_edits()
        QShortcut(QKeySequence.StandardKey.Save, self).activated.connect(self.save_now)
        self.resize(1320, 740)
        self.reload()
        self.pending_draft = self._find_pending_draft()
        if document is not None:
            document.chart_changed.connect(self.reload_findings)
            document.changed_elsewhere.connect(self.refresh_from_elsewhere)
            document.read_only_changed.connect(self._on_document_read_only_changed)
            self.saved.connect(document.note_was_saved)
            self.signed.connect(document.note_was_signed)

    # ------------------------------------------------------------------ building

    def _build(self) -> None:
        self.title_label = QLabel()
        heading(self.title_label, 1.3)
        self.subtitle_label = QLabel()
        muted(self.subtitle_label)
        self.claim_label = QLabel()
        self.claim_label.setAccessibleName("Visit on the claim")
        self.claim_label.setWordWrap(True)
        self.claim_label.hide()
        self.status_label = QLabel()
        self.status_label.setAccessibleName("Note status")
        self.status_label.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.time_out = TimeOutField(self._now)
        self.time_out.changed.connect(self._on_time_out_changed)
        self.save_state_label = QLabel()
        muted(self.save_state_label)
        # Room for the longest short state, so "Not saved" is never cut to "Not save".
        self.save_state_label.setMinimumWidth(
            self.save_state_label.fontMetrics().horizontalAdvance("Restored text kept 00:00 PM")
        )
        self.save_state_label.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.save_problem = ProblemLabel()
        self.banner = AlertsBanner()
        self.banner.max_banner_height = 170
        self.banner.override_requested.connect(self._on_banner_override_requested)

        # Subjective
        self.chief_complaint = _line("Chief complaint", "In the client's words")
        self.chief_complaint.setMaxLength(VISIT_NOTE["chief_complaint"].most)
        self.pain_now = PainBox("Pain now")
        self.pain_best = PainBox("Pain at best")
        self.pain_worst = PainBox("Pain at worst")
        self.functional_limits = _line("Functional limits", "e.g. cannot check blind spot")
        self.health_update = _text_edit(
            "Health update since last visit", "New conditions, medications, injuries, falls…"
        )
        self.health_update.setFixedHeight(54)
        self.subjective = _text_edit("Subjective", "Onset, quality, what helps, what hurts…")
        pain_row = QHBoxLayout()
        for caption, box in (("now", self.pain_now), ("best", self.pain_best),
                             ("worst", self.pain_worst)):  # fmt: skip
            pain_row.addWidget(QLabel(caption))
            pain_row.addWidget(box)
        pain_row.addStretch(1)
        subjective = QFormLayout()
        subjective.addRow("Chief &complaint:", self.chief_complaint)
        subjective.addRow("Pain (0–10):", pain_row)
        subjective.addRow("Functional limits:", self.functional_limits)
        subjective.addRow("Health &update:", self.health_update)
        subjective.addRow("Notes:", self.subjective)

        # Objective
        self.draft_button = QPushButton("Draft from chart")
        self.draft_button.setToolTip(DRAFT_TIP)
        self.changes_label = QLabel()
        self.changes_label.setWordWrap(True)
        self.changes_label.setTextFormat(Qt.TextFormat.PlainText)
        self.changes_label.setAccessibleName("Changes since last visit")
        muted(self.changes_label)
        self.objective = _text_edit("Objective", "Findings on palpation, posture, range of motion…")
        self.techniques = _line("Techniques", "Swedish, myofascial release, trigger-point therapy")
        self.pressure = QComboBox()
        self.pressure.setAccessibleName("Pressure")
        self.pressure.addItem("—", None)
        for level, name in WALTON_PRESSURE_LEVELS.items():
            self.pressure.addItem(f"Walton {level}: {name}", level)
        self.positioning = QComboBox()
        self.positioning.setEditable(True)
        self.positioning.addItems(POSITIONS)
        self.positioning.setAccessibleName("Positioning")
        draft_row = QHBoxLayout()
        draft_row.addWidget(self.draft_button)
        draft_row.addWidget(self.changes_label, 1)
        objective = QFormLayout()
        objective.addRow(draft_row)
        objective.addRow("Findings:", self.objective)
        objective.addRow("&Techniques:", self.techniques)
        objective.addRow("Pressure:", self.pressure)
        objective.addRow("Positioning:", self.positioning)

        # Assessment
        self.pain_after = PainBox("Pain after")
        self.response = _line("Response", "e.g. tissue softened, ROM improved")
        self.progress = _line("Progress toward goals", "e.g. STG 1 met: turns head 60°")
        self.assessment = _text_edit("Assessment")
        assessment = QFormLayout()
        assessment.addRow("Pain &after:", self.pain_after)
        assessment.addRow("Response:", self.response)
        assessment.addRow("Progress to goals:", self.progress)
        assessment.addRow("Notes:", self.assessment)

        # Plan
        self.frequency = _line("Frequency", "e.g. weekly for 4 weeks")
        self.home_care = _line("Home care", "Stretches, heat, posture breaks")
        self.referrals = _line("Referrals", "e.g. to PT for strengthening")
        self.next_visit = _line("Next visit", "e.g. 1 Dec, 60 min")
        self.plan = _text_edit("Plan")
        plan = QFormLayout()
        plan.addRow("&Frequency:", self.frequency)
        plan.addRow("Home care:", self.home_care)
        plan.addRow("Referrals:", self.referrals)
        plan.addRow("Next visit:", self.next_visit)
        plan.addRow("Notes:", self.plan)

        self.sections = QTabWidget()
        for section, title in ((subjective, "&S  Subjective"), (objective, "&O  Objective"),
                              (assessment, "&A  Assessment"), (plan, "&P  Plan")):  # fmt: skip
            page = QWidget()
            page.setLayout(section)
            self.sections.addTab(page, title)
        # Range of motion, tolerance and goals: what a claims reviewer measures progress by.
        self.measures = MeasuresPanel()
        self.sections.addTab(self.measures, "&M  Measures && goals")
        self.template_combo = QComboBox()
        self.template_combo.setAccessibleName("Condition template")
        self.template_combo.addItem("Condition template…", None)
        for template in soap_templates().values():
            self.template_combo.addItem(template.name, template.id)
        self.template_button = QPushButton("Prefill")
        self.template_button.setToolTip("Fill empty parts of the note from the template")
        self.template_button.clicked.connect(self._on_template_button_clicked)
        template_row = QHBoxLayout()
        template_row.addWidget(self.template_combo, 1)
        template_row.addWidget(self.template_button)
        self.addenda_view = QTextBrowser()
        self.addenda_view.setAccessibleName("Addenda")
        self.addenda_view.setMaximumHeight(130)
        self.addenda_view.hide()
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 6, 0)
        left_layout.addLayout(template_row)
        left_layout.addWidget(self.sections, 1)
        left_layout.addWidget(self.addenda_view)

        # Billing and signing
        self.billing = BillingPanel()
        self.billing.changed.connect(self._on_billing_changed)
        billing_box = QGroupBox("Billing")
        billing_layout = QVBoxLayout(billing_box)
        billing_layout.addWidget(self.billing)
        self.provider_combo = QComboBox()
        self.provider_combo.setAccessibleName("Signing provider")
        # A student's note: the supervising therapist named here co-signs it.
        self.supervisor_combo = QComboBox()
        self.supervisor_combo.setAccessibleName("Supervising therapist")
        self.supervisor_combo.setToolTip(
            "The supervising therapist who co-signs this student's note; only they can sign it"
        )
        self.supervisor_combo.activated.connect(self._on_supervisor_combo_activated)
        self.supervisor_label = QLabel("Co-signed by:")
        self.sign_button = QPushButton("&Sign note")
        self.sign_button.setToolTip("Lock the note with your name, the time and a content hash")
        self.sign_button.clicked.connect(self._on_sign_button_clicked)
        self.addendum_button = QPushButton("Add a&ddendum…")
        self.addendum_button.clicked.connect(self._on_addendum_button_clicked)
        self.addendum_button.hide()
        self.sign_problem = QLabel()
        self.sign_problem.setWordWrap(True)
        self.sign_problem.setTextFormat(Qt.TextFormat.PlainText)
        self.sign_problem.setAccessibleName("Signing problem")
        error_text(self.sign_problem)
        self.sign_problem.hide()
        sign_box = QGroupBox("Sign")
        sign_row = QHBoxLayout()
        sign_row.addWidget(QLabel("Provider:"))
        sign_row.addWidget(self.provider_combo, 1)
        sign_row.addWidget(self.sign_button)
        sign_row.addWidget(self.addendum_button)
        supervisor_row = QHBoxLayout()
        supervisor_row.addWidget(self.supervisor_label)
        supervisor_row.addWidget(self.supervisor_combo, 1)
        sign_layout = QVBoxLayout(sign_box)
        sign_layout.addLayout(sign_row)
        sign_layout.addLayout(supervisor_row)
        sign_layout.addWidget(self.sign_problem)
        # Billing scrolls rather than holding the window taller than a laptop screen; signing
        # stays in sight under it.
        billing_area = QScrollArea()
        billing_area.setWidget(billing_box)
        billing_area.setWidgetResizable(True)
        billing_area.setFrameShape(QFrame.Shape.NoFrame)
        right_area = QWidget()
        right_layout = QVBoxLayout(right_area)
        right_layout.setContentsMargins(6, 0, 0, 0)
        right_layout.addWidget(billing_area, 1)
        right_layout.addWidget(sign_box)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(right_area)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([720, 560])
        self.parts = splitter
        header = QHBoxLayout()
        titles = QVBoxLayout()
        titles.setSpacing(0)
        titles.addWidget(self.title_label)
        titles.addWidget(self.subtitle_label)
        titles.addWidget(self.claim_label)
        titles.addWidget(self.time_out)
        header.addLayout(titles, 1)
        state = QVBoxLayout()
        state.setSpacing(0)
        state.addWidget(self.status_label, 0, Qt.AlignmentFlag.AlignRight)
        state.addWidget(self.save_state_label, 0, Qt.AlignmentFlag.AlignRight)
        header.addLayout(state)
        self.header = header
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.setSpacing(8)
        layout.addLayout(header)
        layout.addWidget(self.banner)
        layout.addWidget(self.save_problem)
        self.draft_bar = QFrame()
        self.draft_bar.setObjectName("draftBar")
        self.draft_bar.setStyleSheet(
            "#draftBar { background: #fff4ce; border: 1px solid #e0c060; border-radius: 4px; }"
            " #draftBar QLabel { color: #1f1f1f; }"  # on its own light paper, in any theme
        )
        self.draft_label = QLabel()
        self.draft_label.setWordWrap(True)
        self.restore_draft_button = QPushButton("&Restore that text")
        self.discard_draft_button = QPushButton("Discard it")
        bar_layout = QHBoxLayout(self.draft_bar)
        bar_layout.setContentsMargins(10, 6, 10, 6)
        bar_layout.addWidget(self.draft_label, 1)
        bar_layout.addWidget(self.restore_draft_button)
        bar_layout.addWidget(self.discard_draft_button)
        self.draft_bar.hide()
        layout.addWidget(self.draft_bar)
        # Fields saved on another computer since this note was opened: keep mine or use theirs.
        self.conflict_bar = QFrame()
        self.conflict_bar.setObjectName("conflictBar")
        self.conflict_bar.setStyleSheet(
            "#conflictBar { background: #fde3e3; border: 1px solid #e5a0a0; border-radius: 4px; }"
            " #conflictBar QLabel { color: #1f1f1f; }"
        )
        self.conflict_label = QLabel()
        self.conflict_label.setWordWrap(True)
        self.conflict_label.setAccessibleName("Changed elsewhere")
        self.keep_mine_button = QPushButton("&Keep mine")
        self.keep_mine_button.setToolTip(
            "Save what is on this screen over what was saved elsewhere"
        )
        self.use_theirs_button = QPushButton("&Use theirs")
        self.use_theirs_button.setToolTip("Show what was saved elsewhere in those fields")
        conflict_layout = QHBoxLayout(self.conflict_bar)
        conflict_layout.setContentsMargins(10, 6, 10, 6)
        conflict_layout.addWidget(self.conflict_label, 1)
        conflict_layout.addWidget(self.keep_mine_button)
        conflict_layout.addWidget(self.use_theirs_button)
        self.conflict_bar.hide()
        layout.addWidget(self.conflict_bar)
        layout.addWidget(splitter, 1)

    def add_header_action(self, action: QAction) -> QToolButton:
        """A button for a window command beside the note's title (the visit window's Chart)."""
        button = QToolButton()
        button.setDefaultAction(action)
        self.header.insertWidget(1, button, 0, Qt.AlignmentFlag.AlignTop)
        return button

    def focus_first_field(self) -> None:
        """Put the keyboard in the first field of the part of the note on show."""
        first = (self.chief_complaint, self.objective, self.assessment, self.frequency)
        field = first[max(self.sections.currentIndex(), 0)]
        field.setFocus(Qt.FocusReason.OtherFocusReason)

    def set_billing_below(self, below: bool) -> None:
        """Billing and signing under the SOAP parts (a narrow note) or beside them."""
        orientation = Qt.Orientation.Vertical if below else Qt.Orientation.Horizontal
        if self.parts.orientation() is orientation:
            return
        self.parts.setOrientation(orientation)
        total = self.parts.height() if below else self.parts.width()
        self.parts.setSizes([total * 3 // 5, total * 2 // 5] if below else [720, 560])

    def _text_widgets(self) -> list[QLineEdit | QPlainTextEdit]:
        return [
            self.chief_complaint, self.functional_limits, self.health_update, self.subjective,
            self.objective, self.techniques, self.response, self.progress, self.assessment,
            self.frequency, self.home_care, self.referrals, self.next_visit, self.plan,
        ]  # fmt: skip

    def _connect_edits(self) -> None:
        for widget in self._text_widgets():
            if isinstance(widget, QPlainTextEdit):
                widget.textChanged.connect(self._on_field_edited)
            else:
                widget.textEdited.connect(self._on_field_edited)
        for box in (self.pain_now, self.pain_best, self.pain_worst, self.pain_after):
            box.valueChanged.connect(self._on_field_edited)
        self.pressure.currentIndexChanged.connect(self._on_field_edited)
        self.positioning.currentTextChanged.connect(self._on_field_edited)
        self.measures.changed.connect(self._on_field_edited)
        self.measures.read_back.connect(self._on_measures_read_back)
        self.techniques.textEdited.connect(self._on_treatment_edited)
        self.pressure.currentIndexChanged.connect(self._on_treatment_edited)
        self.positioning.currentTextChanged.connect(self._on_treatment_edited)
        self.health_update.textChanged.connect(self._on_treatment_edited)
        self.draft_button.clicked.connect(self._on_draft_button_clicked)
        self.restore_draft_button.clicked.connect(self._on_restore_draft_button_clicked)
        self.keep_mine_button.clicked.connect(self._on_keep_mine_button_clicked)
        self.use_theirs_button.clicked.connect(self._on_use_theirs_button_clicked)
        self.discard_draft_button.clicked.connect(self._on_discard_draft_button_clicked)
        application = QApplication.instance()
        if isinstance(application, QApplication):
            application.focusChanged.connect(self._on_application_focus_changed)

    # ------------------------------------------------------------------ reading

    def reload(self) -> bool:
        """Read the visit again and show it; False (after saying why) when it cannot be read."""
        try:
            data = self._read_note()
        except READ_ERRORS as exc:
            self.save_problem.say(describe_error(exc))
            return False
        self.data = data
        self._loading = True
        self._show_fields(data.fields)
        duration = None if data.end is None else int((data.end - data.start).total_seconds() // 60)
        self.billing.load(
            [str(c) for c in data.fields["icd10_codes"] or []],
            data.billing,
            unit_rule=data.unit_rule,
            payer_type=data.payer_type,
            visit_minutes=duration,
        )
        self.billing.icd_picker.set_mark_sides(
            [f.side for f in data.findings if f.side is not Side.MIDLINE]
        )
        self.provider_combo.clear()
        known = any(provider.id == data.provider_id for provider in data.providers)
        if not known:
            # No therapist on the visit: the signer is chosen, never guessed (the first one
            # in the list was silently taken before).
            self.provider_combo.addItem("Choose who signs…", None)
        for provider in data.providers:
            self.provider_combo.addItem(provider.display_name, provider.id)
        self.provider_combo.setCurrentIndex(max(self.provider_combo.findData(data.provider_id), 0))
        self._show_supervisor(data)
        self._loading = False
        self._saved_values = self.values()
        self._saved_billing = self.billing.lines()
        self._show_header(data)
        self.time_out.show_visit(data.start, data.end)
        self._show_changes(data)
        self._show_addenda(data)
        self._set_read_only(data.status is VisitStatus.SIGNED)
        self._refresh_alerts()
        self._objective_draft = ""
        self._follow_chart()  # marks charted before the note was opened draft it now
        return True

    def _read_note(self) -> NoteData:
        """The visit as the note shows it. Beside the visit's chart, the findings are the chart
        document's marks (already read, and followed as they are charted), not read again."""
        document = self.document
        data = load_note(
            self.database, self.visit_id, self._today(), with_findings=document is None
        )
        if document is None:
            return data
        return dataclasses.replace(
            data, findings=document.findings(), previous_findings=document.previous_findings()
        )

    def _show_supervisor(self, data: NoteData) -> None:
        """On a student's note: who co-signs it, and a Sign button only for them."""
        student = data.written_by_student
        self.supervisor_label.setVisible(student)
        self.supervisor_combo.setVisible(student)
        self.sign_button.setText(self._sign_text())
        self.sign_button.setEnabled(True)
        self.sign_button.setToolTip("Lock the note with your name, the time and a content hash")
        if not student:
            return
        self.supervisor_combo.clear()
        self.supervisor_combo.addItem("Choose the supervising therapist…", None)
        for provider in data.supervisors:
            self.supervisor_combo.addItem(provider.display_name, provider.id)
        self.supervisor_combo.setCurrentIndex(
            max(self.supervisor_combo.findData(data.supervisor_id), 0)
        )
        me = self.database.provider_id
        if me is not None and me != data.supervisor_id:
            # The student (or another therapist) names the supervisor; only they co-sign.
            self.sign_button.setEnabled(False)
            self.sign_button.setToolTip(
                "A student's note is co-signed by the supervising therapist named on it, signed "
                "in as themselves"
            )

    def _sign_text(self) -> str:
        student = self.data is not None and self.data.written_by_student
        return "&Co-sign" if student else "&Sign note"

    def _signer(self) -> str:
        """Who signs: the supervisor named on a student's note, else the note's provider."""
        if self.data is not None and self.data.written_by_student:
            return str(self.supervisor_combo.currentData() or "")
        return str(self.provider_combo.currentData() or "")

    @Slot(int)
    def _on_supervisor_combo_activated(self, _index: int) -> None:
        if self._loading or self.data is None or self.is_signed():
            return
        chosen = self.supervisor_combo.currentData()
        try:
            self.database.transact(lambda session: set_supervisor(session, self.visit_id, chosen))
        except NOTE_ERRORS as exc:  # ValueError among them: not one of the clinic's therapists
            self._refuse(f"The supervisor was not saved: {describe_error(exc)}")
            return
        self.data.supervisor_id = chosen
        self.sign_problem.hide()
        self._show_supervisor(self.data)

    def _show_fields(self, fields: dict[str, Any]) -> None:
        """Put stored note fields (or a draft's) on screen.

        A draft kept before the sub-fields had columns of their own lacks them: they stay empty.
        """
        if "overrides" in fields:
            self._overrides = dict(fields["overrides"])
        self.chief_complaint.setText(fields["chief_complaint"])
        self.pain_now.set_score(fields["pain_before"])
        self.pain_best.set_score(fields.get("pain_best"))
        self.pain_worst.set_score(fields.get("pain_worst"))
        self.functional_limits.setText(fields.get("functional_limits") or "")
        self.health_update.setPlainText(fields["health_update"])
        self.subjective.setPlainText(fields["subjective"])
        self.objective.setPlainText(fields["objective"])
        self.techniques.setText(", ".join(str(t) for t in fields["techniques"] or []))
        self.pressure.setCurrentIndex(max(self.pressure.findData(fields["pressure"]), 0))
        self.positioning.setCurrentText(fields["positioning"])
        self.pain_after.set_score(fields["pain_after"])
        self.response.setText(fields.get("response") or "")
        self.progress.setText(fields.get("progress_toward_goals") or "")
        self.assessment.setPlainText(fields["assessment"])
        self.frequency.setText(fields.get("frequency") or "")
        self.home_care.setText(fields.get("home_care") or "")
        self.referrals.setText(fields.get("referrals_out") or "")
        self.next_visit.setText(fields.get("next_visit") or "")
        self.plan.setPlainText(fields["plan"])
        self.measures.set_values(fields)
        for line in self.findChildren(QLineEdit):
            line.setCursorPosition(0)  # a long entry shows its beginning, not its end

    def _show_header(self, data: NoteData) -> None:
        self.setWindowTitle(f"{data.client_name} — visit {format_date(data.start.date())}")
        self.title_label.setText(data.client_name)
        provider = data.provider_names.get(data.provider_id or "", "")
        when = f"{format_date(data.start.date())}, {format_time_span(data.start, data.end)}"
        self.subtitle_label.setText(f"Visit {when}" + (f" · {provider}" if provider else ""))
        self._show_claim_standing(data)
        if data.status is VisitStatus.SIGNED and data.signed_at is not None:
            self.status_label.setText(
                f"Signed by {data.signed_by}\non {format_recorded_time(data.signed_at)}"
            )
            self.status_label.setToolTip(
                "\n".join(filter(None, [f"Content hash {data.content_hash}", data.seal_note]))
            )
            self.save_state_label.setText("Read-only: corrections\nare added as addenda")
            if data.integrity_problems:
                # What `check` would report, said where the note is read: never "Signed" alone.
                self.status_label.setText(f"INTEGRITY FAILURE\n(signed by {data.signed_by})")
                alert_text(self.status_label)
                self.status_label.setToolTip(
                    "Do not rely on this note: "
                    + "; ".join(data.integrity_problems)
                    + ". Restore it from a verified backup."
                )
        else:
            self.status_label.setText("Draft")
            self.save_state_label.setText("Saved")

    def _show_claim_standing(self, data: NoteData) -> None:
        """The visit's number of those authorised, the referral's expiry and the report due;
        in the warning colour when signing would warn of them."""
        auth = data.authorisation
        if auth is None:
            self.claim_label.hide()
            return
        self.claim_label.setText(" · ".join(authorisation_lines(auth)))
        warnings = authorisation_warnings(auth)
        self.claim_label.setToolTip("\n".join(warnings))
        if warnings:
            alert_text(self.claim_label)
        else:
            muted(self.claim_label)
        self.claim_label.show()

    def _show_changes(self, data: NoteData) -> None:
        if data.previous_findings is None:
            self.changes_label.setText("First visit: nothing to compare with.")
            return
        text = draft_changes(data.previous_findings, data.findings)
        self.changes_label.setText(text or "No change in findings since last visit.")

    def _show_addenda(self, data: NoteData) -> None:
        if not data.addenda:
            self.addenda_view.hide()
            return
        parts = ["<b>Addenda</b> (after the signed note; the note itself is unchanged)"]
        for when, author, reason, text in data.addenda:
            parts.append(
                f"<p><b>{html.escape(format_recorded_time(when))}"
                f" — {html.escape(author)}</b> · {html.escape(reason)}<br>"
                + html.escape(text).replace("\n", "<br>")
                + "</p>"
            )
        self.addenda_view.setHtml("".join(parts))
        self.addenda_view.show()

    # ------------------------------------------------------------------ values

    def values(self) -> dict[str, Any]:
        """The note fields as typed, in the form they are stored (overrides are stored apart)."""
        techniques = [t.strip() for t in self.techniques.text().split(",") if t.strip()]
        return {
            "chief_complaint": self.chief_complaint.text(),
            "health_update": self.health_update.toPlainText(),
            "subjective": self.subjective.toPlainText(),
            "pain_best": self.pain_best.score(),
            "pain_worst": self.pain_worst.score(),
            "functional_limits": self.functional_limits.text().strip(),
            "objective": self.objective.toPlainText(),
            "assessment": self.assessment.toPlainText(),
            "response": self.response.text().strip(),
            "progress_toward_goals": self.progress.text().strip(),
            "plan": self.plan.toPlainText(),
            "frequency": self.frequency.text().strip(),
            "home_care": self.home_care.text().strip(),
            "referrals_out": self.referrals.text().strip(),
            "next_visit": self.next_visit.text().strip(),
            "pain_before": self.pain_now.score(),
            "pain_after": self.pain_after.score(),
            "techniques": techniques,
            "pressure": self.pressure.currentData(),
            "positioning": self.positioning.currentText().strip(),
            "icd10_codes": self.billing.icd_picker.codes(),
            **self.measures.values(),
        }

    def is_modified(self) -> bool:
        """Whether anything on screen is not saved yet."""
        return self.values() != self._saved_values or self.billing.lines() != self._saved_billing

    def is_signed(self) -> bool:
        """Whether the note on show is signed (read-only)."""
        return self.data is not None and self.data.status is VisitStatus.SIGNED

    # ------------------------------------------------------------------ saving

    def save_now(self) -> bool:
        """Write what is on screen if it changed; True when everything is saved."""
        self._autosave.stop()
        if self.is_signed() or self._loading:
            return True
        values = self.values()
        lines = self.billing.lines()
        changed = {k: v for k, v in values.items() if self._saved_values.get(k) != v}
        if not changed and lines == self._saved_billing:
            return True

        # A field saved elsewhere since it was read here is not written over: the therapist
        # chooses (the conflict bar).
        expected = {name: self._saved_values.get(name) for name in changed}

        def save(session: Any) -> None:  # the write session (storage types stay out of ui)
            if changed:
                update_visit_note(session, self.visit_id, expected=expected, **changed)
            if lines != self._saved_billing:
                replace_billing_lines(session, self.visit_id, lines)

        try:
            self.database.transact(save)
        except NoteChangedElsewhereError as exc:
            if self._settle_drafted_objective(exc):
                return self.save_now()
            self.save_error = str(exc)
            self.keep_draft()
            self._show_conflict(exc)
            self.save_state_label.setText("Not saved")
            return False
        except WRITE_ERRORS as exc:
            self.save_error = describe_error(exc)
            kept = self.keep_draft()
            where = (
                "Your text is kept on screen and in a draft that is offered back if Massage Chart "
                "closes unexpectedly."
                if kept
                else "Your text is kept on screen only: keep this window open."
            )
            self.save_problem.say(f"Not saved: {self.save_error} {where}")
            self.save_state_label.setText("Not saved")
            return False
        self.save_error = ""
        self.save_problem.say("")
        self.conflict = None
        self.conflict_bar.hide()
        self._saved_values = values
        self._saved_billing = lines
        self.save_state_label.setText(f"Saved {format_time(self._now())}")
        if not self.is_modified():
            self.discard_draft()
        self.saved.emit(self.visit_id)
        return True

    def _settle_drafted_objective(self, conflict: NoteChangedElsewhereError) -> bool:
        """A conflict only over an Objective one side let the marks draft is no conflict of
        words: the therapist's own text wins, and two drafts of the same marks are the same
        finding. Returns whether it was settled that way (and the save should run again)."""
        if set(conflict.theirs) != {"objective"} or not self._objective_draft:
            return False
        theirs = str(conflict.theirs["objective"] or "")
        mine = self.objective.toPlainText()
        if theirs == self._objective_draft:  # theirs was drafted: keep what is here
            self._saved_values["objective"] = theirs
            return True
        if mine == self._objective_draft:  # mine was drafted: take the words written there
            self._loading = True
            try:
                self.objective.setPlainText(theirs)
            finally:
                self._loading = False
            self._saved_values["objective"] = theirs
            return True
        return False

    def _typed_fields(self) -> dict[str, QLineEdit | QPlainTextEdit | PainBox]:
        """The note's typed fields by the name they are stored under."""
        return {
            "chief_complaint": self.chief_complaint, "health_update": self.health_update,
            "subjective": self.subjective, "functional_limits": self.functional_limits,
            "objective": self.objective, "assessment": self.assessment,
            "response": self.response, "progress_toward_goals": self.progress,
            "plan": self.plan, "frequency": self.frequency, "home_care": self.home_care,
            "referrals_out": self.referrals, "next_visit": self.next_visit,
            "pain_before": self.pain_now, "pain_after": self.pain_after,
            "pain_best": self.pain_best, "pain_worst": self.pain_worst,
        }  # fmt: skip

    @Slot()
    def refresh_from_elsewhere(self) -> list[str]:
        """Show what another window or computer saved, in the fields not being changed here
        (a field typed in here keeps its text; a clash is for the next save to settle).
        Returns the fields brought up to date."""
        if self.data is None or self.is_signed():
            return []
        try:
            data = self._read_note()
        except READ_ERRORS:
            return []  # the next save or the next change elsewhere tries again
        values = self.values()
        shown = []
        self._loading = True
        try:
            for name, widget in self._typed_fields().items():
                if values.get(name) != self._saved_values.get(name):
                    continue  # being changed here
                theirs = data.fields.get(name)
                if note_values_differ(values.get(name), theirs):
                    if isinstance(widget, PainBox):
                        widget.set_score(theirs)
                    elif isinstance(widget, QPlainTextEdit):
                        widget.setPlainText(theirs or "")
                    else:
                        widget.setText(theirs or "")
                        widget.setCursorPosition(0)
                    shown.append(name)
            for name in MEASURE_FIELDS:
                if values.get(name) != self._saved_values.get(name) or self.measures.unfinished(
                    name
                ):
                    continue  # being changed here (a row half filled in counts)
                theirs = data.fields.get(name)
                if note_values_differ(values.get(name), theirs):
                    self.measures.set_value(name, theirs)
                    shown.append(name)
        finally:
            self._loading = False
        values = self.values()  # as saved elsewhere now, in the fields brought up to date
        self._saved_values.update({name: values[name] for name in shown})
        if shown:
            self.save_state_label.setText("Updated from elsewhere")
            self._refresh_alerts()
        return shown

    def _show_conflict(self, conflict: NoteChangedElsewhereError) -> None:
        self.conflict = conflict
        names = ", ".join(NOTE_FIELD_NAMES.get(name, name) for name in conflict.theirs)
        when = (
            f" at {format_recorded_time(conflict.changed_at)}"
            if conflict.changed_at is not None
            else ""
        )
        who = f" by {conflict.changed_by}" if conflict.changed_by else ""
        self.conflict_label.setText(
            f"Saved elsewhere{who} (another window or computer){when} since you opened this "
            "note: "
            f"{names}. Nothing was written over it. Keep mine saves what is on this screen in "
            "its place; Use theirs shows what was saved there."
        )
        self.conflict_bar.show()

    def keep_mine(self) -> bool:
        """Answer a conflict: what is on this screen replaces what was saved elsewhere."""
        conflict = self.conflict
        if conflict is None:
            return True
        self._saved_values.update(conflict.theirs)  # the values this save now writes over
        return self.save_now()

    def use_theirs(self) -> bool:
        """Answer a conflict: show what was saved elsewhere in those fields (the rest of what
        was typed here is saved as usual)."""
        conflict = self.conflict
        if conflict is None:
            return True
        shown = {**self.values(), **conflict.theirs, "overrides": self._overrides}
        self._loading = True
        try:
            self._show_fields(shown)
        finally:
            self._loading = False
        self._saved_values.update(conflict.theirs)
        return self.save_now()

    # ------------------------------------------------------------------ drafts

    @property
    def draft_key(self) -> str:
        """The key of this note's draft in the draft store."""
        return draft_key("note", self.visit_id)

    def keep_draft(self) -> bool:
        """Keep what is on screen in the draft store if it is not saved; True when it is kept."""
        if self.drafts is None or self.data is None or self.is_signed() or self._loading:
            return False
        if not self.is_modified():
            self.discard_draft()
            return True
        label = f"SOAP note — {self.data.client_name}, visit {format_date(self.data.start.date())}"
        fields = note_draft_fields(self.values(), self.billing.lines())
        try:
            self.drafts.save(Draft(self.draft_key, label, fields))
        except DraftError as exc:
            self.draft_error = str(exc)
            return False
        self.draft_error = ""
        return True

    def _find_pending_draft(self) -> Draft | None:
        """A draft left by an earlier session whose text differs from the note; offered in a bar."""
        if self.drafts is None or self.data is None:
            return None
        draft = self.drafts.load(self.draft_key)
        if draft is None:
            return None
        if not self._draft_changes(draft):
            self.discard_draft()
            return None
        kept = draft.saved_at.astimezone()
        when = f"on {format_date(kept.date())} at {format_time(kept)}"
        if self.is_signed():
            self.draft_label.setText(
                f"Text typed {when} was never saved, and this note has been signed since. "
                "Add what is still needed as an addendum?"
            )
            self.restore_draft_button.setText("Add as &addendum…")
        else:
            self.draft_label.setText(
                f"Text typed {when} was not saved before Massage Chart closed. "
                "Restore it into this note?"
            )
        self.draft_bar.show()
        return draft

    def _draft_changes(self, draft: Draft) -> list[str]:
        """The sections where a draft differs from the note as saved, as "Section: text"."""
        return note_draft_changes(draft.fields, self._saved_values, self._saved_billing)

    def discard_draft(self) -> None:
        """Forget this note's draft (its text is saved, or the user let it go)."""
        self._draft_timer.stop()
        if self.drafts is not None:
            try:
                self.drafts.discard(self.draft_key)
            except OSError as exc:
                self.draft_error = str(exc)

    def apply_draft(self, draft: Draft) -> bool:
        """Put a kept draft's text back on screen and save it; False for a signed note.

        The draft is applied over the note as it is stored now, so a section that was saved
        after the draft was kept is replaced by the draft's text: the user chose to restore it.
        """
        if self.data is None or self.is_signed():
            return False
        values = dict(draft.fields.get("values") or {})
        stored = self.values()
        merged = {key: values.get(key, stored[key]) for key in stored}
        billing = draft_billing_lines(draft.fields)
        self._loading = True
        try:
            self._show_fields(merged)
            duration = (
                None
                if self.data.end is None
                else int((self.data.end - self.data.start).total_seconds() // 60)
            )
            self.billing.load(
                [str(c) for c in merged["icd10_codes"] or []],
                billing,
                unit_rule=self.data.unit_rule,
                payer_type=self.data.payer_type,
                visit_minutes=duration,
            )
        finally:
            self._loading = False
        self._refresh_alerts()
        self.save_state_label.setText(f"Restored text kept {format_time(draft.saved_at)}")
        self.save_now()
        return True

    def closeEvent(self, event: QCloseEvent) -> None:
        """Save on close; if saving fails, keep the window (and the text) open and say why."""
        dialog = self.addendum_dialog
        if dialog is not None and dialog.isVisible() and dialog.has_text():
            dialog.keep_draft()
            dialog.raise_()
            dialog.reject()  # asks whether to discard the typed addendum
            event.ignore()
            return
        if not self.save_now():
            self.unsaved_box = ask_to_discard(
                self,
                "Note not saved",
                f"The note could not be saved: {self.save_error}\n\nKeep the window open and "
                "try again, or close it and lose the changes since the last save?",
                self._on_unsaved_box_finished,
                icon=QMessageBox.Icon.Warning,
                delete_on_close=True,
            )
            event.ignore()
            return
        super().closeEvent(event)
        self.closed.emit(self.visit_id)

    # ------------------------------------------------------------------ drafting

    def draft_from_chart(self) -> None:
        """Replace the Objective with the draft from this visit's marks (undoable in the field),
        and fill the techniques and pressure from the marks where the note has none yet (what
        the therapist typed there is kept)."""
        if self.data is None or self.is_signed():
            return
        if self.document is None:  # with one, the findings follow the chart already
            self.reload_findings()
        draft = objective_draft(self.data.findings, self.data.previous_findings)
        self._objective_draft = self._draft_of(self.data)
        self._put_objective(draft or "No findings charted on this visit.")
        self._refresh_alerts()
        self.save_now()

    @staticmethod
    def _draft_of(data: NoteData) -> str:
        """The Objective kept drafted as the chart changes: none before anything is charted
        (an empty chart is a visit not charted yet, not every finding resolved)."""
        if not data.findings:
            return ""
        return objective_draft(data.findings, data.previous_findings)

    def _put_objective(self, text: str) -> None:
        """Replace the Objective (one step of the field's own undo) and fill the techniques and
        pressure from the marks where the note has none yet."""
        assert self.data is not None
        cursor = self.objective.textCursor()
        cursor.beginEditBlock()
        cursor.select(QTextCursor.SelectionType.Document)
        cursor.insertText(text)
        cursor.endEditBlock()
        techniques, pressure = treatment_from_findings(self.data.findings)
        if techniques and not self.techniques.text().strip():
            self.techniques.setText(", ".join(techniques))
        if pressure is not None and self.pressure.currentData() is None:
            self.pressure.setCurrentIndex(max(self.pressure.findData(pressure), 0))

    def _follow_chart(self) -> None:
        """Keep the Objective drafted from the marks while it is the marks' draft (or empty);
        once the therapist has written their own, keep theirs and say the chart moved on."""
        if self.data is None or self.is_signed() or self.blocking():
            return
        before = self._objective_draft
        draft = self._objective_draft = self._draft_of(self.data)
        typed = self.objective.toPlainText()
        if typed == draft:
            self.draft_button.setToolTip(DRAFT_TIP)
        elif typed.strip() in ("", before.strip()):
            self._put_objective(draft)
            self.draft_button.setToolTip(DRAFT_TIP)
        else:
            self.draft_button.setToolTip(
                "The chart changed since the Objective was written: your text is kept. "
                "Draft from chart replaces it with the marks' draft (Ctrl+Z in the field "
                "brings yours back)."
            )

    @Slot(str, list)
    def _on_measures_read_back(self, name: str, stored: list[dict[str, Any]]) -> None:
        """The Measures tab, first shown, shows a field's stored entries as its rows read them
        (an entry they cannot hold as stored): that is what was saved, not an edit to save, nor
        a change to list in a draft. (An entry of an older, shorter form is read in full
        already: ``note_fields``.)"""
        if self._saved_values.get(name) == stored:
            self._saved_values[name] = self.measures.values()[name]

    @Slot()
    def reload_findings(self) -> None:
        """Take the visit's marks again and show what changed since the last visit (called as
        the shared document's marks change, in whichever window): from the document when there
        is one, which holds them already, else read from the database."""
        if self.data is None:
            return
        if self.document is not None:
            findings, previous = self.document.findings(), self.document.previous_findings()
        else:
            try:
                with self.database.read() as session:
                    findings = visit_findings(session, self.visit_id)
                    previous = previous_visit_findings(session, self.visit_id)
            except READ_ERRORS as exc:
                self.save_problem.say(describe_error(exc))
                return
        self.data = dataclasses.replace(self.data, findings=findings, previous_findings=previous)
        self.billing.icd_picker.set_mark_sides(
            [f.side for f in findings if f.side is not Side.MIDLINE]
        )
        self._show_changes(self.data)
        self._refresh_alerts()
        self._follow_chart()

    def apply_template(self, template_id: str) -> None:
        """Fill the empty parts of the note from a condition template."""
        template = soap_templates().get(template_id)
        if template is None or self.is_signed():
            return
        for edit, text in (
            (self.subjective, template.subjective),
            (self.objective, template.objective),
            (self.assessment, template.assessment),
            (self.plan, template.plan),
        ):
            if not edit.toPlainText().strip():
                cursor = edit.textCursor()
                cursor.movePosition(QTextCursor.MoveOperation.End)
                cursor.insertText(text)
        if not self.progress.text().strip() and template.short_term_goals:
            self.progress.setText("STG: " + "; ".join(template.short_term_goals[:2]))
        if not self.home_care.text().strip() and template.home_care:
            self.home_care.setText("; ".join(item.text() for item in template.home_care))
        self.save_now()

    # ------------------------------------------------------------------ alerts

    def _refresh_alerts(self) -> None:
        if self.data is None:
            return
        snapshot = dataclasses.replace(
            self.data.snapshot, health_update=self.health_update.toPlainText()
        )
        self.alerts = assess_health(snapshot, today=self._today())
        self.warnings = self._treatment_warnings()
        self.banner.show_alerts(
            [] if self.client_alerts_elsewhere else self.alerts,
            overrides=self._overrides,
            warnings=self.warnings,
            can_override=not self.is_signed(),
        )
        # A stop/refer alert without an override holds charting back: the Subjective (where the
        # health update goes) stays open, the treatment sections and billing wait.
        blocked = bool(self.blocking()) and not self.is_signed()
        for index in (1, 2, 3):
            self.sections.setTabEnabled(index, not blocked)
        self.billing.setEnabled(not blocked)
        self.draft_button.setEnabled(not blocked)
        self.template_button.setEnabled(not blocked and not self.is_signed())
        cap = recommended_max_pressure(self.alerts)
        self.pressure.setToolTip(
            f"Recommended maximum: Walton {cap}" if cap is not None else "Walton pressure scale"
        )

    def _treatment_warnings(self) -> list[TreatmentWarning]:
        assert self.data is not None
        return treatment_plan_warnings(
            self.alerts,
            techniques=self.techniques.text().split(","),
            pressure=self.pressure.currentData(),
            position=self.positioning.currentText(),
            # Beside the chart, the marks' warnings are the chart's to show.
            findings=() if self.client_alerts_elsewhere else self.data.findings,
            overrides=self._overrides,
        )

    def blocking(self) -> list[Alert]:
        """Stop/refer alerts with no override reason recorded."""
        return blocking_alerts(self.alerts, self._overrides)

    def record_override(self, code: str, reason: str) -> bool:
        """Store an override reason for a stop/refer alert (with the visit, and audited)."""
        if not self.save_now():
            return False
        try:
            with self.database.write() as session:
                visit = record_override(session, self.visit_id, code, reason)
                stored = override_reasons(visit)
        except NOTE_ERRORS as exc:
            self.save_problem.say(f"Override not recorded: {describe_error(exc)}")
            return False
        self._overrides = stored
        self._saved_values = self.values()
        self._refresh_alerts()
        self.sign_problem.hide()
        return True

    def take_overrides(self, overrides: dict[str, str]) -> None:
        """Override reasons recorded beside the note (on the chart): stop/refer alerts they
        answer no longer hold the note back."""
        if overrides == self._overrides:
            return
        self._overrides = dict(overrides)
        self._refresh_alerts()
        self.sign_problem.hide()

    # ------------------------------------------------------------------ signing

    def _save_time_out(self) -> bool:
        """Store the time out on show if it differs from the visit's; True when it is stored."""
        if self.data is None or self.is_signed():
            return True
        end = self.time_out.end()
        if end == self.data.end:
            return True
        try:
            with self.database.write() as session:
                update_visit_note(session, self.visit_id, end=end)
        except NOTE_ERRORS as exc:
            self.save_error = describe_error(exc)
            self.save_problem.say(f"Time out not saved: {self.save_error}")
            return False
        self.save_problem.say("")
        self.data.end = end
        self._show_header(self.data)
        self.billing.visit_minutes = (
            None if end is None else int((end - self.data.start).total_seconds() // 60)
        )
        self.billing.recompute()
        if self._sign_despite_errors:
            self._sign_despite_errors = False
            self.sign_button.setText(self._sign_text())
            self.sign_problem.hide()
        return True

    @Slot()
    def _on_time_out_changed(self) -> None:
        self._save_time_out()

    def sign(self) -> bool:
        """Check, then sign in one write session; True when the note is signed."""
        if self.data is None or self.is_signed():
            return False
        if not self.save_now() or not self._save_time_out():
            return self._refuse("Save the note before signing: " + self.save_error)
        provider_id = self._signer()
        signed_at = self._now().astimezone()
        try:
            self.database.transact(
                lambda session: sign_and_record(
                    session,
                    self.visit_id,
                    provider_id,
                    signed_at,
                    accept_warnings=self._sign_despite_errors,
                    today=self._today(),
                )
            )
        except SignRefusedError as exc:
            if exc.blocking:
                return self._refuse("Not signed:\n" + describe_problems(exc.blocking))
            self._sign_despite_errors = True
            self.sign_button.setText("Sign &anyway")
            return self._refuse(
                "Likely to be denied:\n" + describe_problems(exc.warnings) + "\nFix them, or "
                "press Sign anyway (the note is signed as it stands; corrections become addenda)."
            )
        except NOTE_ERRORS as exc:
            return self._refuse(f"Not signed: {describe_error(exc)}")
        self.sign_problem.hide()
        self.reload()
        self.signed.emit(self.visit_id)
        return True

    def ask_to_sign(self) -> QMessageBox | None:
        """Sign note: check the note by the signing rules (the same on every road) and say what
        is missing; when nothing blocks, show what will be signed, with any likely denials,
        and sign when that is confirmed. Returns the open question, or None."""
        if self.data is None or self.is_signed():
            return None
        if not self.save_now() or not self._save_time_out():
            self._refuse("Save the note before signing: " + self.save_error)
            return None
        signer = self._signer()
        try:
            with self.database.read() as session:
                problems = sign_check(session, self.visit_id, signer, today=self._today())
        except NOTE_ERRORS as exc:
            self._refuse(f"Not signed: {describe_error(exc)}")
            return None
        blocking = [problem for problem in problems if problem.blocking]
        if blocking:
            self._refuse("Not signed:\n" + describe_problems(blocking))
            return None
        self.sign_problem.hide()
        warnings = [problem for problem in problems if not problem.blocking]
        lines = self.billing.lines()
        summary = describe_signature(
            client_name=self.data.client_name,
            signer_name=(
                self.supervisor_combo.currentText()
                if self.data.written_by_student
                else self.provider_combo.currentText()
            ),
            start=self.data.start,
            end=self.time_out.end(),
            pain_before=self.pain_now.score(),
            pain_after=self.pain_after.score(),
            icd10_codes=self.billing.icd_picker.codes(),
            lines=[BilledLine(line.cpt, line.units, line.minutes) for line in lines],
            mark_count=len(self.data.findings),
        )
        box = self._sign_question()
        box.setIcon(QMessageBox.Icon.Warning if warnings else QMessageBox.Icon.Question)
        box.setText(summary)
        after = "Once signed, the note cannot be changed; corrections are added as addenda."
        if warnings:
            after = "Likely to be denied:\n" + describe_problems(warnings) + "\n\n" + after
        box.setInformativeText(after)
        confirm = self.confirm_sign_button
        assert confirm is not None
        confirm.setText("Sign anyway" if warnings else "Sign")
        # A warning is read, not passed with Enter.
        if warnings:
            box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        else:
            box.setDefaultButton(confirm)
        self._sign_warned = bool(warnings)
        self.sign_box = box
        box.open()
        return box

    def _sign_question(self) -> QMessageBox:
        """The one "Sign this note?" box of the editor, made on first use. It is kept (hidden)
        between uses: deleting message boxes crashed PySide6 6.11 now and then."""
        box = self.findChild(QMessageBox, "signQuestion")
        if box is None:
            box = QMessageBox(self)
            box.setObjectName("signQuestion")
            box.setWindowTitle("Sign this note?")
            box.setTextFormat(Qt.TextFormat.PlainText)
            self.confirm_sign_button = box.addButton("Sign", QMessageBox.ButtonRole.AcceptRole)
            box.addButton(QMessageBox.StandardButton.Cancel)
            box.setWindowModality(Qt.WindowModality.WindowModal)
            box.finished.connect(self._on_sign_box_finished)
        return box

    @Slot(int)
    def _on_sign_box_finished(self, _result: int) -> None:
        box = self.sign_box
        self.sign_box = None
        if box is not None and box.clickedButton() is self.confirm_sign_button:
            self._sign_despite_errors = self._sign_warned
            self.sign()

    def _refuse(self, message: str) -> bool:
        self.sign_problem.setText(message)
        self.sign_problem.show()
        return False

    def _set_read_only(self, read_only: bool) -> None:
        for widget in self._text_widgets():
            widget.setReadOnly(read_only)
        for box in (self.pain_now, self.pain_best, self.pain_worst, self.pain_after):
            box.setReadOnly(read_only)
        for combo in (
            self.pressure, self.positioning, self.provider_combo, self.template_combo,
            self.supervisor_combo,
        ):  # fmt: skip
            combo.setEnabled(not read_only)
        self.billing.set_read_only(read_only)
        self.measures.set_read_only(read_only)
        self.time_out.set_read_only(read_only)
        self.draft_button.setVisible(not read_only)
        self.template_button.setEnabled(not read_only)
        self.sign_button.setVisible(not read_only)
        self.addendum_button.setVisible(read_only)

    # ------------------------------------------------------------------ addenda

    def open_addendum_dialog(self) -> AddendumDialog | None:
        """Open the Add addendum dialog (not blocking) for a signed note."""
        if self.data is None or not self.is_signed():
            return None
        dialog = AddendumDialog(
            self.data.providers,
            self.provider_combo.currentData(),
            self._save_addendum,
            self,
            keeps_drafts=self.drafts is not None,
        )
        dialog.keep_requested.connect(self._on_addendum_dialog_keep_requested)
        dialog.forget_requested.connect(self._on_addendum_dialog_forget_requested)
        kept = self.drafts.load(draft_key("addendum", self.visit_id)) if self.drafts else None
        if kept is not None:
            dialog.reason.setCurrentText(str(kept.fields.get("reason", "")))
            dialog.text.setPlainText(str(kept.fields.get("text", "")))
        # Not deleted on close: deleting it after typed key events crashed PySide6 6.11 in the
        # tests; a closed dialog is a hidden child, deleted with the editor.
        dialog.finished.connect(self._on_addendum_dialog_finished)
        self.addendum_dialog = dialog
        dialog.open()
        return dialog

    @Slot(str, str)
    def _on_addendum_dialog_keep_requested(self, reason: str, text: str) -> None:
        if self.drafts is None or self.data is None:
            return
        label = f"Addendum — {self.data.client_name}, visit {format_date(self.data.start.date())}"
        try:
            self.drafts.save(
                Draft(draft_key("addendum", self.visit_id), label, {"reason": reason, "text": text})
            )
        except DraftError as exc:
            self.draft_error = str(exc)

    @Slot()
    def _on_addendum_dialog_forget_requested(self) -> None:
        if self.drafts is not None:
            self.drafts.discard(draft_key("addendum", self.visit_id))

    def _save_addendum(self, author_id: str | None, reason: str, text: str) -> str:
        try:
            with self.database.write() as session:
                add_addendum(
                    session,
                    self.visit_id,
                    author_id=author_id,
                    reason=reason,
                    text=text,
                    created_at=self._now().astimezone(),
                )
        except NOTE_ERRORS as exc:
            return describe_error(exc)
        self.reload()
        return ""

    # ------------------------------------------------------------------ handlers

    @Slot()
    def _on_field_edited(self) -> None:
        if self._loading or self.is_signed():
            return
        if self._sign_despite_errors:
            self._sign_despite_errors = False
            self.sign_button.setText(self._sign_text())
            self.sign_problem.hide()
        self.save_state_label.setText("Editing…")
        self._autosave.start()
        if self.drafts is not None and not self._draft_timer.isActive():
            self._draft_timer.start()

    @Slot(QWidget, QWidget)
    def _on_application_focus_changed(self, old: QWidget | None, _new: QWidget | None) -> None:
        # Leaving a field of this note saves it at once (no waiting for the pause).
        if old is not None and self._autosave.isActive() and self.isAncestorOf(old):
            self.save_now()

    @Slot()
    def _on_treatment_edited(self) -> None:
        if not self._loading and self.data is not None:
            self._refresh_alerts()

    @Slot()
    def _on_billing_changed(self) -> None:
        self._on_field_edited()

    @Slot()
    def _on_autosave_timeout(self) -> None:
        self.save_now()

    @Slot()
    def _on_restore_draft_button_clicked(self) -> None:
        draft = self.pending_draft
        if draft is None:
            return
        if self.is_signed():
            dialog = self.open_addendum_dialog()
            if dialog is not None:
                dialog.reason.setCurrentText("Late entry")
                dialog.text.setPlainText("\n".join(self._draft_changes(draft)))
                dialog.accepted.connect(self._on_discard_draft_button_clicked)
            return
        if self.apply_draft(draft):
            self.pending_draft = None
            self.draft_bar.hide()

    @Slot()
    def _on_discard_draft_button_clicked(self) -> None:
        self.pending_draft = None
        self.discard_draft()
        self.draft_bar.hide()

    @Slot()
    def _on_draft_timer_timeout(self) -> None:
        if not self.is_modified():
            self.discard_draft()
        else:
            self.keep_draft()

    @Slot()
    def _on_draft_button_clicked(self) -> None:
        self.draft_from_chart()

    @Slot()
    def _on_template_button_clicked(self) -> None:
        template_id = self.template_combo.currentData()
        if template_id:
            self.apply_template(str(template_id))

    @Slot(str, str)
    def _on_banner_override_requested(self, code: str, reason: str) -> None:
        self.record_override(code, reason)

    @Slot(bool)
    def _on_document_read_only_changed(self, read_only: bool) -> None:
        """Signed elsewhere (another window or computer): what was typed here and not saved is
        kept as a draft and offered as an addendum, and the note turns read-only now rather
        than at its next save."""
        if not read_only or self.data is None or self.is_signed():
            return  # signed here: this editor has shown it already
        self._autosave.stop()
        self.keep_draft()
        if self.reload():
            self.pending_draft = self._find_pending_draft()

    @Slot()
    def _on_keep_mine_button_clicked(self) -> None:
        self.keep_mine()

    @Slot()
    def _on_use_theirs_button_clicked(self) -> None:
        self.use_theirs()

    @Slot()
    def _on_sign_button_clicked(self) -> None:
        # Asked once the click is finished (a window-modal box shown from inside the button's
        # mouse release crashed PySide6's event-filter dispatch offscreen).
        QTimer.singleShot(0, self, self.ask_to_sign)

    @Slot()
    def _on_addendum_button_clicked(self) -> None:
        # Opened once the click is finished: a window-modal dialog shown from inside the
        # button's mouse release crashed PySide6 6.11's event-filter dispatch offscreen.
        QTimer.singleShot(0, self, self.open_addendum_dialog)

    @Slot(int)
    def _on_addendum_dialog_finished(self, _result: int) -> None:
        self.addendum_dialog = None

    @Slot(int)
    def _on_unsaved_box_finished(self, result: int) -> None:
        if result == QMessageBox.StandardButton.Discard.value:
            self._saved_values = self.values()
            self._saved_billing = self.billing.lines()
            self.discard_draft()
            self.close()
