"""Run Python in a fresh process, as the installed app starts: for what only a new interpreter
shows (which modules a start loads, the state it leaves the collector in)."""

from __future__ import annotations

import os
import subprocess
import sys

TIMEOUT_S = 180


def run_python(script: str, *args: str) -> subprocess.CompletedProcess[str]:
    """``python -c script args...`` with Qt offscreen; its output as text, never raising on a
    non-zero exit (the caller asserts, with the process's stderr in the message)."""
    return subprocess.run(
        [sys.executable, "-c", script, *args],
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        check=False,
    )


def run_app(*args: str) -> subprocess.CompletedProcess[str]:
    """``python -m massage_chart args...`` with Qt offscreen (see run_python)."""
    return run_python("import sys\nfrom massage_chart.cli import main\nsys.exit(main())", *args)
