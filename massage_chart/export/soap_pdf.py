"""The insurer SOAP note (DOMAIN.md §7.3): letterhead, claim and visit facts, codes, S/O/A/P,
goals, body charts with legend and numbered marks, the signature block and addenda."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    Image,
    KeepTogether,
    Paragraph,
    Spacer,
    Table,
)

from massage_chart.atlas import WHOLE_BODY_VIEW_IDS
from massage_chart.domain.authorisation import (
    Authorisation,
    referral_text,
    report_text,
    visit_count_text,
)
from massage_chart.domain.client_file import ClaimInfo, ClientInfo, ReferralInfo
from massage_chart.domain.cpt import BillingEntry, unit_disagreements
from massage_chart.domain.marks import MarkKind
from massage_chart.domain.measures import Goal, GoalTerm, rom_rows
from massage_chart.domain.outcomes import OutcomeChange
from massage_chart.domain.practice import ProviderInfo
from massage_chart.domain.presentation import (
    NOT_RECORDED,
    format_date,
    format_minutes,
    format_pressure,
    format_pressure_level,
    format_recorded_time,
    format_time,
    format_time_span,
    view_label,
)
from massage_chart.export import fonts
from massage_chart.export.body_chart import (
    BodyChart,
    LegendSwatch,
    chart_rows,
    figure_height_for,
    views_with_marks,
)
from massage_chart.export.document import PageMarks, as_section_heading, build_pdf
from massage_chart.export.snapshot import MarkInfo, VisitSnapshot
from massage_chart.export.styles import (
    ACCENT,
    ALERT,
    ALERT_SHADE,
    FRAME_WIDTH,
    RULE,
    SHADE,
    Styles,
    para,
    stylesheet,
    table_style,
    trusted,
)
from massage_chart.storage.pain_maps import PainMapEntry


def fmt_date(day: dt.date | None) -> str:
    """A date as the screen writes it ("20 Nov 2026"), or "not recorded"."""
    return format_date(day) or NOT_RECORDED


def fmt_time(moment: dt.datetime | None) -> str:
    """A time on the user's clock, as the screen writes it ("10:00 AM" or "10:00")."""
    return format_time(moment) or NOT_RECORDED


def fmt_minutes(minutes: int | None) -> str:
    """A duration as the screen writes it ("52 min"), or "not recorded"."""
    return format_minutes(minutes) or NOT_RECORDED


def pointer_letter(pointer: int) -> str:
    """Diagnosis pointer 1 -> "A" (CMS-1500 box 24E)."""
    return chr(ord("A") + pointer - 1) if 1 <= pointer <= 26 else str(pointer)


def footer_text(snapshot: VisitSnapshot) -> str:
    """Client name, date of birth and date of service, for every page."""
    client = snapshot.client
    return (
        f"{fonts.isolate(client.full_name)}  ·  DOB {fmt_date(client.date_of_birth)}  ·  "
        f"Date of service {fmt_date(snapshot.start.date())}"
    )


def _field(label: str, value: str, styles: Styles, *, bold: bool = False) -> Paragraph:
    return para(
        value or "—",
        styles.value_bold if bold else styles.value,
        prefix=f'<font size="6.8" color="#5b6470">{escape(label.upper())}</font><br/>',
    )


def _grid(rows: Sequence[Sequence[Flowable]], widths: Sequence[float]) -> Table:
    table = Table([list(r) for r in rows], colWidths=list(widths), splitInRow=1)
    table.setStyle(
        table_style(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 5),
                ("RIGHTPADDING", (0, 0), (-1, -1), 5),
                ("TOPPADDING", (0, 0), (-1, -1), 3.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                ("BOX", (0, 0), (-1, -1), 0.6, RULE),
                ("INNERGRID", (0, 0), (-1, -1), 0.4, RULE),
            ]
        )
    )
    return table


def letterhead(snapshot: VisitSnapshot, title: str, subtitle: str, styles: Styles) -> Flowable:
    """The practice's name, logo and contacts on the left, the document's title on the right."""
    practice = snapshot.practice
    contact = [practice.address]
    contact.append("  ·  ".join(x for x in (practice.phone, practice.email, practice.website) if x))
    left: list[Flowable] = [para(practice.name or "Massage practice", styles.practice)]
    left.append(para("\n".join(c for c in contact if c), styles.letterhead))
    logo = _logo(practice.logo_png)
    cells: list[object] = [
        left,
        [trusted(escape(title), styles.title), para(subtitle, styles.subtitle)],
    ]
    widths = [FRAME_WIDTH * 0.6, FRAME_WIDTH * 0.4]
    if logo is not None:
        cells.insert(0, logo)
        widths = [logo.drawWidth + 6, FRAME_WIDTH * 0.6 - logo.drawWidth - 6, FRAME_WIDTH * 0.4]
    table = Table([cells], colWidths=widths)
    table.setStyle(
        table_style(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
                ("LINEBELOW", (0, 0), (-1, 0), 1.2, ACCENT),
            ]
        )
    )
    return table


