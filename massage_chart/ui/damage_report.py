"""The box that says the database is damaged, and how to get back to a good copy."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from massage_chart.storage.backup import newest_verified_backup
from massage_chart.storage.database import Database

#: How many of the check's problems the box names.
PROBLEMS_NAMED = 3


def show_damage(
    database: Database,
    problems: list[str],
    choose_backup: Callable[[], object],
    parent: QWidget,
) -> QMessageBox:
    """Open the box telling that a check of ``database`` found ``problems``.

    It names the newest verified backup and offers to restore it through ``choose_backup``
    (never by default); without one, it says to stop using this copy.
    """
    file = database.file
    assert file is not None
    folder = database.backup_dir or file.parent / "backups"
    newest = newest_verified_backup(folder, file, database.keying)
    shown = "; ".join(problems[:PROBLEMS_NAMED])
    if newest is None:
        advice = (
            "No verified backup was found beside it. Stop using this copy: make no more "
            "changes, and ask for help recovering the file."
        )
    else:
        advice = (
            f"The newest verified backup is from {newest.taken_at:%d %b %Y %H:%M}. Restore "
            "it now (Restore from backup…, also in the File menu): open notes save first, "
            "and the damaged file is kept aside, never overwritten."
        )
    box = QMessageBox(
        QMessageBox.Icon.Critical,
        "The database is damaged",
        f"A check of {file} found damage ({shown}). No automatic backup was taken, so the "
        f"good backups are kept.\n\n{advice}",
        QMessageBox.StandardButton.Close,
        parent,
    )
    if newest is not None:
        restore = box.addButton("Restore from backup…", QMessageBox.ButtonRole.AcceptRole)
        restore.clicked.connect(choose_backup)
        box.setDefaultButton(QMessageBox.StandardButton.Close)  # never a restore
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box
