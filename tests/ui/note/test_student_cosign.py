"""A student's note in the window of a clinic on a real PostgreSQL: the student names the
supervising therapist, who alone co-signs it."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from massage_chart.storage import clinic
from tests.storage.test_clinic import Clinic, clinic_db  # noqa: F401  (the fixture)

pytestmark = pytest.mark.qt_log_ignore(
    "This plugin does not support propagateSizeHints", "This plugin does not support raise"
)


@pytest.mark.postgres
def test_a_student_names_the_supervisor_who_alone_co_signs_in_the_note(
    qtbot: QtBot,
    clinic_db: Clinic,  # noqa: F811
    tmp_path,
) -> None:
    """The student's note shows who co-signs it and no Sign button for the student; the
    supervisor named there opens it and co-signs; the note keeps the student as its provider."""
    import datetime as dt

    from massage_chart.storage.drafts import DraftStore
    from massage_chart.storage.repositories import get_visit
    from massage_chart.ui.note.editor import VisitNoteEditor
    from tests.helpers.notes import complete_the_note

    c = clinic_db
    now = dt.datetime(2026, 12, 1, 13, tzinfo=dt.UTC)
    stu = clinic.sign_in(c.url, "stu", "pw-stu", practice=c.practice)
    sam = clinic.sign_in(c.url, "sam", "pw-sam", practice=c.practice)
    try:
        with stu.database.write() as session:
            complete_the_note(session, c.stu_visit)
        editor = VisitNoteEditor(
            stu.database, c.stu_visit, now=lambda: now, today=lambda: now.date(),
            drafts=DraftStore(tmp_path / "stu"),
        )  # fmt: skip
        qtbot.addWidget(editor)
        editor.show()
        assert editor.supervisor_combo.isVisible()
        names = [
            editor.supervisor_combo.itemText(i) for i in range(editor.supervisor_combo.count())
        ]
        assert names == [
            "Choose the supervising therapist…", "Lee Therapist", "Sam Therapist",
        ]  # fmt: skip
        assert not editor.sign_button.isEnabled()
        editor.supervisor_combo.setCurrentIndex(editor.supervisor_combo.findData(c.sam_provider))
        editor.supervisor_combo.activated.emit(editor.supervisor_combo.currentIndex())
        assert not editor.sign_problem.isVisible()
        assert not editor.sign_button.isEnabled()  # the student still cannot sign
        assert editor.close() and not editor.isVisible()

        supervisor = VisitNoteEditor(
            sam.database, c.stu_visit, now=lambda: now, today=lambda: now.date(),
            drafts=DraftStore(tmp_path / "sam"),
        )  # fmt: skip
        qtbot.addWidget(supervisor)
        supervisor.show()
        assert supervisor.sign_button.text() == "&Co-sign" and supervisor.sign_button.isEnabled()
        assert supervisor.supervisor_combo.currentData() == c.sam_provider
        assert supervisor.sign(), supervisor.sign_problem.text()
        with sam.database.read() as session:
            visit = get_visit(session, c.stu_visit)
            assert (visit.provider_id, visit.signed_by_id) == (c.stu_provider, c.sam_provider)
        # Closed while their databases are still there (the clinic's is dropped after the test).
        assert supervisor.close() and not supervisor.isVisible()
    finally:
        stu.database.dispose()
        sam.database.dispose()
