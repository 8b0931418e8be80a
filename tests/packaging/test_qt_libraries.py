"""Qt's system libraries: a missing one is named with its package before Qt is loaded."""

from __future__ import annotations

import struct
import sys
from pathlib import Path

import pytest

from massage_chart import cli, platform_check
from massage_chart.platform_check import (
    GUI_LIBRARIES,
    XCB_LIBRARIES,
    debian_depends,
    missing_libraries_message,
    missing_packages,
    qt_libraries_problem,
    uses_xcb,
)

ABSENT = ("libmassage-chart-absent.so.7", "massage-chart-absent7")
# Libraries every Linux system has, or that the PySide6 wheel carries itself.
_NOT_SYSTEM_PACKAGES = (
    "libQt6",
    "libicu",
    "libc.so",
    "libm.so",
    "libstdc++",
    "libgcc_s",
    "ld-linux",
)
_ALSO_PRESENT = ("libz.so.1", "libzstd.so.1", "libgthread-2.0.so.0")


def _needed(library: Path) -> list[str]:
    """The DT_NEEDED entries of a 64-bit little-endian ELF shared library."""
    data = library.read_bytes()
    assert data[:4] == b"\x7fELF" and data[4] == 2 and data[5] == 1, library
    (section_offset,) = struct.unpack_from("<Q", data, 0x28)
    entry_size, count = struct.unpack_from("<HH", data, 0x3A)
    sections = [
        struct.unpack_from("<IIQQQQIIQQ", data, section_offset + index * entry_size)
        for index in range(count)
    ]
    names: list[str] = []
    for _name, kind, _flags, _addr, offset, size, link, *_rest in sections:
        if kind != 6:  # SHT_DYNAMIC
            continue
        strings_offset = sections[link][4]
        for start in range(offset, offset + size, 16):
            tag, value = struct.unpack_from("<qQ", data, start)
            if tag == 1:  # DT_NEEDED
                end = data.index(b"\0", strings_offset + value)
                names.append(data[strings_offset + value : end].decode())
    return names


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Qt's xcb plugin is Linux's")
def test_the_tables_cover_every_system_library_the_xcb_plugin_and_qt_gui_link_to() -> None:
    import PySide6

    qt = Path(PySide6.__file__).parent / "Qt"
    linked: set[str] = set()
    for library in (
        qt / "plugins" / "platforms" / "libqxcb.so",
        qt / "lib" / "libQt6XcbQpa.so.6",
        qt / "lib" / "libQt6Gui.so.6",
        qt / "lib" / "libQt6Widgets.so.6",
        qt / "lib" / "libQt6DBus.so.6",
    ):
        linked.update(_needed(library))
    system = {
        name
        for name in linked
        if not name.startswith(_NOT_SYSTEM_PACKAGES) and name not in _ALSO_PRESENT
    }
    assert "libxcb-cursor.so.0" in system  # the reader works
    listed = {library for library, _package in (*GUI_LIBRARIES, *XCB_LIBRARIES)}
    assert system - listed == set()


def test_a_missing_library_is_named_with_the_package_to_install() -> None:
    missing = missing_packages([ABSENT, ("libc.so.6", "libc6")])

    assert missing == {ABSENT[0]: ABSENT[1]}
    message = missing_libraries_message(missing)
    assert "libmassage-chart-absent.so.7" in message
    assert "sudo apt install massage-chart-absent7" in message
    assert "Nothing was changed" in message


def test_each_package_is_named_once_in_the_message() -> None:
    message = missing_libraries_message({"liba.so.1": "pkg-a", "liba-extra.so.1": "pkg-a"})
    assert "sudo apt install pkg-a\n" in message


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, True),
        ({"QT_QPA_PLATFORM": "xcb"}, True),
        ({"QT_QPA_PLATFORM": "xcb:display=:1"}, True),
        ({"QT_QPA_PLATFORM": "offscreen"}, False),
        ({"QT_QPA_PLATFORM": "wayland;xcb"}, False),
        ({"XDG_SESSION_TYPE": "wayland", "WAYLAND_DISPLAY": "wayland-0"}, False),
        ({"XDG_SESSION_TYPE": "x11", "DISPLAY": ":0"}, True),
    ],
)
def test_which_environments_draw_through_xcb(environ: dict[str, str], expected: bool) -> None:
    assert uses_xcb(environ, platform="linux") is expected


def test_other_systems_are_not_checked() -> None:
    assert uses_xcb({}, platform="darwin") is False
    assert qt_libraries_problem({}, platform="win32") is None


def test_the_package_depends_on_every_library_package_once() -> None:
    depends = debian_depends()
    names = [
        alternative.split()[0]
        for group in depends.split(", ")
        for alternative in group.split(" | ")
    ]
    assert len(names) == len(set(names))
    for _library, package in (*GUI_LIBRARIES, *XCB_LIBRARIES):
        assert package in names
    assert "libxcb-cursor0" in names
    assert "libglib2.0-0t64 | libglib2.0-0" in depends


def test_the_app_names_the_package_instead_of_starting_qt(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setattr(platform_check, "GUI_LIBRARIES", (*GUI_LIBRARIES, ABSENT))
    database = tmp_path / "records.db"

    code = cli.main(["--db", str(database), "--quit-after-start"])

    assert code == 1
    error = capsys.readouterr().err
    assert "sudo apt install massage-chart-absent7" in error
    assert "Traceback" not in error
    assert not database.exists()
