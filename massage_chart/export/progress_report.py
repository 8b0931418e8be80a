"""The progress report for the referring provider and the payer (DOMAIN.md §1.4): over a span of
signed visits, whether the client is getting better by the measures payers accept.

Client, claim and referral, diagnoses; the visits with pain before and after and the units billed,
against the visits authorised; the body chart of the first and the latest visit side by side with
what changed; range of motion and tolerances then and now; outcome scores against their MCIDs;
the goals and where they stand; the plan asked for. Everything is read from the signed notes of
the span (drafts are left out and counted), so the report says what those notes say.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Spacer, Table
from sqlalchemy.orm import Session

from massage_chart.atlas import load_atlas
from massage_chart.domain.atlas_moves import chart_atlas
from massage_chart.domain.authorisation import (
    report_text,
    visit_count_text,
)
from massage_chart.domain.comparison import compare_findings, describe_changes
from massage_chart.domain.findings import MarkFinding
from massage_chart.domain.measures import RangeOfMotion, rom_rows
from massage_chart.domain.pain_extent import clinician_pain_extent, extent_text
from massage_chart.domain.pain_map import clinician_wpi_areas
from massage_chart.domain.placement import placement_of
from massage_chart.domain.practice import ProviderInfo
from massage_chart.domain.presentation import format_recorded_time
from massage_chart.export import fonts
from massage_chart.export.atomic import write_atomic
from massage_chart.export.body_chart import BodyChart, figure_height_for
from massage_chart.export.document import WATERMARK_GREY, PageMarks, build_pdf
from massage_chart.export.snapshot import MarkInfo, VisitSnapshot, load_visit_snapshot
from massage_chart.export.soap_pdf import (
    _field,
    _grid,
    _section,
    _subheading,
    _table,
    chart_legend,
    checkpoint_line,
    fmt_date,
    goals_table,
    identity_row,
    letterhead,
    outcomes_table,
    pain_map_notes,
    pain_map_table,
    payer_cells,
    provider_row,
    referral_expiry_text,
    signer_identity,
)
from massage_chart.export.styles import (
    FRAME_WIDTH,
    SHADE,
    Styles,
    para,
    stylesheet,
    table_style,
    trusted,
)
from massage_chart.storage import audit
from massage_chart.storage.database import Database
from massage_chart.storage.mapping import provider_info_of
from massage_chart.storage.marks import as_finding
from massage_chart.storage.models import utc_now
from massage_chart.storage.progress_reports import (
    ProgressReportError,
    report_intact,
    sign_progress_report,
    signed_report,
    signed_visits_in,
)


@dataclass(frozen=True)
class ReportSignature:
    """A signed report's signature: who, when, its seal, and whether it still holds."""

    signer: ProviderInfo
    signed_at: dt.datetime
    content_hash: str
    intact: bool
    imported_from: str | None = None
    imported_at: dt.datetime | None = None


@dataclass(frozen=True)
class ProgressData:
    """What a progress report prints.

    Attributes:
        visits: the signed visits whose day falls in the span, oldest first.
        drafts_left_out: visits of the span not signed yet (not reported on).
    """

    client_id: str
    start: dt.date
    end: dt.date
    visits: tuple[VisitSnapshot, ...]
    drafts_left_out: int
    signature: ReportSignature | None = None

    @property
    def first(self) -> VisitSnapshot:
        """The first signed visit of the span."""
        return self.visits[0]

    @property
    def latest(self) -> VisitSnapshot:
        """The latest signed visit of the span."""
        return self.visits[-1]

    @property
    def units(self) -> Counter[str]:
        """The units billed in the span, per CPT code."""
        totals: Counter[str] = Counter()
        for visit in self.visits:
            for line in visit.billing:
                totals[line.cpt] += line.units
        return totals


