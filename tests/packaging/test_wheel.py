"""The built wheel carries the data files and migrations, and finds them when installed."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--wheel-dir",
            str(out),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    (built,) = out.glob("massage_chart-*.whl")
    return built


def test_wheel_contains_resources_and_migrations(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "massage_chart/resources/README.md" in names
    assert "massage_chart/storage/migrations/env.py" in names
    assert "massage_chart/storage/migrations/script.py.mako" in names
    assert "massage_chart/storage/migrations/versions/0001_initial_schema.py" in names
    assert "massage_chart/py.typed" in names
    for path in (ROOT / "resources").rglob("*"):
        if path.is_file():
            assert f"massage_chart/resources/{path.relative_to(ROOT / 'resources')}" in names
    # The user guide and every picture it shows, for Help > User guide.
    assert "massage_chart/resources/guide/USER_GUIDE.md" in names
    guide = (ROOT / "docs" / "USER_GUIDE.md").read_text(encoding="utf-8")
    for picture in re.findall(r"!\[[^\]]*\]\(([^)\s]+)\)", guide):
        assert f"massage_chart/resources/guide/{picture}" in names, picture


def test_installed_wheel_finds_its_own_resources_and_migrations(
    wheel: Path, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    script = (
        "import sys; from pathlib import Path\n"
        "from massage_chart.resources import resources_dir\n"
        "from massage_chart.storage.database import open_database, MIGRATIONS_DIR\n"
        f"site = Path({str(site)!r})\n"
        "assert resources_dir().is_relative_to(site), resources_dir()\n"
        "assert MIGRATIONS_DIR.is_relative_to(site), MIGRATIONS_DIR\n"
        "from massage_chart.resources import guide_path\n"
        "guide = guide_path(); assert guide is not None and guide.is_relative_to(site), guide\n"
        "assert (guide.parent / 'screenshots' / 'guide_main_window.png').is_file()\n"
        f"db = open_database({str(tmp_path / 'w.db')!r}); db.dispose()\n"
        "print('ok')\n"
    )
    # The unpacked wheel goes first on the path, ahead of the editable checkout.
    result = subprocess.run(
        [sys.executable, "-c", f"import sys; sys.path.insert(0, {str(site)!r})\n" + script],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
