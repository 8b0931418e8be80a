"""Export one visit's documents: read a snapshot, render, write atomically, audit the export."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from pathlib import Path

from massage_chart.export.atomic import write_atomic
from massage_chart.export.snapshot import VisitSnapshot, load_visit_snapshot
from massage_chart.storage import audit
from massage_chart.storage.database import Database


class DocumentKind(enum.Enum):
    """Which document of a visit."""

    SOAP = "soap"
    SUMMARY = "summary"

    @property
    def title(self) -> str:
        """The document's name in messages and the audit log."""
        return "SOAP note" if self is DocumentKind.SOAP else "client visit summary"


@dataclass(frozen=True)
class RenderedDocument:
    """A rendered PDF and the visit it is of."""

    kind: DocumentKind
    visit_id: str
    client_id: str
    pdf: bytes
    snapshot: VisitSnapshot


def read_snapshot(database: Database, visit_id: str) -> VisitSnapshot:
    """One short read session: everything the documents print.

    Raises:
        NotFoundError: no visit has that id.
    """
    with database.read() as session:
        return load_visit_snapshot(session, visit_id)


def render(kind: DocumentKind, snapshot: VisitSnapshot) -> bytes:
    """The PDF of one document of a snapshot."""
    if kind is DocumentKind.SOAP:
        from massage_chart.export.soap_pdf import render_soap_pdf

        return render_soap_pdf(snapshot)
    from massage_chart.export.summary_pdf import render_summary_pdf

    return render_summary_pdf(snapshot)


def render_document(database: Database, kind: DocumentKind, visit_id: str) -> RenderedDocument:
    """Read and render one document (no file written, nothing audited yet)."""
    snapshot = read_snapshot(database, visit_id)
    return RenderedDocument(kind, visit_id, snapshot.client.id, render(kind, snapshot), snapshot)


def record_export(
    database: Database,
    document: RenderedDocument,
    *,
    action: audit.AuditAction = audit.AuditAction.EXPORT,
    destination: str = "",
) -> None:
    """Append the export (or print) of a document to the audit log."""
    detail = f"{document.kind.title} PDF"
    if destination:
        detail += f" to {destination}"
    with database.write() as session:
        audit.record(
            session,
            action,
            client_id=document.client_id,
            visit_id=document.visit_id,
            detail=detail,
        )


def export_document(database: Database, kind: DocumentKind, visit_id: str, target: Path) -> Path:
    """Render one document, write it atomically to ``target`` and audit the export.

    Raises:
        NotFoundError: no visit has that id.
        ExportError: the file could not be written.
    """
    document = render_document(database, kind, visit_id)
    path = write_atomic(target, document.pdf)
    record_export(database, document, destination=str(path))
    return path