def load_progress(session: Session, client_id: str, start: dt.date, end: dt.date) -> ProgressData:
    """Read the signed visits of a client whose day is in ``start``..``end`` (both included),
    with the report's signature when one was signed for exactly this span.

    Raises:
        NotFoundError: no client has that id.
        ProgressReportError: the span is backwards, or holds no signed visit.
    """
    signed, drafts = signed_visits_in(session, client_id, start, end)
    stored = signed_report(session, client_id, start, end)
    signature = None
    if stored is not None:
        signature = ReportSignature(
            signer=provider_info_of(stored.signed_by),
            signed_at=stored.signed_at,
            content_hash=stored.content_hash,
            intact=report_intact(session, stored),
            imported_from=stored.imported_from,
            imported_at=stored.imported_at,
        )
        signed = [visit for visit in signed if visit.id in set(stored.visit_ids)]
    return ProgressData(
        client_id=client_id,
        start=start,
        end=end,
        visits=tuple(load_visit_snapshot(session, visit.id) for visit in signed),
        drafts_left_out=drafts,
        signature=signature,
    )


# --------------------------------------------------------------------------- the document


def _header(data: ProgressData, styles: Styles) -> Table:
    latest = data.latest
    auth = latest.authorisation
    units = ", ".join(f"{code} × {count}" for code, count in sorted(data.units.items()))
    counted = f"{len(data.visits)} signed"
    if data.drafts_left_out:
        counted += f" ({data.drafts_left_out} not signed yet, left out)"
    rows = [
        identity_row(latest.client, latest.claim, styles),
        [
            *payer_cells(latest.claim, latest.referral, styles),
            _field("Referral", referral_expiry_text(auth), styles),
        ],
        [
            _field("Period", f"{fmt_date(data.start)} – {fmt_date(data.end)}", styles, bold=True),
            _field("Visits in period", counted, styles),
            _field("Visits on the claim", visit_count_text(auth) if auth else "", styles),
            _field("Units billed in period", units or "none", styles),
        ],
        provider_row(latest.signer or latest.provider, styles, label="Therapist"),
    ]
    table = _grid(rows, [FRAME_WIDTH / 4] * 4)
    table.setStyle(table_style([("BACKGROUND", (0, 2), (-1, 2), SHADE)]))
    return table


def _diagnoses(data: ProgressData, styles: Styles) -> list[Flowable]:
    out: list[Flowable] = [_section("Diagnoses (ICD-10-CM, from the latest note)", styles)]
    if not data.latest.diagnoses:
        return [*out, trusted("No diagnosis codes recorded.", styles.small)]
    rows: list[list[object]] = [[trusted(h, styles.cell_bold) for h in ("Code", "Description")]]
    for dx in data.latest.diagnoses:
        rows.append(
            [
                para(dx.code, styles.cell_bold),
                para(dx.description or "(code not found in the ICD-10-CM code set)", styles.cell),
            ]
        )
    out.append(_table(rows, [0.16 * FRAME_WIDTH, 0.84 * FRAME_WIDTH]))
    return out


def _visits(data: ProgressData, styles: Styles) -> list[Flowable]:
    """One line per signed visit: the day, the pain before and after, the units billed."""
    out: list[Flowable] = [_section("Visits and pain (NRS 0–10)", styles)]
    rows: list[list[object]] = [
        [trusted(h, styles.cell_bold) for h in ("Date", "Pain before", "Pain after", "Units")]
    ]
    for visit in data.visits:
        rows.append(
            [
                trusted(fmt_date(visit.start.date()), styles.cell),
                trusted(
                    "—" if visit.pain_before is None else f"{visit.pain_before}/10", styles.cell
                ),
                trusted("—" if visit.pain_after is None else f"{visit.pain_after}/10", styles.cell),
                trusted(str(sum(line.units for line in visit.billing)), styles.cell),
            ]
        )
    out.append(_table(rows, [0.3 * FRAME_WIDTH] + [0.7 * FRAME_WIDTH / 3] * 3))
    first, last = data.first.pain_before, data.latest.pain_before
    if first is not None and last is not None and len(data.visits) > 1:
        direction = "down" if last < first else "up" if last > first else "unchanged"
        out.append(
            trusted(
                f"Pain before treatment: {first}/10 at the first visit, {last}/10 at the latest "
                f"({direction}).",
                styles.body,
            )
        )
    auth = data.latest.authorisation
    if auth is not None and report_text(auth):
        out.append(trusted(escape(report_text(auth)) + ".", styles.small))
    return out