def _logo(png: bytes | None) -> Image | None:
    if not png:
        return None
    try:
        image = Image(io.BytesIO(png))
    except Exception:  # a logo reportlab cannot read is left out, not fatal
        return None
    height = 15 * mm
    if not image.imageHeight:
        return None
    width = min(40 * mm, image.imageWidth * height / image.imageHeight)
    image.drawHeight = width * image.imageHeight / image.imageWidth
    image.drawWidth = width
    return image


def _signature_image(png: bytes | None) -> Image | None:
    """The signer's handwritten signature from Settings, at most 60 x 18 mm, left-aligned."""
    if not png:
        return None
    try:
        image = Image(io.BytesIO(png))
    except Exception:  # an image reportlab cannot read is left out; the text signature stands
        return None
    if not image.imageHeight or not image.imageWidth:
        return None
    scale = min(60 * mm / image.imageWidth, 18 * mm / image.imageHeight)
    image.drawWidth = image.imageWidth * scale
    image.drawHeight = image.imageHeight * scale
    image.hAlign = "LEFT"
    return image


def _section(title: str, styles: Styles) -> Flowable:
    return as_section_heading(trusted(escape(title), styles.section), title)


def _text_block(label: str, text: str, styles: Styles) -> list[Flowable]:
    """A labelled run of user text; paragraphs split on blank lines so long notes flow."""
    if not text.strip():
        return []
    chunks = [c for c in text.replace("\r\n", "\n").split("\n\n") if c.strip()]
    out: list[Flowable] = []
    for index, chunk in enumerate(chunks):
        prefix = f"<b>{escape(label)}:</b> " if label and index == 0 else ""
        out.append(para(chunk.strip("\n"), styles.body, prefix=prefix))
        out.append(Spacer(1, 2.5))
    return out


def prescriber_text(referral: ReferralInfo | None) -> str:
    """ "Dr. A. Rahman (NPI 1992753880)", or "—" with no referral."""
    if referral is None:
        return "—"
    npi = f" (NPI {referral.prescriber_npi})" if referral.prescriber_npi else ""
    return referral.prescriber + npi


def licence_text(provider: ProviderInfo | None) -> str:
    """ "MA.60012345 (WA)", or "" when none is recorded."""
    if provider is None or not provider.license_number:
        return ""
    where = f" ({provider.license_jurisdiction})" if provider.license_jurisdiction else ""
    return provider.license_number + where


def signer_identity(signer: ProviderInfo) -> str:
    """ "Sam Lee, LMT (licence MA.60012345, NPI 1234567893)": the name a signature line gives."""
    ids = [f"licence {signer.license_number}"] if signer.license_number else []
    ids += [f"NPI {signer.npi}"] if signer.npi else []
    return signer.display_name + (f" ({', '.join(ids)})" if ids else "")


def referral_expiry_text(auth: Authorisation | None) -> str:
    """ "Expires 1 Mar 2027", "Expired 19 Nov 2026, before this visit", or ""."""
    words = referral_text(auth).removeprefix("Referral ") if auth is not None else ""
    return words[:1].upper() + words[1:]


def identity_row(client: ClientInfo, claim: ClaimInfo | None, styles: Styles) -> list[Flowable]:
    """Client, date of birth, claim number, date of injury: the header's first row."""
    return [
        _field("Client", client.full_name, styles, bold=True),
        _field("Date of birth", fmt_date(client.date_of_birth), styles),
        _field("Claim number", claim.claim_number if claim else "", styles),
        _field("Date of injury", fmt_date(claim.date_of_injury) if claim else "", styles),
    ]


def payer_cells(
    claim: ClaimInfo | None, referral: ReferralInfo | None, styles: Styles
) -> list[Flowable]:
    """Payer, policy number, prescriber: the header's second row but its last cell."""
    return [
        _field("Payer", claim.payer if claim else "Self-pay", styles),
        _field("Policy number", claim.policy_number if claim else "", styles),
        _field("Prescriber / referral", prescriber_text(referral), styles),
    ]


def provider_row(
    provider: ProviderInfo | None, styles: Styles, label: str = "Provider"
) -> list[Flowable]:
    """The therapist, credentials, licence and NPI: the header's provider row."""
    return [
        _field(label, provider.display_name if provider else "", styles, bold=True),
        _field("Credentials", provider.credentials if provider else "", styles),
        _field("Licence number", licence_text(provider), styles),
        _field("NPI", provider.npi if provider else "", styles),
    ]


