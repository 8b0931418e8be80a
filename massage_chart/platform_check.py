"""Before Qt starts on Linux: name the Debian/Ubuntu packages of the system libraries it lacks."""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Mapping, Sequence

# The system libraries Qt 6's widgets need on Linux whatever the display: (library, package).
GUI_LIBRARIES: tuple[tuple[str, str], ...] = (
    ("libEGL.so.1", "libegl1"),
    ("libGL.so.1", "libgl1"),
    ("libfontconfig.so.1", "libfontconfig1"),
    ("libfreetype.so.6", "libfreetype6"),
    ("libxkbcommon.so.0", "libxkbcommon0"),
    ("libX11.so.6", "libx11-6"),
    ("libdbus-1.so.3", "libdbus-1-3"),
    ("libglib-2.0.so.0", "libglib2.0-0"),
)

# What Qt 6's X11 ("xcb") platform plugin links to beyond those, read from the plugin itself
# (libqxcb.so and libQt6XcbQpa.so.6, Qt 6.11). libxcb-xinerama0 was Qt 5's and is not needed.
XCB_LIBRARIES: tuple[tuple[str, str], ...] = (
    ("libxcb.so.1", "libxcb1"),
    ("libX11-xcb.so.1", "libx11-xcb1"),
    ("libxcb-cursor.so.0", "libxcb-cursor0"),
    ("libxcb-icccm.so.4", "libxcb-icccm4"),
    ("libxcb-keysyms.so.1", "libxcb-keysyms1"),
    ("libxcb-image.so.0", "libxcb-image0"),
    ("libxcb-render-util.so.0", "libxcb-render-util0"),
    ("libxcb-util.so.1", "libxcb-util1"),
    ("libxcb-randr.so.0", "libxcb-randr0"),
    ("libxcb-render.so.0", "libxcb-render0"),
    ("libxcb-shape.so.0", "libxcb-shape0"),
    ("libxcb-shm.so.0", "libxcb-shm0"),
    ("libxcb-sync.so.1", "libxcb-sync1"),
    ("libxcb-xfixes.so.0", "libxcb-xfixes0"),
    ("libxcb-xkb.so.1", "libxcb-xkb1"),
    ("libxkbcommon-x11.so.0", "libxkbcommon-x11-0"),
)

# Ubuntu 24.04 renamed GLib's package for its 64-bit time change; Debian 12 has the old name.
_DEPENDS_ALTERNATIVES = {"libglib2.0-0": "libglib2.0-0t64 | libglib2.0-0"}


def debian_depends() -> str:
    """Both tables' packages as the ``Depends`` field of the Linux package, each named once."""
    packages = dict.fromkeys(package for _, package in (*GUI_LIBRARIES, *XCB_LIBRARIES))
    return ", ".join(_DEPENDS_ALTERNATIVES.get(package, package) for package in packages)


def uses_xcb(environ: Mapping[str, str], platform: str = sys.platform) -> bool:
    """Whether Qt will draw through X11 (xcb): asked for, or the Linux default outside Wayland."""
    if not platform.startswith("linux"):
        return False
    chosen = environ.get("QT_QPA_PLATFORM", "").strip()
    if chosen:
        return chosen.split(";")[0].split(":")[0] == "xcb"
    return environ.get("XDG_SESSION_TYPE") != "wayland" and not environ.get("WAYLAND_DISPLAY")


def _loads(library: str) -> bool:
    """Whether the dynamic loader finds ``library`` (the built app never bundles these)."""
    try:
        ctypes.CDLL(library)
    except OSError:
        return False
    return True


def missing_packages(libraries: Sequence[tuple[str, str]]) -> dict[str, str]:
    """The libraries the loader cannot find, each with its package: {library: package}."""
    return {library: package for library, package in libraries if not _loads(library)}


def missing_libraries_message(missing: Mapping[str, str]) -> str:
    """The words for a person whose computer lacks some of Qt's system libraries."""
    packages = " ".join(dict.fromkeys(missing.values()))
    return (
        "Massage Chart cannot open its window: this computer lacks system libraries that its "
        f"window toolkit (Qt) needs: {', '.join(missing)}.\n"
        "On Debian or Ubuntu, install them with:\n"
        f"    sudo apt install {packages}\n"
        "then start Massage Chart again. Nothing was changed."
    )


def qt_libraries_problem(
    environ: Mapping[str, str] | None = None, platform: str = sys.platform
) -> str | None:
    """The message naming the packages to install, or None when Qt can start (or is not on Linux)."""
    if not platform.startswith("linux"):
        return None
    libraries = list(GUI_LIBRARIES)
    if uses_xcb(os.environ if environ is None else environ, platform):
        libraries += XCB_LIBRARIES
    missing = missing_packages(libraries)
    return missing_libraries_message(missing) if missing else None


def main() -> int:
    """``python -m massage_chart.platform_check``: exit 1 with the message when a library lacks."""
    problem = qt_libraries_problem()
    if problem is None:
        return 0
    print(problem, file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
