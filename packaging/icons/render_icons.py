"""Render the app icon's SVG source: hicolor PNG sizes (Linux), an .ico (Windows), an .icns (macOS)."""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

import cairosvg
from PIL import Image

SOURCE = Path(__file__).resolve().parent / "massage-chart.svg"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICON_NAME = "massage-chart"
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
ICNS_SIZE = 1024


def render(theme_dir: Path) -> list[Path]:
    """Write ``<size>x<size>/apps/massage-chart.png`` for every size, and the scalable SVG."""
    written: list[Path] = []
    for size in SIZES:
        target = theme_dir / f"{size}x{size}" / "apps" / f"{ICON_NAME}.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        cairosvg.svg2png(
            url=str(SOURCE), write_to=str(target), output_width=size, output_height=size
        )
        written.append(target)
    scalable = theme_dir / "scalable" / "apps" / f"{ICON_NAME}.svg"
    scalable.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SOURCE, scalable)
    written.append(scalable)
    return written


def render_desktop_icons(folder: Path) -> list[Path]:
    """Write ``massage-chart.ico`` (Windows installer and exe) and ``massage-chart.icns`` (macOS)."""
    folder.mkdir(parents=True, exist_ok=True)
    large = folder / f"{ICON_NAME}-{ICNS_SIZE}.png"
    cairosvg.svg2png(
        url=str(SOURCE), write_to=str(large), output_width=ICNS_SIZE, output_height=ICNS_SIZE
    )
    ico = folder / f"{ICON_NAME}.ico"
    icns = folder / f"{ICON_NAME}.icns"
    with Image.open(large) as image:
        image.save(ico, sizes=[(size, size) for size in ICO_SIZES])
        image.save(icns)
    large.unlink()
    return [ico, icns]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("theme_dir", type=Path, help="e.g. root/usr/share/icons/hicolor")
    parser.add_argument(
        "--desktop-icons",
        type=Path,
        metavar="DIR",
        help="also write massage-chart.ico and massage-chart.icns into DIR",
    )
    args = parser.parse_args()
    written = render(args.theme_dir)
    if args.desktop_icons is not None:
        written += render_desktop_icons(args.desktop_icons)
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