def _header_grid(snapshot: VisitSnapshot, styles: Styles) -> Table:
    referral = snapshot.referral
    quarter = FRAME_WIDTH / 4
    time_in_out = format_time_span(snapshot.start, snapshot.end)
    if snapshot.end is None:
        time_in_out += f" {NOT_RECORDED}"
    if snapshot.duration_minutes is not None:
        time_in_out += f"\n({snapshot.duration_minutes} min)"
    rows = [
        identity_row(snapshot.client, snapshot.claim, styles),
        [
            *payer_cells(snapshot.claim, referral, styles),
            _field(
                "Referral date",
                fmt_date(referral.referral_date) if referral and referral.referral_date else "",
                styles,
            ),
        ],
        [
            _field("Date of service", fmt_date(snapshot.start.date()), styles, bold=True),
            _field("Time in – time out", time_in_out, styles),
            _field("Total treatment time", fmt_minutes(snapshot.treatment_minutes), styles),
            _field("Total timed minutes", fmt_minutes(snapshot.timed_minutes), styles),
        ],
        provider_row(snapshot.provider, styles),
    ]
    commands: list[tuple[object, ...]] = [("BACKGROUND", (0, 2), (-1, 2), SHADE)]
    auth = snapshot.authorisation
    if auth is not None:
        rows.append(
            [
                _field("Visit on this claim", visit_count_text(auth), styles, bold=True),
                _field("Referral", referral_expiry_text(auth), styles),
                _field(
                    "Progress report", report_text(auth) or "Not required by this payer", styles
                ),
                Paragraph("", styles.value),
            ]
        )
        commands.append(("SPAN", (2, 4), (3, 4)))
    table = _grid(rows, [quarter] * 4)
    table.setStyle(table_style(commands))
    return table


