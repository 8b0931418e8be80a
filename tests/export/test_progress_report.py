"""The progress report: a client's signed visits over a span, measured the way payers measure
progress, read back from the PDF; from the command line and from the progress window."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from massage_chart.domain.record_kinds import PayerType
from massage_chart.export.progress_report import (
    ProgressReportError,
    export_progress,
    load_progress,
    render_progress_pdf,
)
from massage_chart.storage import audit
from massage_chart.storage.database import Database
from massage_chart.storage.models import BillingLine, Claim, Visit, utc_now
from massage_chart.storage.outcomes import record_outcome
from massage_chart.storage.pain_maps import record_pain_map
from massage_chart.storage.signing import sign_visit
from tests.export.conftest import START, MadeVisit
from tests.export.pdftext import all_text, flat
from tests.helpers.pain_maps import SYMPTOMS, WIDESPREAD

Factory = Callable[..., MadeVisit]


def _rom(degrees: int, timing: str = "before", painful: bool = False) -> dict[str, Any]:
    return {"motion": "cervical.rotation", "side": "left", "degrees": degrees, "timing": timing,
            "painful": painful, "within_normal": False, "passive": False, "method": "goniometer"}  # fmt: skip


def _course(db: Database, visit_factory: Factory) -> MadeVisit:
    """Three signed weekly visits on a workers' comp claim authorising 12 (6, 13 and 20 Nov), the
    last made by the standard fixture, and a draft on 27 Nov."""
    made = visit_factory(signed=False)  # 20 Nov, pain 7 -> 3, 4 units; signed below
    with db.write() as session:
        latest = session.get(Visit, made.visit_id)
        assert latest is not None
        claim = session.get(Claim, latest.claim_id)
        assert claim is not None
        claim.payer_type, claim.authorised_visits = PayerType.WORKERS_COMP, 12
        latest.range_of_motion = [_rom(65), _rom(72, "after")]
        latest.tolerances = [{"activity": "sitting", "minutes": 45}]
        latest.goals = [
            {"term": "short", "text": "Check the blind spot", "target": "2026-11-27", "status": "met"},
            {"term": "long", "text": "Drive to work pain-free", "target": "2027-01-15",
             "status": "progressing"},
        ]  # fmt: skip
        session.flush()
        for days, pain, units in ((14, 8, 3), (7, 6, 2)):
            start = START - dt.timedelta(days=days)
            visit = Visit(
                client_id=made.client_id, provider_id=made.provider_id, claim_id=claim.id,
                referral_id=latest.referral_id, start=start, end=start + dt.timedelta(hours=1),
                subjective="Neck pain", objective="Tender", pain_before=pain, pain_after=pain - 2,
                range_of_motion=[_rom(40 + (14 - days), painful=True)] if days == 14 else [],
                tolerances=[{"activity": "sitting", "minutes": 15}] if days == 14 else [],
                icd10_codes=list(latest.icd10_codes),
            )  # fmt: skip
            visit.billing_lines.append(BillingLine(position=0, cpt="97140", minutes=units * 15,
                                                   units=units))  # fmt: skip
            session.add(visit)
            session.flush()
            sign_visit(visit, made.provider_id, start + dt.timedelta(hours=2))
        session.add(
            Visit(
                client_id=made.client_id,
                provider_id=made.provider_id,
                claim_id=claim.id,
                start=START + dt.timedelta(days=7),
                subjective="Draft",
            )
        )
        record_outcome(session, made.client_id, "nprs", [8], taken_on=dt.date(2026, 11, 6),
                       source="client")  # fmt: skip
        record_outcome(session, made.client_id, "nprs", [4], taken_on=dt.date(2026, 11, 20),
                       source="client")  # fmt: skip
        # The client's own pain maps: widespread at the first visit, two areas at the latest.
        record_pain_map(session, made.client_id, WIDESPREAD, symptoms=SYMPTOMS, three_months=True,
                        taken_on=dt.date(2026, 11, 6), source="client")  # fmt: skip
        record_pain_map(session, made.client_id, WIDESPREAD[4:6],
                        symptoms=dict.fromkeys(SYMPTOMS, 0), three_months=True,
                        taken_on=dt.date(2026, 11, 20), source="client")  # fmt: skip
        session.flush()
        # Signed after the outcome sheets were recorded: the note counts them.
        sign_visit(latest, made.provider_id, utc_now())
        # Filed after signing: not on the signed note, nor on the report drawn from it.
        record_pain_map(session, made.client_id, WIDESPREAD[:5], taken_on=dt.date(2026, 11, 20),
                        source="paper")  # fmt: skip
    return made


def _report_text(db: Database, made: MadeVisit, start: dt.date, end: dt.date) -> str:
    with db.read() as session:
        data = load_progress(session, made.client_id, start, end)
    return flat(all_text(render_progress_pdf(data)))


def test_the_report_measures_progress_over_the_span(db: Database, visit_factory: Factory) -> None:
    made = _course(db, visit_factory)
    text = _report_text(db, made, dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    for expected in (
        "ProgressReport",
        "1Nov2026–30Nov2026",
        "3signed(1notsignedyet,leftout)",
        "Visit3of12authorised",  # the latest visit's place on the claim
        "97124×1,97140×8",  # 3 + 2 + 3 units of 97140, 1 of 97124
        # One line per visit: pain before and after, units.
        "6Nov20268/106/103", "13Nov20266/104/102", "20Nov20267/103/104",
        "Painbeforetreatment:8/10atthefirstvisit,7/10atthelatest(down).",
        # Range of motion from the first visit that measured it to the latest, in degrees.
        "LneckrotationAROM40°,painatendrange72°80°+32°",
        "Sitting15min45min+30min",
        "NumericPainRatingScale(lowerisbetter)8(6Nov2026)4(20Nov2026)Improvedby4(atleasttheMCIDof2)",
        # The client's own pain maps, first and latest as on file when the latest was signed.
        "Client'spainmapWPISSSFSExtentAreaswithpain",
        "First(6Nov2026)8/196/1214/31",
        "Latest(20Nov2026)2/190/122/31",
        "LowerbackTheclient'sownreport",
        "The2016fibromyalgiacriteriaarenotmet:nottheWPIandSSSthresholds,generalizedpain",
        "Mapsasonfilewhenthelatestnotewassigned.",
        "STGChecktheblindspot", "Met", "LTGDrivetoworkpain-free", "Progressing",
        "Preparedfrom3signedtreatmentnotesofSamLee,LMT",
    ):  # fmt: skip
        assert expected in text, expected
    assert "Findings:firstandlatestvisit" in text and "First:6Nov2026(0marks)" in text
    # Pain extent from the marks: none charted at the first visit, the fixture's pain and
    # referred pain at the latest; said to be the therapist's finding.
    assert "Painextent(therapist'sfindings):0.0%ofthebodysurfaceatthefirstvisit" in text
    assert (
        "WidespreadPainIndexareasholdingthetherapist'spainfindings:0of19atthefirstvisit(none)"
        in text
    )
    assert "clinicianfindings,nottheclient'sownreportofpainnoritsWPIscore" in text


def test_the_span_decides_which_visits_count(db: Database, visit_factory: Factory) -> None:
    made = _course(db, visit_factory)
    text = _report_text(db, made, dt.date(2026, 11, 13), dt.date(2026, 11, 20))
    assert "2signed" in text and "6Nov2026" not in text.split("Findings")[0]
    one = _report_text(db, made, dt.date(2026, 11, 20), dt.date(2026, 11, 20))
    assert "Onesignedvisitintheperiod:nothingtocomparewith." in one
    with (
        pytest.raises(ProgressReportError, match="no signed visit from 1 Dec 2026"),
        db.read() as s,
    ):
        load_progress(s, made.client_id, dt.date(2026, 12, 1), dt.date(2026, 12, 31))
    with pytest.raises(ProgressReportError, match="ends"), db.read() as s:
        load_progress(s, made.client_id, dt.date(2026, 12, 1), dt.date(2026, 11, 1))


def test_a_tampered_note_in_the_span_is_said_on_every_page(
    db: Database, visit_factory: Factory
) -> None:
    made = _course(db, visit_factory)
    with db.write() as session:
        session.execute(text("DROP TRIGGER trg_visits_signed_update"))
        session.execute(
            text("UPDATE visits SET pain_before = 2 WHERE id = :id"), {"id": made.visit_id}
        )
    text_ = _report_text(db, made, dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert "INTEGRITYFAILURE:1note(s)ofthisperiod" in text_
    assert text_.count("INTEGRITYFAILURE") >= 2


def test_the_export_is_written_whole_and_audited(
    db: Database, visit_factory: Factory, tmp_path: Path
) -> None:
    made = _course(db, visit_factory)
    path = export_progress(
        db, made.client_id, dt.date(2026, 11, 1), dt.date(2026, 11, 30), tmp_path / "r.pdf"
    )
    assert path.read_bytes().startswith(b"%PDF")
    with db.read() as session:
        events = audit.list_events(session, limit=5)
    assert any("progress report PDF 2026-11-01 to 2026-11-30" in e.detail for e in events)


def test_the_command_line_writes_the_report_and_refuses_plainly(
    db: Database, db_path: Path, visit_factory: Factory, tmp_path: Path
) -> None:
    made = _course(db, visit_factory)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "massage_chart", "--db", str(db_path), "export", "progress",
             *args], capture_output=True, text=True, check=False,
        )  # fmt: skip

    out = tmp_path / "progress.pdf"
    done = run(made.client_id, "--from", "2026-11-01", "--to", "2026-11-30", "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert "Wrote the progress report" in done.stdout
    assert "3signed" in flat(all_text(out.read_bytes()))
    empty = run(
        made.client_id, "--from", "2025-01-01", "--to", "2025-01-31", "-o", str(tmp_path / "e.pdf")
    )
    assert empty.returncode == 1 and "no signed visit" in empty.stderr
    assert "Traceback" not in empty.stderr and not (tmp_path / "e.pdf").exists()
    again = run(made.client_id, "--from", "2026-11-01", "--to", "2026-11-30", "-o", str(out))
    assert again.returncode == 1 and "--force" in again.stderr
    signed = run(made.client_id, "--from", "2026-11-01", "--to", "2026-11-30", "--sign",
                 "-o", str(tmp_path / "s.pdf"))  # fmt: skip
    assert signed.returncode == 0 and "Wrote the signed progress report" in signed.stdout
    assert "ElectronicallysignedbySamLee" in flat(all_text((tmp_path / "s.pdf").read_bytes()))
    stranger = run(made.client_id, "--from", "2026-11-01", "--to", "2026-11-30", "--sign",
                   "--provider", "nobody", "-o", str(tmp_path / "t.pdf"))  # fmt: skip
    assert stranger.returncode == 1 and "No provider with id 'nobody'" in stranger.stderr
    nobody = run("nobody", "--from", "2026-11-01", "--to", "2026-11-30", "-o", str(tmp_path / "x"))
    assert nobody.returncode == 1 and "No client with id 'nobody'" in nobody.stderr
    with db.read() as session:
        assert session.scalar(select(Visit.id).where(Visit.id == made.visit_id))


def test_a_signed_report_prints_its_signature_and_starts_the_report_count_again(
    db: Database, visit_factory: Factory, tmp_path: Path
) -> None:
    made = _course(db, visit_factory)
    start, end = dt.date(2026, 11, 1), dt.date(2026, 11, 20)
    unsigned = flat(all_text((export_progress(db, made.client_id, start, end,
                                              tmp_path / "a.pdf")).read_bytes()))  # fmt: skip
    assert "NOTSIGNED" in unsigned and "Electronicallysigned" not in unsigned
    path = export_progress(
        db, made.client_id, start, end, tmp_path / "b.pdf", sign=True,
        signed_at=dt.datetime(2026, 11, 21, 17, 0),
    )  # fmt: skip
    signed = flat(all_text(path.read_bytes()))
    assert "ElectronicallysignedbySamLee,LMT(licenceMA.60012345,NPI1234567893)on21Nov2026" in signed
    assert "Covers3signedtreatmentnotes" in signed and "SHA-256" in signed
    assert "NOTSIGNED" not in signed and "INTEGRITY" not in signed
    with db.read() as session:
        assert any("progress report 2026-11-01 to 2026-11-20, 3 notes" in e.detail
                   for e in audit.list_events(session, limit=10))  # fmt: skip
    # The same span prints the same signed report again, and the claim's count starts again:
    # the next visit's note says the report through 20 Nov covers the earlier ones.
    again = flat(all_text(export_progress(db, made.client_id, start, end,
                                          tmp_path / "c.pdf").read_bytes()))  # fmt: skip
    assert "ElectronicallysignedbySamLee" in again
    from massage_chart.export.service import DocumentKind, read_snapshot, render

    note = flat(all_text(render(DocumentKind.SOAP, read_snapshot(db, made.visit_id))))
    assert "Coveredbytheprogressreportthrough20Nov2026" in note
    # A signed report can be neither changed nor removed.
    with pytest.raises(Exception, match="cannot be changed or removed"), db.write() as session:
        session.execute(text("UPDATE progress_reports SET period_to = '2026-12-31'"))
    with pytest.raises(Exception, match="cannot be changed or removed"), db.write() as session:
        session.execute(text("DELETE FROM progress_reports"))


def test_a_signed_report_travels_in_the_chart_file_and_says_where_it_was_signed(
    db: Database, visit_factory: Factory, tmp_path: Path
) -> None:
    import json

    from massage_chart.storage.chart_file import dumps_chart, export_chart, import_chart
    from massage_chart.storage.database import open_database

    made = _course(db, visit_factory)
    start, end = dt.date(2026, 11, 1), dt.date(2026, 11, 20)
    export_progress(db, made.client_id, start, end, tmp_path / "a.pdf", sign=True)
    with db.write() as session:
        document = json.loads(dumps_chart(export_chart(session, [made.client_id])))
    (client,) = document["clients"]
    (report,) = client["progress_reports"]
    assert (report["period_from"], report["period_to"], len(report["visit_ids"])) == (
        "2026-11-01", "2026-11-20", 3,
    )  # fmt: skip
    other = open_database(str(tmp_path / "other.db"))
    try:
        with other.write() as session:
            import_chart(session, document)
        with other.read() as session:
            data = load_progress(session, made.client_id, start, end)
        assert data.signature is not None and data.signature.intact
        text_ = flat(all_text(render_progress_pdf(data)))
        assert "SignedinHarbourviewClinicalMassage(massage-chart" in text_
        assert "Notsignedinthispractice'srecords" in text_
        assert "INTEGRITY" not in text_
        # A report naming a visit the file does not hold as signed is refused whole.
        report["visit_ids"].append("someone-elses")
        third = open_database(str(tmp_path / "third.db"))
        try:
            with (
                pytest.raises(Exception, match="not a signed visit of this client"),
                third.write() as session,
            ):
                import_chart(session, document)
        finally:
            third.dispose()
    finally:
        other.dispose()


def test_check_holds_each_signed_report_to_its_seal(
    db: Database, visit_factory: Factory, tmp_path: Path
) -> None:
    from massage_chart.storage.safekeeping import check_database

    made = _course(db, visit_factory)
    export_progress(db, made.client_id, dt.date(2026, 11, 1), dt.date(2026, 11, 20),
                    tmp_path / "a.pdf", sign=True)  # fmt: skip
    first = check_database(db)
    assert "1 signed progress reports against their seals" in first.checked
    assert not [p for p in first.problems if "progress report" in p]
    with db.write() as session:
        session.execute(text("DROP TRIGGER trg_progress_reports_update"))
        session.execute(text("UPDATE progress_reports SET period_to = '2026-11-30'"))
    everything = check_database(db).problems
    problems = [p for p in everything if "progress report" in p]
    assert len(problems) == 1 and "no longer matches its seal" in problems[0]
    # The dropped guard is missed as well.
    assert any("protection(s)" in p and "trg_progress_reports_update" in p for p in everything)
