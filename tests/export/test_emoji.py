"""Characters no embedded font draws (emoji) are spelled out on the page, never dropped: a signed
note printed must say everything it holds."""

from __future__ import annotations

from collections.abc import Callable

from massage_chart.export import fonts
from massage_chart.export.service import DocumentKind, read_snapshot, render
from massage_chart.storage.database import Database
from tests.export.conftest import MadeVisit
from tests.export.pdftext import all_text, flat


def test_an_emoji_is_spelled_out_and_everything_else_printed_as_typed() -> None:
    assert fonts.printable("café 王 محمد — ok") == "café 王 محمد — ok"
    assert fonts.printable("better 😀") == "better [U+1F600 GRINNING FACE]"
    assert fonts.printable("❤️") == "[U+2764 HEAVY BLACK HEART]\ufe0f"  # the selector is invisible


def test_emoji_in_a_note_and_a_name_reach_both_documents(
    db: Database, visit_factory: Callable[..., MadeVisit]
) -> None:
    made = visit_factory(
        first_name="Zoë 🌻",
        subjective="Client says she feels 😀 after last week; slept well 👍.",
        addenda=(("Late entry", "Texted: still 😀 two days later."),),
    )
    for kind in (DocumentKind.SOAP, DocumentKind.SUMMARY):
        text = flat(all_text(render(kind, read_snapshot(db, made.visit_id))))
        assert flat("[U+1F33B SUNFLOWER]") in text, kind
    soap = flat(all_text(render(DocumentKind.SOAP, read_snapshot(db, made.visit_id))))
    assert flat("feels [U+1F600 GRINNING FACE] after last week") in soap
    assert flat("slept well [U+1F44D THUMBS UP SIGN].") in soap
    assert flat("still [U+1F600 GRINNING FACE] two days later") in soap
