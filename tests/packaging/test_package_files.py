"""The packaging files: the app bundle carries every data file, the desktop files validate."""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from massage_chart import __version__

ROOT = Path(__file__).resolve().parents[2]
LINUX = ROOT / "packaging" / "linux"
DESKTOP = LINUX / "massage-chart.desktop"
METAINFO = LINUX / "app.massagechart.MassageChart.metainfo.xml"
sys.path.insert(0, str(ROOT / "packaging"))

import bundle_files  # noqa: E402

# CI installs the tools and sets this, so the checks are never skipped there.
REQUIRED = os.environ.get("MASSAGE_CHART_REQUIRE_PACKAGE") == "1"


def _validator(name: str) -> str:
    """The validator's path; the test skips without it (a newcomer's machine), fails in CI."""
    path = shutil.which(name)
    if path is None and not REQUIRED:
        pytest.skip(f"{name} is not installed: run `make package-tools` to check the desktop files")
    assert path, f"{name} is missing: run `make package-tools`"
    return path


def test_every_resource_folder_is_listed_for_the_bundle() -> None:
    assert bundle_files.unlisted_resource_folders() == []


def test_the_bundle_carries_every_resource_and_migration_where_the_wheel_has_them() -> None:
    bundled: set[str] = set()
    for source, folder in bundle_files.data_files():
        path = Path(source)
        files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
        base = path.parent if path.is_file() else path
        bundled.update(f"{folder}/{file.relative_to(base).as_posix()}" for file in files)

    for file in (ROOT / "resources").rglob("*"):
        if file.is_file():
            assert (
                f"massage_chart/resources/{file.relative_to(ROOT / 'resources').as_posix()}"
                in bundled
            )
    migrations = ROOT / "massage_chart" / "storage" / "migrations"
    for file in [
        migrations / "env.py",
        migrations / "script.py.mako",
        *migrations.glob("versions/*.py"),
    ]:
        assert (
            f"massage_chart/storage/migrations/{file.relative_to(migrations).as_posix()}" in bundled
        )


def test_only_unused_qt_parts_are_left_out() -> None:
    assert not bundle_files.is_wanted_binary("PySide6/Qt/lib/libQt6Quick.so.6")
    assert not bundle_files.is_wanted_binary(
        "PySide6/Qt/plugins/platforminputcontexts/libqtvirtualkeyboardplugin.so"
    )
    for needed in ("libQt6Widgets.so.6", "libQt6Pdf.so.6", "libqxcb.so", "libQt6XcbQpa.so.6"):
        assert bundle_files.is_wanted_binary(f"PySide6/Qt/lib/{needed}")


def test_the_system_libraries_the_package_depends_on_are_not_bundled() -> None:
    for system in (
        "libfontconfig.so.1",
        "libglib-2.0.so.0",
        "libgio-2.0.so.0",
        "libxcb-cursor.so.0",
    ):
        assert not bundle_files.is_wanted_binary(system)
    assert bundle_files.is_wanted_binary("pillow.libs/libfreetype-57f805ba.so.6.20.6")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux desktop files")
def test_the_desktop_file_validates_and_starts_the_command_with_our_icon() -> None:
    result = subprocess.run(
        [_validator("desktop-file-validate"), str(DESKTOP)], capture_output=True, text=True
    )
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # type: ignore[assignment,method-assign]
    entry.read(DESKTOP, encoding="utf-8")
    section = entry["Desktop Entry"]
    assert section["Exec"] == "massage-chart"
    assert (ROOT / "packaging" / "icons" / f"{section['Icon']}.svg").is_file()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux desktop files")
def test_the_appstream_metainfo_validates_and_names_this_version() -> None:
    result = subprocess.run(
        [_validator("appstreamcli"), "validate", "--no-net", str(METAINFO)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    component = ET.parse(METAINFO).getroot()
    assert component.findtext("launchable") == DESKTOP.name
    assert component.find("releases/release").get("version") == __version__  # type: ignore[union-attr]