def _findings(data: ProgressData, styles: Styles) -> list[Flowable]:
    """The first and the latest visit's body charts side by side, and what changed between."""
    first, latest = data.first, data.latest
    out: list[Flowable] = [_section("Findings: first and latest visit", styles)]
    atlas = load_atlas()
    first_atlas, latest_atlas = chart_atlas(first.marks), chart_atlas(latest.marks)

    def findings(marks: Sequence[MarkInfo]) -> list[MarkFinding]:
        return [as_finding(mark, placement_of(atlas, mark)) for mark in marks]

    changes = describe_changes(compare_findings(findings(first.marks), findings(latest.marks)))
    if len(data.visits) == 1:
        changes = "One signed visit in the period: nothing to compare with."
    out.append(para(changes or "No change in findings.", styles.body, prefix="<b>Changes:</b> "))
    first_extent = clinician_pain_extent(first_atlas, first.marks)
    latest_extent = clinician_pain_extent(latest_atlas, latest.marks)
    out.append(
        trusted(
            f"<b>Pain extent (therapist's findings):</b> {extent_text(first_extent)} at the first "
            f"visit, {extent_text(latest_extent)} at the latest.",
            styles.body,
        )
    )
    first_areas = clinician_wpi_areas(first_atlas, first.marks)
    latest_areas = clinician_wpi_areas(latest_atlas, latest.marks)
    out.append(
        para(
            f"{len(first_areas)} of 19 at the first visit ("
            + (", ".join(a.label for a in first_areas) or "none")
            + f"), {len(latest_areas)} at the latest ("
            + (", ".join(a.label for a in latest_areas) or "none")
            + ").",
            styles.body,
            prefix="<b>Widespread Pain Index areas holding the therapist's pain findings:</b> ",
        )
    )
    out.append(
        trusted(
            "The share of the front and back body surface in regions charted with pain or "
            "referred pain, and the WPI areas those regions lie in: clinician findings, not the "
            "client's own report of pain nor its WPI score.",
            styles.small,
        )
    )
    views = [
        view
        for view in atlas.views
        if any(m.view == view.id for m in (*first.marks, *latest.marks))
    ]
    if not views:
        return [*out, trusted("No marks charted at either visit.", styles.small)]
    half = FRAME_WIDTH / 2
    for view in views:
        height = figure_height_for([view.aspect] * 2, FRAME_WIDTH, maximum=230.0)
        cells = []
        for visit, caption, drawn_on in (
            (first, "First", first_atlas),
            (latest, "Latest", latest_atlas),
        ):
            marks = [m for m in visit.marks if m.view == view.id]
            own = drawn_on.view(view.id) if view.id in drawn_on.view_ids else view
            cells.append(
                [
                    BodyChart(own, marks, height, numbered=False, available_width=half),
                    trusted(
                        f"{caption}: {fmt_date(visit.start.date())} ({len(marks)} marks)",
                        stylesheet().centre,
                    ),
                ]
            )
        row = Table([cells], colWidths=[half, half])
        row.setStyle(
            table_style(
                [
                    ("ALIGN", (0, 0), (-1, -1), "CENTER"),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LINEAFTER", (0, 0), (0, -1), 0.4, colors.HexColor("#d5dae0")),
                ]
            )
        )
        out += [CondPageBreak(height + 40), row]
    out.append(Spacer(1, 4))
    out.append(chart_legend([*first.marks, *latest.marks], styles))
    return out


def _first_measure(visit: VisitSnapshot) -> tuple[RangeOfMotion, ...]:
    """A visit's range of motion before treatment (where taken), as the baseline."""
    before = tuple(m for m in visit.range_of_motion if m.timing == "before")
    return before or visit.range_of_motion


