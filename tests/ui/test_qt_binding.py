"""The installed Qt binding survives long painting sessions (PySide6 6.12.0 did not, on 3.11)."""

from __future__ import annotations

import os
import subprocess
import sys

PAINT_LOOP = """
from PySide6.QtCore import QPointF
from PySide6.QtGui import QPainterPath
path = QPainterPath()
for _ in range(100_000):
    path.lineTo(QPointF(1.0, 1.0))  # a void call: each one must leave None's refcount alone
print("ok")
"""


def test_many_void_qt_calls_do_not_abort_the_interpreter() -> None:
    result = subprocess.run(
        [sys.executable, "-c", PAINT_LOOP],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        check=False,
    )
    assert result.returncode == 0, result.stderr[-500:]
    assert result.stdout.strip() == "ok"
