"""The ICD-10-CM picker: its code set opens at once, its search index is built later, off the
window's thread, so that building it never stalls the window being opened around it."""

from __future__ import annotations

from tests.helpers.fresh_process import run_python

# In a process of its own: the code set and the search index are built once per process.
SCRIPT = """
import threading
import time
from PySide6.QtWidgets import QApplication
from massage_chart.domain import icd10
from massage_chart.ui.record import fields
from massage_chart.ui.record.icd_picker import Icd10Picker

app = QApplication([])


def wait(seconds):
    # As the event loop waits: with Python's lock let go (QTest.qWait keeps it, starving the
    # workers).
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.02)


started = time.monotonic()
picker = Icd10Picker()
picker.set_codes(["M54.2"])
picker.show()
wait(2.5 - (time.monotonic() - started))  # the window around it is built and drawn meanwhile
building = any(t.name == "icd10-search-index" for t in threading.enumerate())
print("index built unasked:", icd10._index.cache_info().currsize, building)
deadline = time.monotonic() + 60
while not fields.icd10_ready() and time.monotonic() < deadline:
    wait(0.02)
wait(0.3)
print("described:", picker.code_list.item(0).text())
picker.search_field.setText("neck pain")
while not picker.results.count() and time.monotonic() < deadline:
    wait(0.02)
print("found:", picker.results.item(0).data(256) if picker.results.count() else None)
"""


def test_the_code_set_opens_at_once_and_the_search_index_waits_for_a_search() -> None:
    result = run_python(SCRIPT)

    assert result.returncode == 0, result.stderr
    assert "described: A  M54.2 — Cervicalgia" in result.stdout
    assert "index built unasked: 0 False" in result.stdout  # not while the window is being built
    assert "found: M54.2" in result.stdout  # typing built it, and the search answered