def _measures(data: ProgressData, styles: Styles) -> list[Flowable]:
    """Range of motion and tolerances at the first visit that measured them and at the latest."""
    out: list[Flowable] = []
    measured = [v for v in data.visits if v.range_of_motion]
    if measured:
        first, latest = measured[0], measured[-1]
        rows: list[list[object]] = [
            [
                trusted(h, styles.cell_bold)
                for h in (
                    "Motion",
                    "Type",
                    f"First ({fmt_date(first.start.date())})",
                    f"Latest ({fmt_date(latest.start.date())})",
                    "Normal",
                    "Change",
                )
            ]
        ]
        for row in rom_rows(latest.range_of_motion, _first_measure(first)):
            then, now = row.last, row.newest
            change = "—"
            if then is not None and then.degrees is not None and now.degrees is not None:
                change = f"{now.degrees - then.degrees:+d}°"
            rows.append(
                [
                    para(row.label, styles.cell),
                    trusted(row.kind, styles.cell),
                    para(then.value_text() if then else "—", styles.cell),
                    para(now.value_text(), styles.cell),
                    trusted(f"{row.normal}°", styles.cell),
                    trusted(change, styles.cell),
                ]
            )
        w = FRAME_WIDTH
        out += [
            _section("Range of motion", styles),
            _table(rows, [0.28 * w, 0.08 * w, 0.2 * w, 0.2 * w, 0.1 * w, 0.14 * w]),
            trusted(
                "First: before treatment at the first visit that measured it. Latest: after "
                "treatment at the latest. Normal: reference range (AAOS), not a goal.",
                styles.small,
            ),
        ]
    tolerant = [v for v in data.visits if v.tolerances]
    if tolerant:
        first, latest = tolerant[0], tolerant[-1]
        earlier = {t.activity: t for t in first.tolerances}
        rows = [
            [
                trusted(h, styles.cell_bold)
                for h in (
                    "Tolerance",
                    f"First ({fmt_date(first.start.date())})",
                    f"Latest ({fmt_date(latest.start.date())})",
                    "Change",
                )
            ]
        ]
        for tolerance in latest.tolerances:
            before = earlier.get(tolerance.activity)
            change = f"{tolerance.minutes - before.minutes:+d} min" if before else "—"
            rows.append(
                [
                    trusted(escape(tolerance.label), styles.cell),
                    trusted(before.value_text() if before else "—", styles.cell),
                    trusted(tolerance.value_text(), styles.cell),
                    trusted(change, styles.cell),
                ]
            )
        w = FRAME_WIDTH
        out += [
            Spacer(1, 4),
            _subheading("Sitting, standing and other tolerances", styles),
            _table(rows, [0.34 * w, 0.22 * w, 0.22 * w, 0.22 * w]),
        ]
    return out


def _outcomes(data: ProgressData, styles: Styles) -> list[Flowable]:
    latest = data.latest
    if not latest.outcomes and not latest.pain_maps:
        return []
    out: list[Flowable] = [_section("Outcome measures", styles)]
    if latest.outcomes:
        out += [
            outcomes_table(latest.outcomes, styles),
            trusted(
                "Scores as on file when the latest note was signed, computed from the client's "
                "answers; MCID: the minimal clinically important difference.",
                styles.small,
            ),
        ]
    if latest.pain_maps:
        notes = pain_map_notes(
            latest.pain_maps, latest.pain_maps_corrected_since, "when the latest note was signed"
        )
        out += [
            Spacer(1, 4),
            pain_map_table(latest.pain_maps, styles),
            trusted(escape(" ".join(notes)), styles.small),
        ]
    return out


def _goals_and_plan(data: ProgressData, styles: Styles) -> list[Flowable]:
    latest = data.latest
    out: list[Flowable] = [_section("Functional goals (at the latest visit)", styles)]
    if latest.goals:
        out.append(goals_table(latest.goals, latest.start.date(), styles))
    else:
        out.append(trusted("No goals recorded on the latest note.", styles.small))
    out.append(_section("Plan and request", styles))
    out.append(para(latest.plan or "No plan recorded.", styles.body))
    if latest.assessment:
        out.append(para(latest.assessment, styles.body, prefix="<b>Assessment:</b> "))
    return out