def _table(rows: list[list[object]], widths: Sequence[float], *, total_row: bool = False) -> Table:
    table = Table(rows, colWidths=list(widths), repeatRows=1, splitInRow=1)
    commands: list[tuple[object, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("BACKGROUND", (0, 0), (-1, 0), SHADE),
        ("LINEBELOW", (0, 0), (-1, 0), 0.7, RULE),
        ("LINEBELOW", (0, 1), (-1, -1), 0.3, RULE),
    ]
    if total_row:
        commands.append(("LINEABOVE", (0, -1), (-1, -1), 0.9, colors.black))
    table.setStyle(table_style(commands))
    return table


def _diagnoses(snapshot: VisitSnapshot, styles: Styles) -> list[Flowable]:
    out: list[Flowable] = [_section("Diagnoses (ICD-10-CM)", styles)]
    if not snapshot.diagnoses:
        out.append(trusted("No diagnosis codes recorded.", styles.small))
        return out
    rows: list[list[object]] = [
        [trusted(h, styles.cell_bold) for h in ("Ptr", "Code", "Description")]
    ]
    for index, dx in enumerate(snapshot.diagnoses, start=1):
        description = dx.description or "(code not found in the ICD-10-CM code set)"
        rows.append(
            [
                trusted(pointer_letter(index), styles.cell),
                para(dx.code, styles.cell_bold),
                para(description, styles.cell),
            ]
        )
    out.append(_table(rows, [12 * mm, 22 * mm, FRAME_WIDTH - 34 * mm]))
    return out


def _services(snapshot: VisitSnapshot, styles: Styles) -> list[Flowable]:
    out: list[Flowable] = [_section("Services (CPT)", styles)]
    if not snapshot.billing:
        out.append(trusted("No services billed.", styles.small))
        return out
    header = ("CPT", "Modifiers", "Minutes", "Units", "Dx pointers")
    rows: list[list[object]] = [
        [
            trusted(h, styles.cell_bold_right if h in ("Minutes", "Units") else styles.cell_bold)
            for h in header
        ]
    ]
    for line in snapshot.billing:
        rows.append(
            [
                para(line.cpt, styles.cell_bold),
                para(", ".join(line.modifiers) or "—", styles.cell),
                trusted(str(line.minutes), styles.cell_right),
                trusted(str(line.units), styles.cell_right),
                trusted(", ".join(pointer_letter(p) for p in line.pointers) or "—", styles.cell),
            ]
        )
    rows.append(
        [
            trusted("<b>Total</b>", styles.cell),
            trusted("", styles.cell),
            trusted(f"<b>{sum(line.minutes for line in snapshot.billing)}</b>", styles.cell_right),
            trusted(f"<b>{sum(line.units for line in snapshot.billing)}</b>", styles.cell_right),
            trusted(
                f"Timed {snapshot.timed_minutes} min; treatment "
                f"{fmt_minutes(snapshot.treatment_minutes)}",
                styles.small,
            ),
        ]
    )
    w = FRAME_WIDTH
    out.append(_table(rows, [0.16 * w, 0.2 * w, 0.14 * w, 0.12 * w, 0.38 * w], total_row=True))
    entries = [
        BillingEntry(cpt=line.cpt, minutes=line.minutes, units=line.units)
        for line in snapshot.billing
    ]
    for message in unit_disagreements(entries, snapshot.unit_rule):
        out.append(
            trusted(f'<font color="#b00020"><b>Check:</b> {escape(message)}</font>', styles.small)
        )
    return out


def _soap(snapshot: VisitSnapshot, styles: Styles) -> list[Flowable]:
    out: list[Flowable] = []
    out.append(_section("S — Subjective", styles))
    out += _text_block("Chief complaint", snapshot.chief_complaint, styles)
    out += _text_block("Health update", snapshot.health_update, styles)
    out += _text_block("", snapshot.subjective, styles)
    out.append(_section("O — Objective", styles))
    out += _text_block("", snapshot.objective, styles)
    if snapshot.techniques:
        out += _text_block("Techniques", ", ".join(snapshot.techniques), styles)
    if snapshot.pressure is not None:
        out += _text_block("Pressure", format_pressure(snapshot.pressure), styles)
    if snapshot.positioning:
        out += _text_block("Positioning", snapshot.positioning, styles)
    out += _range_of_motion(snapshot, styles)
    out += _tolerances(snapshot, styles)
    out += _outcomes(snapshot, styles)
    out.append(_section("A — Assessment", styles))
    if snapshot.pain_before is not None or snapshot.pain_after is not None:
        before = "—" if snapshot.pain_before is None else f"{snapshot.pain_before}/10"
        after = "—" if snapshot.pain_after is None else f"{snapshot.pain_after}/10"
        out.append(
            trusted(
                f"<b>Pain (NRS 0–10):</b> {before} before treatment, {after} after treatment",
                styles.body,
            )
        )
        out.append(Spacer(1, 2.5))
    out += _text_block("", snapshot.assessment, styles)
    out.append(_section("P — Plan", styles))
    out += _text_block("", snapshot.plan, styles) or [trusted("No plan recorded.", styles.small)]
    out += _goals(snapshot, styles)
    return out


def _subheading(text: str, styles: Styles) -> Paragraph:
    return trusted(f"<b>{escape(text)}</b>", styles.body)


def _range_of_motion(snapshot: VisitSnapshot, styles: Styles) -> list[Flowable]:
    """The range-of-motion table: this visit before and after treatment, the reference range,
    and the last signed visit's value, so the change is in degrees."""
    rows_of = rom_rows(snapshot.range_of_motion, snapshot.earlier_rom, snapshot.earlier_rom_day)
    if not rows_of:
        return []
    last_day = snapshot.earlier_rom_day
    last_head = f"Last ({fmt_date(last_day)})" if last_day else "Last visit"
    rows: list[list[object]] = [
        [
            trusted(h, styles.cell_bold)
            for h in ("Motion", "Type", "Before", "After", "Normal", last_head)
        ]
    ]
    for row in rows_of:
        rows.append(
            [
                para(row.label, styles.cell),
                trusted(row.kind, styles.cell),
                para(row.before.value_text() if row.before else "—", styles.cell),
                para(row.after.value_text() if row.after else "—", styles.cell),
                trusted(f"{row.normal}°", styles.cell),
                para(row.last.value_text() if row.last else "—", styles.cell),
            ]
        )
    w = FRAME_WIDTH
    visual = any(m.method == "visual" for m in snapshot.range_of_motion)
    note = "Degrees by goniometer" + (" unless marked visual (an estimate)" if visual else "")
    return [
        Spacer(1, 3),
        _subheading("Range of motion", styles),
        _table(rows, [0.3 * w, 0.08 * w, 0.16 * w, 0.16 * w, 0.1 * w, 0.2 * w]),
        trusted(
            f"{note}. Normal: reference range (AAOS), not a goal. WNL: within normal limits.",
            styles.small,
        ),
    ]


def _tolerances(snapshot: VisitSnapshot, styles: Styles) -> list[Flowable]:
    """Sitting, standing and other tolerances, each beside the last signed visit's."""
    if not snapshot.tolerances:
        return []
    earlier = {t.activity: t for t in snapshot.earlier_tolerances}
    day = snapshot.earlier_tolerances_day
    rows: list[list[object]] = [
        [
            trusted(h, styles.cell_bold)
            for h in ("Tolerance", "This visit", f"Last ({fmt_date(day)})" if day else "Last visit")
        ]
    ]
    for tolerance in snapshot.tolerances:
        last = earlier.get(tolerance.activity)
        rows.append(
            [
                trusted(escape(tolerance.label), styles.cell),
                trusted(tolerance.value_text(), styles.cell),
                trusted(last.value_text() if last else "—", styles.cell),
            ]
        )
    w = FRAME_WIDTH
    return [Spacer(1, 3), _table(rows, [0.4 * w, 0.3 * w, 0.3 * w])]


def outcomes_table(outcomes: Sequence[OutcomeChange], styles: Styles) -> Table:
    """Each outcome measure's first and latest score and the change judged by its MCID."""
    rows: list[list[object]] = [
        [
            trusted(h, styles.cell_bold)
            for h in ("Outcome measure", "First", "Latest", "Change", "MCID")
        ]
    ]
    for change in outcomes:
        measure = change.measure
        better = "higher is better" if measure.better.value == "higher" else "lower is better"
        rows.append(
            [
                para(f"{measure.name} ({better})", styles.cell),
                trusted(f"{change.first:g} ({fmt_date(change.first_day)})", styles.cell),
                trusted(f"{change.latest:g} ({fmt_date(change.latest_day)})", styles.cell),
                trusted(escape(change.meaning()), styles.cell),
                trusted(f"{measure.mcid:g}", styles.cell),
            ]
        )
    w = FRAME_WIDTH
    return _table(rows, [0.3 * w, 0.17 * w, 0.17 * w, 0.28 * w, 0.08 * w])


def goals_table(goals: Sequence[Goal], day: dt.date, styles: Styles) -> Table:
    """Goals short-term first, with their timeframe from ``day`` and their status."""
    rows: list[list[object]] = [
        [trusted(h, styles.cell_bold) for h in ("Term", "Goal", "Timeframe", "Status")]
    ]
    for goal in sorted(goals, key=lambda g: g.term is not GoalTerm.SHORT):
        rows.append(
            [
                trusted(goal.term.abbreviation, styles.cell_bold),
                para(goal.text, styles.cell),
                trusted(escape(goal.timeframe_text(day)), styles.cell),
                trusted(escape(goal.status.label), styles.cell),
            ]
        )
    w = FRAME_WIDTH
    return _table(rows, [0.08 * w, 0.52 * w, 0.24 * w, 0.16 * w])


def pain_map_table(entries: Sequence[PainMapEntry], styles: Styles) -> Table:
    """The client's own pain maps (first and latest): WPI, SSS, FS, extent and the areas."""
    rows: list[list[object]] = [
        [
            trusted(h, styles.cell_bold)
            for h in ("Client's pain map", "WPI", "SSS", "FS", "Extent", "Areas with pain")
        ]
    ]
    for caption, entry in zip(("First", "Latest"), entries, strict=False):
        score = entry.score
        rows.append(
            [
                trusted(f"{caption} ({fmt_date(entry.taken_on)})", styles.cell),
                trusted(f"{score.wpi}/19", styles.cell),
                trusted("—" if score.sss is None else f"{score.sss}/12", styles.cell),
                trusted(
                    "—" if score.severity_score is None else f"{score.severity_score}/31",
                    styles.cell,
                ),
                trusted(f"{score.extent * 100:.1f}%", styles.cell),
                para(", ".join(a.label for a in score.areas) or "none", styles.cell),
            ]
        )
    w = FRAME_WIDTH
    return _table(rows, [0.2 * w, 0.08 * w, 0.08 * w, 0.08 * w, 0.09 * w, 0.47 * w])


def pain_map_notes(entries: Sequence[PainMapEntry], corrected_since: bool, when: str) -> list[str]:
    """What the pain-map table means: the client's report, scored how, the latest criteria,
    and ``when`` the maps were read ("when this note was signed")."""
    notes = [
        "The client's own report of where they had pain in the past 7 days, marked on the body "
        "map and scored by the ACR 2016 criteria (WPI: Widespread Pain Index; SSS: Symptom "
        "Severity Scale; FS = WPI + SSS). Not the therapist's findings."
    ]
    criteria = entries[-1].score.criteria if entries else None
    if criteria is not None:
        notes.append(criteria.words())
    notes.append(f"Maps as on file {when}.")
    for entry in entries:
        if entry.unreadable:
            notes.append(
                f"The map of {fmt_date(entry.taken_on)} was changed outside the app; scored "
                f"without what could not be read ({', '.join(entry.unreadable)})."
            )
    if corrected_since:
        notes.append("A map shown was corrected after signing: see the client's record.")
    return notes


def _outcomes(snapshot: VisitSnapshot, styles: Styles) -> list[Flowable]:
    """Standardised outcome measures: the first score on file, the latest by this visit, and
    the change judged by each measure's minimal clinically important difference; then the
    client's own pain maps."""
    out: list[Flowable] = []
    if snapshot.outcomes:
        out += [Spacer(1, 3), outcomes_table(snapshot.outcomes, styles)]
        when = "when this note was signed" if snapshot.signed else "today"
        note = f"Scores as on file {when}, computed from the client's answers."
        if snapshot.outcomes_corrected_since:
            note += " A score shown was corrected after signing: see the client's outcome record."
        out.append(trusted(escape(note), styles.small))
    if snapshot.pain_maps:
        out += [Spacer(1, 3), pain_map_table(snapshot.pain_maps, styles)]
        when = "when this note was signed" if snapshot.signed else "today"
        notes = pain_map_notes(snapshot.pain_maps, snapshot.pain_maps_corrected_since, when)
        out.append(trusted(escape(" ".join(notes)), styles.small))
    return out


def _goals(snapshot: VisitSnapshot, styles: Styles) -> list[Flowable]:
    """Functional goals as they stood at this visit: short- and long-term, with the timeframe
    and the status; the client's goals as written in the record when the note has none."""
    out: list[Flowable] = [_section("Functional goals", styles)]
    if snapshot.goals:
        out.append(goals_table(snapshot.goals, snapshot.start.date(), styles))
        out.append(
            trusted(
                "STG: short-term goal. LTG: long-term goal. Status at this visit.", styles.small
            )
        )
        return out
    written = [g.strip(" -•\t") for g in snapshot.client.goals.splitlines() if g.strip()]
    if written:
        for line in written:
            out.append(para(line, styles.body, prefix="•&nbsp;&nbsp;"))
    else:
        out.append(trusted("No functional goals recorded.", styles.small))
    return out


def mark_details(mark: MarkInfo) -> str:
    """The details column of a mark: depth, technique, minutes, pressure and note."""
    parts = []
    if mark.deep_muscle:
        parts.append(f"deep: {mark.deep_muscle}")
    if mark.technique:
        parts.append(mark.technique)
    if mark.minutes is not None:
        parts.append(f"{mark.minutes} min")
    if mark.pressure is not None:
        parts.append(f"pressure {format_pressure_level(mark.pressure)}")
    if mark.note:
        parts.append(mark.note)
    return "; ".join(parts)


def body_charts(marks: Sequence[MarkInfo]) -> list[BodyChart]:
    """The numbered body charts of the views that hold marks, in the order they print."""
    return [chart for row in body_chart_rows(marks) for chart in row]


def body_chart_rows(marks: Sequence[MarkInfo]) -> list[list[BodyChart]]:
    """The numbered body charts of the views that hold marks, side by side across the page: the
    whole-body views in a row, the detail views (head, hands, feet) in a row below."""
    rows: list[list[BodyChart]] = []
    letter = "A"  # close-ups are lettered in one run across the note's figures
    for views in chart_rows(views_with_marks(marks)):
        detail = views[0].id not in WHOLE_BODY_VIEW_IDS
        height = figure_height_for(
            [view.aspect for view in views], FRAME_WIDTH, maximum=200.0 if detail else 262.0
        )
        column = FRAME_WIDTH / len(views)
        charts: list[BodyChart] = []
        for view in views:
            on_view = [m for m in marks if m.view == view.id]
            chart = BodyChart(view, on_view, height, available_width=column, first_letter=letter)
            letter = chr(ord(letter) + len(chart.layout.insets))
            charts.append(chart)
        rows.append(charts)
    return rows


def chart_legend(marks: Sequence[MarkInfo], styles: Styles) -> Table:
    """The legend of the kinds charted: each kind's swatch, code and name, three to a row."""
    kinds = [k for k in MarkKind if any(m.kind is k for m in marks)]
    cells: list[list[object]] = []
    per_row = 3
    for start in range(0, len(kinds), per_row):
        line: list[object] = []
        for kind in kinds[start : start + per_row]:
            legend = kind.legend
            line += [
                LegendSwatch(kind),
                trusted(f"<b>{escape(legend.code)}</b>  {escape(legend.name)}", styles.small),
            ]
        while len(line) < per_row * 2:
            line += ["", ""]
        cells.append(line)
    swatch = 22.0
    text = FRAME_WIDTH / per_row - swatch
    legend_table = Table(cells, colWidths=[swatch, text] * per_row)
    legend_table.setStyle(
        table_style(
            [
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (-1, -1), 2),
                ("RIGHTPADDING", (0, 0), (-1, -1), 2),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
                ("BOX", (0, 0), (-1, -1), 0.5, RULE),
                ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#fbfbfc")),
            ]
        )
    )
    return legend_table


