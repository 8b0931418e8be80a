"""The PDFs' streams: deflated at the level chosen for speed, and each one reads back whole."""

from __future__ import annotations

import re
import zlib

from massage_chart.export.document import DEFLATE_LEVEL
from massage_chart.export.service import DocumentKind, read_snapshot, render
from massage_chart.storage.database import Database
from tests.export.conftest import make_visit
from tests.export.pdftext import all_text, flat

#: zlib's header says roughly how hard it deflated (RFC 1950, FLEVEL): levels 2 to 5 are "fast".
FAST = 1


def test_a_notes_streams_are_deflated_fast_and_read_back(db: Database) -> None:
    """The page of body charts is the largest stream of a note (its drawing); reportlab's own
    level took three times as long to deflate it, in every note of a batch."""
    assert 2 <= DEFLATE_LEVEL <= 5
    made = make_visit(db)
    pdf = render(DocumentKind.SOAP, read_snapshot(db, made.visit_id))

    streams = [
        pdf[match.end() : match.end() + int(match.group(1))]
        for match in re.finditer(rb"/Length (\d+)[^>]*>>\s*stream\r?\n", pdf)
    ]
    deflated = [data for data in streams if data[:1] == b"\x78"]
    assert deflated and len(deflated) == len(streams)
    assert {data[1] >> 6 for data in deflated} == {FAST}
    largest = max(len(zlib.decompress(data)) for data in deflated)
    assert largest > 50_000  # the body charts' drawing
    assert "SOAP" in flat(all_text(pdf)).upper()
