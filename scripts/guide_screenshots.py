"""The user guide's screenshots, made from the demo practice (``make screenshots``).

    python scripts/guide_screenshots.py docs/screenshots
    python scripts/guide_screenshots.py --dark docs/screenshots/dark

Seeds a small demo practice in a temporary database with a fixed seed and day, opens the real
windows at laptop size (1366x768), and saves each as PNG; the SOAP note and the client summary
are exported as PDFs and their first pages turned into PNG with ``pdftoppm`` (poppler-utils).
The visit window is also saved in each state, at 1366x768 and 1920x1080, in ``workspace/``.
Run under a real X server (``make screenshots`` uses xvfb-run when it is installed) or with
``QT_QPA_PLATFORM=offscreen``: the pictures are the same widgets either way.

``--dark`` shows the main windows as a computer set to dark mode shows them: the app follows the
system's palette (Qt's platform theme hands it over), so the script gives the application the
dark palette such a system gives Qt's Fusion style.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

from PySide6.QtWidgets import QApplication, QWidget

from massage_chart.demo import seed_demo
from massage_chart.domain.presentation import Clock, use_clock
from massage_chart.export.service import DocumentKind, render_document
from massage_chart.storage.database import open_database
from massage_chart.storage.repositories import add_health_history_version, create_visit
from massage_chart.ui.fonts import install_script_fonts
from massage_chart.ui.main_window import MainWindow
from massage_chart.ui.style import dark_fusion_palette

TODAY = dt.date(2026, 11, 23)
NOW = dt.datetime(2026, 11, 23, 10, 20)
SIZE = (1366, 768)


def settle(app: QApplication, rounds: int = 6) -> None:
    """Let the windows lay out and paint (and worker threads report back)."""
    for _ in range(rounds):
        app.processEvents()


def fit(app: QApplication, window: QWidget, size: tuple[int, int] = SIZE) -> None:
    """Size a window opened at the screen's size down to ``size``. Twice: the first resize
    meets the window's minimum from its wide layout, which shrinks once the narrow one settles."""
    for _ in range(2):
        window.resize(*size)
        settle(app)


def workspace(app: QApplication, window: MainWindow, ids: tuple[str, str, str], out: Path) -> None:
    """The visit window in each state a therapist meets, at a laptop's 1366x768 and at
    1920x1080: charting a draft, the chart alone, the note alone, a signed visit, and charting
    held by a stop/refer alert; then the signing question and the print preview."""
    out.mkdir(parents=True, exist_ok=True)
    client_id, signed_id, draft_id = ids
    database = window.database
    with database.write() as session:
        start = dt.datetime.combine(TODAY, dt.time(15, 0))
        held = create_visit(session, client_id, provider_id=None, start=start).id
    for size in (SIZE, (1920, 1080)):
        name = f"{size[0]}x{size[1]}"
        for state, visit_id in (("draft", draft_id), ("signed", signed_id)):
            visit = window.open_visit(visit_id)
            if visit is not None:
                fit(app, visit, size)
                save(app, visit, out / f"workspace_{state}_{name}.png")
                if state == "draft":
                    visit.show_note_action.setChecked(False)
                    fit(app, visit, size)
                    save(app, visit, out / f"workspace_chart_only_{name}.png")
                    visit.show_note_action.setChecked(True)
                    visit.show_chart_action.setChecked(False)
                    fit(app, visit, size)
                    save(app, visit, out / f"workspace_note_only_{name}.png")
                    visit.show_chart_action.setChecked(True)
                visit.close()
    note = window.open_note_editor(draft_id)
    if note is not None:
        box = note.ask_to_sign()
        settle(app)
        save(app, box if box is not None else note.window(), out / "workspace_sign_question.png")
        if box is not None:
            box.reject()
        note.window().close()
    window.select_client(client_id)
    window.detail_panel.select_visit(signed_id)
    preview = window.export_actions.print_visit()
    if preview is not None:
        save(app, preview, out / "workspace_print_preview.png")
        preview.reject()
    # Last, as it changes the client's history: an acute blood clot holds charting.
    with database.write() as session:
        add_health_history_version(session, client_id, conditions=["DVT left calf"])
    for size in (SIZE, (1920, 1080)):
        visit = window.open_visit(held)
        if visit is not None:
            fit(app, visit, size)
            save(app, visit, out / f"workspace_stop_refer_{size[0]}x{size[1]}.png")
            visit.close()


def save(app: QApplication, widget: QWidget, path: Path) -> None:
    settle(app)
    if not widget.grab().save(str(path)):
        raise SystemExit(f"could not write {path}")
    print(f"wrote {path}")


def pdf_page(pdf: bytes, path: Path, work: Path) -> None:
    """The first page of a PDF as PNG, at a size readable in the guide."""
    if shutil.which("pdftoppm") is None:
        raise SystemExit("pdftoppm is missing: install poppler-utils")
    source = work / f"{path.stem}.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "1", "-singlefile", str(source),
         str(path.with_suffix(""))],
        check=True,
    )  # fmt: skip
    print(f"wrote {path}")