def chart_flowables(snapshot: VisitSnapshot, styles: Styles) -> list[Flowable]:
    """The body charts of the views that hold marks, the legend, and the numbered marks."""
    marks = snapshot.marks
    if not marks:
        return [_section("Body chart", styles), trusted("No marks charted.", styles.small)]
    figure_rows: list[Table] = []
    body_rows = body_chart_rows(marks)
    for figures in body_rows:
        row = Table([figures], colWidths=[FRAME_WIDTH / len(figures)] * len(figures))
        row.setStyle(
            table_style(
                [
                    ("ALIGN", (0, 0), (-1, -1), "CENTER"),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ]
            )
        )
        figure_rows.append(row)
    legend_table = chart_legend(marks, styles)
    header = ("No.", "Finding", "Location (client's side)", "View", "Int.", "Details")
    rows: list[list[object]] = [[trusted(h, styles.cell_bold) for h in header]]
    for mark in marks:
        legend = mark.kind.legend
        intensity = "—"
        if mark.intensity is not None and legend.has_intensity:
            intensity = f"{mark.intensity}/10"
        where = mark.location + (" (whole region)" if mark.whole_region else "")
        rows.append(
            [
                trusted(f"<b>{mark.number}</b>", styles.cell),
                trusted(f"<b>{escape(legend.code)}</b> {escape(legend.name)}", styles.cell),
                para(where, styles.cell),
                trusted(escape(view_label(mark.view)), styles.cell),
                trusted(intensity, styles.cell),
                para(mark_details(mark), styles.cell),
            ]
        )
    w = FRAME_WIDTH
    marks_table = _table(rows, [0.06 * w, 0.2 * w, 0.22 * w, 0.12 * w, 0.07 * w, 0.33 * w])
    geometry_note = (
        "Figures drawn from the charting atlas. R and L are the client's sides; numbers on the "
        "figures match the list below."
    )
    rows_flow: list[Flowable] = []
    for row in figure_rows:
        rows_flow += [row, Spacer(1, 4)]
    first_height = max(chart.height for chart in body_rows[0])
    return [
        CondPageBreak(first_height + 80),
        KeepTogether(
            [
                _section("Body chart", styles),
                *rows_flow,
                trusted(escape(geometry_note), styles.tiny),
                Spacer(1, 4),
                legend_table,
            ]
        ),
        Spacer(1, 6),
        marks_table,
    ]


