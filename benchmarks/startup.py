"""Start-up time: Massage Chart's main window against a bare PySide6 QMainWindow, same run.

    python -m benchmarks.startup --db out/scale.db [--runs 5]

Each sample is a fresh process: interpreter start, imports, database opened (for the app), the
window shown and one event-loop turn, then exit. Budget (PRODUCT.md §7): at most 2x the bare window.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

BARE = """
import sys
from PySide6.QtWidgets import QApplication, QMainWindow
from PySide6.QtCore import QTimer
app = QApplication(sys.argv)
window = QMainWindow()
window.resize(1280, 760)
window.show()
QTimer.singleShot(0, app.quit)
app.exec()
"""

APP = """
import sys
from PySide6.QtWidgets import QApplication
from PySide6.QtCore import QTimer
from massage_chart.storage.database import open_database
from massage_chart.ui.main_window import MainWindow
app = QApplication(sys.argv)
database = open_database(sys.argv[1])
window = MainWindow(database, backup_on_close=False)  # start-up only
window.show()
QTimer.singleShot(0, app.quit)
app.exec()
"""


def _sample(code: str, *args: str) -> float:
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code, *args], check=True, env=env)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", required=True)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    _sample(BARE)
    _sample(APP, args.db)  # warm the OS file cache for both
    bare: list[float] = []
    app: list[float] = []
    for _ in range(args.runs):  # interleaved, so both see the same machine load
        bare.append(_sample(BARE))
        app.append(_sample(APP, args.db))
    b, a = statistics.median(bare), statistics.median(app)
    print(
        f"bare QMainWindow      median {b * 1000:7.0f} ms  ({', '.join(f'{x * 1000:.0f}' for x in bare)})"
    )
    print(
        f"Massage Chart window  median {a * 1000:7.0f} ms  ({', '.join(f'{x * 1000:.0f}' for x in app)})"
    )
    print(f"ratio {a / b:.2f} (budget 2.00) {'within' if a / b <= 2 else 'OVER'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