def shots(app: QApplication, out: Path, work: Path, *, dark: bool) -> None:
    """The windows from a fresh demo practice, named guide_*.png; in dark mode (``dark``) the main
    ones, named dark_*.png (the PDFs, the forms and the workspace states are the light ones')."""
    prefix = "dark" if dark else "guide"
    db_file = work / "demo.db"
    database = open_database(str(db_file))
    seed_demo(database, clients=12, today=TODAY)
    client_id, signed_id, draft_id = _ids(db_file)

    window = MainWindow(database, today=lambda: TODAY, now=lambda: NOW)
    window.resize(*SIZE)
    window.show()
    window.select_client(client_id)
    window.detail_panel.select_visit(signed_id)
    save(app, window, out / f"{prefix}_main_window.png")

    record = window.open_client_record()
    if record is not None:
        record.resize(1100, 720)
        save(app, record, out / f"{prefix}_client_record.png")
        record.close()

    # The visit window: chart and note side by side, at laptop size.
    for visit_id, name in ((draft_id, "visit_draft.png"),
                           (signed_id, "visit_signed.png")):  # fmt: skip
        visit = window.open_visit(visit_id)
        if visit is not None:
            fit(app, visit)
            save(app, visit, out / f"{prefix}_{name}")
            visit.close()
    # A close-up: a signed visit charted on the palms, its chart on the hands' detail views.
    hand_visit = None if dark else _visit_charted_on(db_file, "hands_palmar")
    visit = window.open_visit(hand_visit) if hand_visit is not None else None
    if visit is not None:
        fit(app, visit)
        visit.chart.show_view("hands_palmar")
        settle(app)
        save(app, visit, out / "guide_visit_detail.png")
        visit.close()
    # The note unfolded wide, the chart folded away.
    visit = None if dark else window.open_visit(draft_id)
    if visit is not None:
        visit.show_chart_action.setChecked(False)
        fit(app, visit)
        save(app, visit, out / f"{prefix}_note_draft.png")
        # Range of motion, tolerance and goals: the note's Measures & goals tab.
        visit.note.sections.setCurrentWidget(visit.note.measures)
        save(app, visit, out / f"{prefix}_note_measures.png")
        visit.note.sections.setCurrentIndex(0)
        visit.show_chart_action.setChecked(True)
        visit.close()

    progress = window.open_progress()
    if progress is not None:
        progress.resize(1100, 720)
        save(app, progress, out / f"{prefix}_progress.png")
        # The client's own pain maps over time, the therapist's extent drawn apart.
        progress.tabs.setCurrentWidget(progress.pain_maps)
        save(app, progress, out / f"{prefix}_progress_pain_map.png")
        progress.close()

    # The client marks where it hurt this week, on the laptop.
    pain_map = window.open_pain_map_form()
    if pain_map is not None:
        for key in ("posterior:upper_trapezius.l", "posterior:upper_trapezius.r",
                    "posterior:cervical_spine", "anterior:masseter_tmj.l",
                    "posterior:lumbar_spine"):  # fmt: skip
            pain_map.picker.toggle(key)
        pain_map.severity_rows["fatigue"].choose(2)
        pain_map.severity_rows["unrefreshed"].choose(1)
        pain_map.resize(1280, 820)
        save(app, pain_map, out / f"{prefix}_pain_map.png")
        pain_map.reject()

    settings = window.open_settings()
    save(app, settings, out / f"{prefix}_settings.png")
    settings.close()

    if not dark:  # the same in either mode (PDFs), or shown once is enough
        window.shortcuts_action.trigger()
        if window.help_window is not None:
            save(app, window.help_window, out / "guide_shortcuts.png")
            window.help_window.close()
        for kind, name in ((DocumentKind.SOAP, "guide_soap_pdf.png"),
                           (DocumentKind.SUMMARY, "guide_summary_pdf.png")):  # fmt: skip
            pdf_page(render_document(database, kind, signed_id).pdf, out / name, work)
        workspace(app, window, (client_id, signed_id, draft_id), out / "workspace")

    window.close()
    settle(app)
    database.dispose()


def _visit_charted_on(db_file: Path, view_id: str) -> str | None:
    """The newest signed visit with a mark on this view, if the demo has one."""
    connection = sqlite3.connect(db_file)
    try:
        row = connection.execute(
            "SELECT v.id FROM visits v JOIN marks m ON m.visit_id = v.id "
            "WHERE m.view = ? AND v.status = 'signed' ORDER BY v.start DESC LIMIT 1",
            (view_id,),
        ).fetchone()
    finally:
        connection.close()
    return row[0] if row is not None else None


def _ids(db_file: Path) -> tuple[str, str, str]:
    """(client with the most signed visits, their newest signed visit, a draft visit of theirs)."""
    connection = sqlite3.connect(db_file)
    try:
        client_id = connection.execute(
            "SELECT v.client_id FROM visits v JOIN visits d ON d.client_id = v.client_id "
            "AND d.status = 'draft' JOIN clients c ON c.id = v.client_id "
            "WHERE v.status = 'signed' GROUP BY v.client_id "
            "ORDER BY count(DISTINCT v.id) DESC, c.sort_key LIMIT 1"  # the same client every run
        ).fetchone()[0]
        signed = connection.execute(
            "SELECT v.id FROM visits v WHERE v.client_id = ? AND v.status = 'signed' "
            "ORDER BY (SELECT count(*) FROM marks m WHERE m.visit_id = v.id) DESC, v.start DESC "
            "LIMIT 1",
            (client_id,),
        ).fetchone()[0]
        draft = connection.execute(
            "SELECT id FROM visits WHERE client_id = ? AND status = 'draft' ORDER BY start DESC",
            (client_id,),
        ).fetchone()[0]
    finally:
        connection.close()
    return client_id, signed, draft


def main(argv: list[str]) -> int:
    dark = argv[:1] == ["--dark"]
    argv = argv[1:] if dark else argv
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    out = Path(argv[0])
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(["massage-chart"])
    assert isinstance(app, QApplication)
    install_script_fonts()  # as the app does: names in every script show
    use_clock(Clock.TWELVE_HOUR)
    if dark:
        app.setPalette(dark_fusion_palette())
    with tempfile.TemporaryDirectory() as folder:
        shots(app, out, Path(folder), dark=dark)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