def checkpoint_line(checkpoint: str | None, styles: Styles) -> list[Flowable]:
    """The audit log's head when the page was made, and how to hold the log to it later."""
    if not checkpoint:
        return []
    return [
        trusted(
            f'Audit checkpoint <font name="MCSans">{escape(checkpoint)}</font>: the records\' audit '
            "log as this page was made. <i>massage-chart audit verify --checkpoint "
            f"{escape(checkpoint)}</i> shows whether the log still holds it.",
            styles.tiny,
        )
    ]


def _signature(snapshot: VisitSnapshot, styles: Styles) -> list[Flowable]:
    signer = snapshot.signer or snapshot.provider
    who = signer.display_name if signer else "an unknown provider"
    who_full = signer_identity(signer) if signer else who
    when = format_recorded_time(snapshot.signed_at) if snapshot.signed_at else "an unknown time"
    if not snapshot.signed:
        body = [
            trusted("<b>DRAFT — NOT SIGNED</b>", styles.banner),
            trusted(
                "This note has not been signed by the provider. It is not a final clinical "
                "record and must not be submitted as one.",
                styles.small,
            ),
        ]
        shade, border = ALERT_SHADE, ALERT
    elif snapshot.integrity_ok and snapshot.imported is not None:
        # Signed in another system: said as such, never as a signature made in these records.
        imported = snapshot.imported
        on = format_recorded_time(imported.imported_at) if imported.imported_at else "a day unknown"
        seal = {
            "carried": "Its content hash came with it and matched on import.",
            "added": "The file carried no content hash: the seal below was made on import and "
            "vouches only for the note as it arrived.",
        }.get(imported.seal or "", "")
        body = [
            para(
                f"Signed in {imported.source} by {who_full} on {when}; imported into these "
                f"records on {on} by {imported.imported_by or 'an unknown person'}.",
                styles.value_bold,
            ),
            para(f"Not signed in this practice's records. {seal}", styles.small),
            trusted(
                f'Content hash (SHA-256): <font name="MCSans">{escape(snapshot.content_hash or "")}'
                "</font>",
                styles.tiny,
            ),
        ]
        shade, border = SHADE, RULE
    elif snapshot.integrity_ok:
        signature = _signature_image(signer.signature_png if signer else None)
        body = [
            *([signature] if signature is not None else []),
            para(
                f"Electronically signed by {who_full} on {when}."
                if snapshot.cosigned_student is None
                else f"Written by {snapshot.cosigned_student.display_name}, student. Co-signed "
                f"by {who_full}, supervising therapist, on {when}.",
                styles.value_bold,
            ),
            trusted(
                f'Content hash (SHA-256): <font name="MCSans">{escape(snapshot.content_hash or "")}'
                "</font>",
                styles.tiny,
            ),
            trusted(
                "The hash seals the note's content at signing; corrections appear only as "
                "addenda below.",
                styles.tiny,
            ),
        ]
        shade, border = SHADE, RULE
    else:
        body = [
            trusted("<b>INTEGRITY FAILURE — DO NOT RELY ON THIS NOTE</b>", styles.banner),
            para(
                f"This note was signed by {who_full} on {when}, but "
                + (snapshot.integrity_problems or ("it no longer matches its seal",))[0]
                + ".",
                styles.small,
            ),
            trusted(
                f"Sealed hash: {escape(snapshot.content_hash or 'none')}<br/>"
                f"Current content hash: {escape(snapshot.current_hash or '')}",
                styles.tiny,
            ),
        ]
        shade, border = ALERT_SHADE, ALERT
    if snapshot.signed and snapshot.seal_note:
        body.append(para(snapshot.seal_note, styles.tiny))
    body += checkpoint_line(snapshot.audit_checkpoint, styles)
    box = Table([[body]], colWidths=[FRAME_WIDTH])
    box.setStyle(
        table_style(
            [
                ("BOX", (0, 0), (-1, -1), 1.0, border),
                ("BACKGROUND", (0, 0), (-1, -1), shade),
                ("LEFTPADDING", (0, 0), (-1, -1), 8),
                ("RIGHTPADDING", (0, 0), (-1, -1), 8),
                ("TOPPADDING", (0, 0), (-1, -1), 6),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 7),
            ]
        )
    )
    return [KeepTogether([_section("Signature", styles), box])]