def _prepared(data: ProgressData, styles: Styles) -> list[Flowable]:
    """Who prepared the report from which notes, and its signature (or that it has none)."""
    latest = data.latest
    provider = latest.signer or latest.provider
    who = provider.display_name if provider else "the treating therapist"
    count = len(data.visits)
    lines: list[Flowable] = [_section("Signature", styles)]
    failed = [v for v in data.visits if v.integrity_failed]
    if failed or (data.signature is not None and not data.signature.intact):
        lines.append(
            trusted(
                f"<b>INTEGRITY FAILURE: {len(failed) or 'a'} note(s) of this period, or the "
                "report's seal, no longer match what was signed; do not rely on this report "
                "until the practice has looked into it.</b>",
                styles.banner,
            )
        )
    signature = data.signature
    if signature is None:
        lines += [
            trusted("<b>NOT SIGNED</b>", styles.banner),
            trusted(
                f"Prepared from {count} signed treatment note{'s' if count != 1 else ''} of "
                f"{escape(who)}. This report has not been signed; sign it before sending it.",
                styles.small,
            ),
        ]
    else:
        full = signer_identity(signature.signer)
        when = format_recorded_time(signature.signed_at)
        said = f"Electronically signed by {full} on {when}"
        if signature.imported_from:
            imported = format_recorded_time(signature.imported_at) if signature.imported_at else "—"
            said = (
                f"Signed in {signature.imported_from} by {full} on {when}; imported into these "
                f"records on {imported}. Not signed in this practice's records."
            )
        lines += [
            para(said, styles.value_bold),
            trusted(
                f"Covers {count} signed treatment note{'s' if count != 1 else ''}; each note is "
                "available in full on request.",
                styles.small,
            ),
            trusted(f"SHA-256 {escape(signature.content_hash)}", styles.small),
        ]
    lines += checkpoint_line(latest.audit_checkpoint, styles)
    return [Spacer(1, 8), KeepTogether(lines)]


def progress_flowables(data: ProgressData) -> list[Flowable]:
    """The report's flowables, in reading order."""
    styles = stylesheet()
    subtitle = f"{fmt_date(data.start)} – {fmt_date(data.end)}"
    return [
        letterhead(data.latest, "Progress Report", subtitle, styles),
        Spacer(1, 6),
        _header(data, styles),
        *_diagnoses(data, styles),
        *_visits(data, styles),
        *_findings(data, styles),
        *_measures(data, styles),
        *_outcomes(data, styles),
        *_goals_and_plan(data, styles),
        *_prepared(data, styles),
    ]


def render_progress_pdf(data: ProgressData) -> bytes:
    """The progress report as PDF bytes."""
    client = data.latest.client
    failed = any(v.integrity_failed for v in data.visits) or (
        data.signature is not None and not data.signature.intact
    )
    author = data.latest.signer or data.latest.provider
    marks = PageMarks(
        footer=f"{fonts.isolate(client.full_name)}  ·  DOB {fmt_date(client.date_of_birth)}  ·  "
        f"Progress {fmt_date(data.start)} – {fmt_date(data.end)}",
        watermark="INTEGRITY FAILURE" if failed else "" if data.signature else "NOT SIGNED",
        watermark_colour=colors.Color(0.9, 0.55, 0.58) if failed else WATERMARK_GREY,
        title=f"Progress report: {client.full_name}, {data.start.isoformat()} to "
        f"{data.end.isoformat()}",
        author=author.display_name if author is not None else "",
        subject=f"Client {data.client_id}",
    )
    return build_pdf(progress_flowables(data), marks)


def export_progress(
    database: Database,
    client_id: str,
    start: dt.date,
    end: dt.date,
    target: Path,
    *,
    sign: bool = False,
    sign_as: str | None = None,
    signed_at: dt.datetime | None = None,
) -> Path:
    """Read, render and write a progress report atomically, and audit the export; with
    ``sign``, sign it first, as ``sign_as`` (a provider id) or, without one, as the therapist
    who signed the span's latest note.

    Raises:
        NotFoundError: no client (or no provider ``sign_as``) has that id.
        ProgressReportError: the span holds no signed visit, or is backwards.
        ExportError: the file could not be written.
    """
    if sign or sign_as is not None:
        moment = signed_at or utc_now()

        def sign_it(session: Session) -> None:
            sign_progress_report(session, client_id, start, end, sign_as, moment)

        database.transact(sign_it)
    with database.read() as session:
        data = load_progress(session, client_id, start, end)
    path = write_atomic(target, render_progress_pdf(data))
    with database.write() as session:
        audit.record(
            session,
            audit.AuditAction.EXPORT,
            client_id=client_id,
            detail=f"progress report PDF {start.isoformat()} to {end.isoformat()} to {path}",
        )
    return path


__all__ = [
    "ProgressData",
    "ProgressReportError",
    "ReportSignature",
    "export_progress",
    "load_progress",
    "progress_flowables",
    "render_progress_pdf",
]
