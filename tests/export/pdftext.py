"""Read PDFs back as a reader would: text per page, fonts, and (when poppler is there) pixels."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from pypdf import PdfReader


def pages_text(pdf: bytes) -> list[str]:
    """The extracted text of each page."""
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages]


def all_text(pdf: bytes) -> str:
    """The text of the whole document, pages joined by newlines."""
    return "\n".join(pages_text(pdf))


def flat(text: str) -> str:
    """Text with all whitespace removed (to find wrapped words and long runs)."""
    return "".join(text.split())


def fonts(pdf: bytes) -> dict[str, bool]:
    """Every font the pages use: base font name -> whether its outlines are embedded."""
    found: dict[str, bool] = {}
    for page in PdfReader(io.BytesIO(pdf)).pages:
        resources = page.get("/Resources")
        if resources is None:
            continue
        for ref in (resources.get_object().get("/Font") or {}).values():
            font = ref.get_object()
            descriptor = font.get("/FontDescriptor")
            embedded = False
            if descriptor is not None:
                d = descriptor.get_object()
                embedded = any(k in d for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            found[str(font["/BaseFont"])] = embedded
    return found


def have_poppler() -> bool:
    """Whether pdftoppm is installed (rendering tests skip without it)."""
    return shutil.which("pdftoppm") is not None


def render_png(pdf: bytes, page: int = 1, dpi: int = 50) -> Path:
    """Render one page to a PNG with pdftoppm; returns the PNG's path."""
    folder = Path(tempfile.mkdtemp(prefix="pdfpage-"))
    source = folder / "doc.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-f", str(page), "-l", str(page), "-png", "-singlefile",
         str(source), str(folder / "page")],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return folder / "page.png"


def body_text(pdf: bytes) -> str:
    """The text of the whole document without the page footers and the "(continued)" line that
    opens a page inside a section (for runs across page breaks)."""
    kept = []
    for page in pages_text(pdf):
        for number, line in enumerate(page.splitlines()):
            if re.fullmatch(r"\s*Page \d+ of \d+\s*", line) or " · DOB " in line:
                continue
            if number == 0 and line.endswith(" (continued)"):
                continue
            kept.append(line)
    return "\n".join(kept)


def drawn_runs(pdf: bytes, page: int = 0) -> list[str]:
    """The text of each text-showing operation of a page, in the order drawn (for a line laid
    out by the bidirectional algorithm: left to right), each as pypdf reads it."""
    runs: list[str] = []

    def visit(text: str, *_: object) -> None:
        if text.strip():
            runs.append(text.strip())

    PdfReader(io.BytesIO(pdf)).pages[page].extract_text(visitor_text=visit)
    return runs


def poppler_text(pdf: bytes) -> str:
    """The text of the whole document as poppler's pdftotext reads it (what a viewer searches)."""
    with tempfile.TemporaryDirectory(prefix="pdftext-") as folder:
        source = Path(folder) / "doc.pdf"
        source.write_bytes(pdf)
        done = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", str(source), "-"], check=True, capture_output=True
        )
    return done.stdout.decode("utf-8")


def have_pdftotext() -> bool:
    """Whether poppler's pdftotext is installed (its tests skip without it)."""
    return shutil.which("pdftotext") is not None