def _addenda(snapshot: VisitSnapshot, styles: Styles) -> list[Flowable]:
    if not snapshot.addenda:
        return []
    out: list[Flowable] = [
        _section("Addenda", styles),
        trusted(
            "Entered after the note was signed, in the order written. The signed note above is "
            "unchanged.",
            styles.tiny,
        ),
        Spacer(1, 3),
    ]
    for index, addendum in enumerate(snapshot.addenda, start=1):
        when = format_recorded_time(addendum.created_at)
        head = f"Addendum {index} — {when}"
        if addendum.author:
            head += f" — by {addendum.author}"
        out.append(para(head, styles.heading))
        if addendum.reason:
            out.append(para(addendum.reason, styles.small, prefix="<b>Reason:</b> "))
        out += _text_block("", addendum.text, styles)
        if not addendum.intact:
            out.append(
                trusted(
                    "<b>INTEGRITY FAILURE: this addendum was changed or forged after it was "
                    "written. Do not rely on it.</b>",
                    styles.banner,
                )
            )
        if addendum.content_hash:
            out.append(trusted(f"Hash: {escape(addendum.content_hash)}", styles.tiny))
        out.append(Spacer(1, 4))
    return out


def _integrity_banner(snapshot: VisitSnapshot, styles: Styles) -> list[Flowable]:
    if not snapshot.integrity_failed:
        return []
    what = "; ".join(snapshot.integrity_problems) or "it no longer matches its seal"
    box = Table(
        [
            [
                [
                    trusted(
                        "INTEGRITY FAILURE: this signed record no longer holds its seal.",
                        styles.banner,
                    ),
                    para(
                        f"Found: {what}. The text below is what the database holds now, not "
                        "what the provider signed. Do not rely on it; restore the record from "
                        "a verified backup.",
                        styles.small,
                    ),
                ]
            ]
        ],
        colWidths=[FRAME_WIDTH],
    )
    box.setStyle(
        table_style(
            [
                ("BOX", (0, 0), (-1, -1), 1.6, ALERT),
                ("BACKGROUND", (0, 0), (-1, -1), ALERT_SHADE),
                ("LEFTPADDING", (0, 0), (-1, -1), 8),
                ("TOPPADDING", (0, 0), (-1, -1), 6),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 7),
            ]
        )
    )
    return [box, Spacer(1, 6)]


def page_marks(snapshot: VisitSnapshot, title: str) -> PageMarks:
    """Footer, watermark and metadata of the SOAP note."""
    watermark = ""
    colour = colors.Color(0.78, 0.78, 0.78)
    if not snapshot.signed:
        watermark = "DRAFT — NOT SIGNED"
    elif snapshot.integrity_failed:
        watermark = "INTEGRITY FAILURE"
        colour = colors.Color(0.9, 0.55, 0.58)
    provider = snapshot.provider
    return PageMarks(
        footer=footer_text(snapshot),
        watermark=watermark,
        watermark_colour=colour,
        title=f"{title}: {snapshot.client.full_name}, {snapshot.start.date().isoformat()}",
        author=provider.display_name if provider else "",
        subject=f"Visit {snapshot.id}",
    )


def soap_flowables(snapshot: VisitSnapshot) -> list[Flowable]:
    """The flowables of the note, in reading order."""
    styles = stylesheet()
    status = "Signed" if snapshot.signed else "DRAFT (unsigned)"
    if snapshot.signed and snapshot.imported is not None:
        status = "Signed elsewhere (imported)"
    if snapshot.integrity_failed:
        status = "INTEGRITY FAILURE"
    subtitle = f"Date of service {fmt_date(snapshot.start.date())}\n{status}"
    story: list[Flowable] = [
        letterhead(snapshot, "Treatment Note (SOAP)", subtitle, styles),
        Spacer(1, 8),
    ]
    story += _integrity_banner(snapshot, styles)
    story.append(_header_grid(snapshot, styles))
    story += _diagnoses(snapshot, styles)
    story += _services(snapshot, styles)
    story += _soap(snapshot, styles)
    story += chart_flowables(snapshot, styles)
    story += _signature(snapshot, styles)
    story += _addenda(snapshot, styles)
    return story


def render_soap_pdf(snapshot: VisitSnapshot) -> bytes:
    """The insurer SOAP note of one visit, as PDF bytes."""
    return build_pdf(soap_flowables(snapshot), page_marks(snapshot, "SOAP note"))
