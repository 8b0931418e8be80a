"""The client visit summary (DOMAIN.md §5.3): plain words, no codes; what was worked on, how the
client responded, home care, what to expect, when to seek care, the next appointment."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table

from massage_chart.atlas import load_atlas
from massage_chart.domain.lay_words import lay_places, lay_technique
from massage_chart.domain.marks import MarkKind
from massage_chart.domain.measures import (
    ACTIVITY_VERBS,
    GOAL_STATUS_WORDS,
    GoalTerm,
    rom_change_words,
    rom_rows,
)
from massage_chart.domain.placement import placement_of
from massage_chart.export import fonts
from massage_chart.export.body_chart import (
    BodyChart,
    chart_rows,
    figure_height_for,
    views_with_marks,
)
from massage_chart.export.document import PageMarks, as_section_heading, build_pdf
from massage_chart.export.snapshot import MarkInfo, VisitSnapshot
from massage_chart.export.soap_pdf import fmt_date, fmt_time, letterhead
from massage_chart.export.styles import (
    CALM_SHADE,
    FRAME_WIDTH,
    INK,
    RULE,
    Styles,
    para,
    stylesheet,
    table_style,
    trusted,
)

_HOME_CARE = re.compile(r"(?:home\s*care|home\s*program(?:me)?|self[- ]care)\s*:?\s*", re.I)
_SETS_HOLD = re.compile(r"(\d+)\s*[x×]\s*(\d+)\s*(?:s|sec|secs|seconds?)\b", re.I)
_SETS_REPS = re.compile(r"(\d+)\s*[x×]\s*(\d+)(?!\s*(?:s|sec|seconds?|min|minutes?)\b)", re.I)
_HOLD = re.compile(r"hold(?:ing)?\s*(?:for\s*)?(\d+)\s*(?:s|sec|secs|seconds?)\b", re.I)
_REPS = re.compile(
    r"(\d+)\s*(?:reps|repetitions|times\b(?!\s*(?:a|an|per|each)\s+(?:day|week|hour)|\s*daily"
    r"|\s*weekly|\s*hourly))\b",
    re.I,
)
_HOW_OFTEN = (
    (re.compile(r"\b(\d+)\s*(?:x|times)\s*(?:a|per|each|/)\s*day\b|\b(\d+)\s*times\s*daily", re.I),
     "{} times a day"),
    (re.compile(r"\btwice\s*(?:a|per|each)\s*day\b|\btwice\s*daily\b|\bmorning and evening\b",
                re.I), "twice a day"),
    (re.compile(r"\bhourly\b|\bevery\s*hour\b", re.I), "every hour"),
    (re.compile(r"\bdaily\b|\bonce\s*a\s*day\b|\bevery\s*day\b", re.I), "once a day"),
)  # fmt: skip
_MINUTES = re.compile(r"(\d+)\s*(?:min|mins|minutes?)\b", re.I)
_HEAT = re.compile(r"\b(heat|warm|hot|bath|heating pad)\b", re.I)
_ICE = re.compile(r"\b(ice|icing|cold|frozen)\b", re.I)
_STRETCH = re.compile(
    r"\b(stretch\w*|tucks?|glides?|swings?|walks?|rolls?|tilts?|squeezes?|clamshells?|"
    r"extension|rotation|cat-cow|knee-to-chest|exercise\w*)\b",
    re.I,
)
_END = re.compile(r"\b(return as needed|reassess\w*|refer\w*)\b.*$", re.I)

_FREQUENCY = (
    (re.compile(r"\btwice (?:a|per) week|2\s*x\s*/?\s*(?:per\s*)?week", re.I), "twice a week"),
    (re.compile(r"\bweekly\b|\b1\s*x\s*/?\s*(?:per\s*)?week|once a week", re.I), "in about a week"),
    (re.compile(r"every\s*2\s*weeks|every other week|fortnight", re.I), "in about two weeks"),
    (re.compile(r"every\s*3\s*weeks", re.I), "in about three weeks"),
    (re.compile(r"monthly|every\s*4\s*weeks|once a month", re.I), "in about a month"),
    (re.compile(r"as needed|discharge", re.I), "whenever you need us"),
)


INTRO = (
    "Thank you for coming in. Here is a short record of today's session and how to look after "
    "yourself until we see you next."
)
CARE_NOTE = (
    "Stretch gently, to a mild pull and never into pain. Use heat or ice for no more than "
    "15-20 minutes at a time, with a cloth between it and your skin."
)
EXPECT = (
    "Some soreness or tiredness in the treated areas is normal for 24 to 48 hours, much like "
    "after exercise. Drink water, move gently and rest if you need to."
)
CALL_IF = (
    "soreness lasts more than 3 days or keeps getting worse",
    "you bruise, or a treated area becomes swollen, red or hot",
)
URGENT_IF = (
    "sudden, severe pain, or new numbness, tingling or weakness",
    "a swollen, painful, warm calf, or chest pain or shortness of breath: call 911",
)
PAIN_WORDS = {
    "better": "That is a real improvement.",
    "easier": "A little easier than when you arrived.",
    "same": "About the same as when you arrived.",
    "worse": "A little more than when you arrived; tell us if it does not settle.",
}


@dataclass(frozen=True)
class HomeCareItem:
    """One self-care instruction read from the plan.

    Attributes:
        text: the instruction as the therapist wrote it.
        dose: the holds, repetitions and minutes in words ("hold 30 seconds, 3 times").
        kind: "stretch", "heat", "ice" or "tip".
    """

    text: str
    dose: str
    kind: str


def _sentence_case(text: str) -> str:
    text = text.strip().rstrip(".;,")
    return text[:1].upper() + text[1:] if text else text


def _dose(text: str) -> str:
    parts: list[str] = []
    if match := _SETS_HOLD.search(text):
        parts.append(f"hold {match.group(2)} seconds, {match.group(1)} times")
    else:
        if match := _HOLD.search(text):
            parts.append(f"hold {match.group(1)} seconds")
        if match := _SETS_REPS.search(text):
            parts.append(f"{match.group(1)} sets of {match.group(2)}")
        elif match := _REPS.search(text):
            parts.append(f"{match.group(1)} repetitions")
    if (match := _MINUTES.search(text)) and not any(p.startswith("hold") for p in parts):
        parts.append(f"{match.group(1)} minutes")
    for pattern, words in _HOW_OFTEN:
        if match := pattern.search(text):
            count = next((g for g in match.groups() if g), None)
            parts.append(words.format(count) if count else words)
            break
    return ", ".join(parts)


def home_care_items(plan: str) -> list[HomeCareItem]:
    """The home-care instructions in a plan: stretches with holds and reps, heat or ice, tips."""
    match = _HOME_CARE.search(plan)
    text = plan[match.end() :] if match else plan
    text = _END.sub("", text)
    pieces = [p for p in re.split(r";|\.\s+|\n+", text) if p.strip(" .;")]
    items: list[HomeCareItem] = []
    for piece in pieces:
        clean = _sentence_case(piece)
        if not clean:
            continue
        if _ICE.search(clean):
            kind = "ice"
        elif _HEAT.search(clean):
            kind = "heat"
        elif _STRETCH.search(clean) or _dose(clean):
            kind = "stretch"
        elif match:
            kind = "tip"
        else:
            continue  # without a "Home care:" marker, keep only what reads as self-care
        items.append(HomeCareItem(clean, _dose(clean) if kind == "stretch" else "", kind))
    return items


def recommended_interval(snapshot: VisitSnapshot) -> str:
    """When the plan (or the referral) says to come back, in words; "" if it does not say."""
    sources = [snapshot.plan]
    if snapshot.referral is not None:
        sources.append(snapshot.referral.frequency)
    for source in sources:
        for pattern, words in _FREQUENCY:
            if pattern.search(source or ""):
                return words
    return ""


def treated_marks(snapshot: VisitSnapshot) -> list[MarkInfo]:
    """The areas to show the client: treated areas, else the regions of every finding."""
    treated = [m for m in snapshot.marks if m.kind is MarkKind.TREATED]
    if treated:
        return treated
    seen: set[tuple[str, str]] = set()
    out: list[MarkInfo] = []
    for mark in snapshot.marks:
        if not mark.region_id or mark.kind is MarkKind.AVOID:
            continue
        key = (mark.view, mark.region_id)
        if key in seen:
            continue
        seen.add(key)
        inner = load_atlas(mark.atlas_version).region(mark.view, mark.region_id).inner_point
        out.append(
            replace(mark, kind=MarkKind.TREATED, whole_region=True, points=(inner,), intensity=None)
        )
    return out


class PainScale(Flowable):
    """Two bars on a 0-10 scale: pain before and after the session."""

    def __init__(self, before: int | None, after: int | None, width: float) -> None:
        super().__init__()
        self.before = before
        self.after = after
        self.width = width
        self.height = 46.0

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        """Full width, fixed height."""
        return self.width, self.height

    def draw(self) -> None:
        """Draw the two labelled bars."""
        canvas: Canvas = self.canv
        label_w, value_w = 104.0, 44.0
        bar_w = self.width - label_w - value_w
        rows = (("Before your session", self.before, "#e07a5f"), ("After", self.after, "#3fa36b"))
        for index, (label, value, colour) in enumerate(rows):
            y = self.height - 18 - index * 22
            canvas.setFont(fonts.SANS, 9.5)
            canvas.setFillColor(INK)
            canvas.drawString(0, y + 3, label)
            canvas.setFillColor(colors.HexColor("#eef1f4"))
            canvas.roundRect(label_w, y, bar_w, 12, 6, stroke=0, fill=1)
            if value:
                canvas.setFillColor(colors.HexColor(colour))
                canvas.roundRect(label_w, y, max(12.0, bar_w * value / 10), 12, 6, stroke=0, fill=1)
            canvas.setFillColor(INK)
            canvas.setFont(fonts.SANS_BOLD, 10)
            text = "—" if value is None else f"{value} / 10"
            canvas.drawRightString(self.width, y + 2.5, text)


def _heading(text: str, styles: Styles) -> Flowable:
    return as_section_heading(trusted(escape(text), styles.friendly_heading), text)


def _bullets(lines: list[tuple[str, str]], styles: Styles) -> list[Flowable]:
    """Bulleted lines of user text, each with an optional trusted suffix."""
    return [
        para(text, styles.friendly, prefix="•&nbsp;&nbsp;", suffix=suffix) for text, suffix in lines
    ]


def places_worked(snapshot: VisitSnapshot) -> list[str]:
    """Where we worked, in the client's words, each once ("Top of the right shoulder, up to the
    neck"): every region a treated area covers (every finding's region when none was marked
    treated)."""
    atlas = load_atlas()
    region_ids: list[str] = []
    for mark in treated_marks(snapshot):
        region_ids += [region.id for region in placement_of(atlas, mark).regions]
    return [_sentence_case(place) for place in lay_places(region_ids)]


def techniques_done(snapshot: VisitSnapshot) -> list[str]:
    """What we did, in the client's words, each once."""
    done: list[str] = []
    for technique in snapshot.techniques:
        words = _sentence_case(lay_technique(technique))
        if words and words not in done:
            done.append(words)
    return done


def movement_lines(snapshot: VisitSnapshot) -> list[str]:
    """How the client moved and how long they manage an activity, with last time's figure."""
    lines = [rom_change_words(row) for row in rom_rows(snapshot.range_of_motion)]
    earlier = {t.activity: t for t in snapshot.earlier_tolerances}
    for tolerance in snapshot.tolerances:
        line = f"You can {ACTIVITY_VERBS[tolerance.activity]} for {tolerance.minutes} minutes"
        last = earlier.get(tolerance.activity)
        if last is not None and last.minutes != tolerance.minutes:
            line += f" ({last.minutes} minutes last time)"
        lines.append(line + ".")
    return lines


def goal_lines(snapshot: VisitSnapshot) -> list[tuple[str, str]]:
    """Each goal (the therapist's words) with where it stands (plain words), short-term first."""
    ordered = sorted(snapshot.goals, key=lambda goal: goal.term is not GoalTerm.SHORT)
    return [(goal.text, GOAL_STATUS_WORDS[goal.status.value]) for goal in ordered]


def _worked_on(snapshot: VisitSnapshot, styles: Styles) -> list[Flowable]:
    """What was worked on, in words on the left and as a friendly chart on the right."""
    words: list[Flowable] = []
    if snapshot.chief_complaint:
        words.append(
            para(snapshot.chief_complaint, styles.friendly, prefix="<b>You came in for:</b> ")
        )
    marks = treated_marks(snapshot)
    places = places_worked(snapshot)
    if places:
        words.append(trusted("<b>Where we worked:</b>", styles.friendly))
        words += _bullets([(place, "") for place in places], styles)
    done = techniques_done(snapshot)
    if done:
        words.append(trusted("<b>What we did:</b>", styles.friendly))
        words += _bullets([(technique, "") for technique in done], styles)
    words += _response(snapshot, styles)
    heading = _heading("What we worked on", styles)
    if not marks:
        return [heading, *words]
    chart_width = FRAME_WIDTH * 0.42
    chart_cell: list[Flowable] = []
    for views in chart_rows(views_with_marks(marks)):
        height = figure_height_for([v.aspect for v in views], chart_width, maximum=215.0)
        figures = [
            BodyChart(
                v, [m for m in marks if m.view == v.id], height, friendly=True, numbered=False
            )
            for v in views
        ]
        charts = Table([figures], colWidths=[chart_width / len(figures)] * len(figures))
        charts.setStyle(table_style([("ALIGN", (0, 0), (-1, -1), "CENTER")]))
        chart_cell.append(charts)
    chart_cell += [
        trusted("The shaded areas are where we worked today.", stylesheet().centre),
    ]
    layout = Table([[words, chart_cell]], colWidths=[FRAME_WIDTH - chart_width, chart_width])
    layout.setStyle(
        table_style(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (0, -1), 12),
                ("RIGHTPADDING", (1, 0), (1, -1), 0),
            ]
        )
    )
    return [heading, layout]


def pain_words(before: int, after: int) -> str:
    """The change in pain, in a sentence."""
    if before - after >= 2:
        return PAIN_WORDS["better"]
    if after < before:
        return PAIN_WORDS["easier"]
    if after == before:
        return PAIN_WORDS["same"]
    return PAIN_WORDS["worse"]


def generated_sentences(snapshot: VisitSnapshot) -> list[str]:
    """Every sentence the summary writes itself for this visit (not the therapist's words): the
    fixed advice, where we worked and what we did, the pain change, how the client moves, where
    each goal stands. The reading-grade check reads these."""
    sentences = [INTRO, CARE_NOTE, EXPECT]
    sentences += [f"Call us if {line}." for line in CALL_IF]
    sentences += [f"Get medical care right away if you have {line}." for line in URGENT_IF]
    sentences += [f"{place}." for place in places_worked(snapshot)]
    sentences += [f"{technique}." for technique in techniques_done(snapshot)]
    if snapshot.pain_before is not None and snapshot.pain_after is not None:
        sentences.append(pain_words(snapshot.pain_before, snapshot.pain_after))
    sentences += movement_lines(snapshot)
    sentences += [f"This goal is {status}." for _text, status in goal_lines(snapshot)]
    return sentences


def _response(snapshot: VisitSnapshot, styles: Styles) -> list[Flowable]:
    if snapshot.pain_before is None and snapshot.pain_after is None:
        return []
    out: list[Flowable] = [
        Spacer(1, 8),
        trusted("<b>How you responded</b>", styles.friendly),
        trusted(
            "Your pain from 0 (no pain) to 10 (the worst pain you can imagine):",
            styles.small,
        ),
        Spacer(1, 4),
        PainScale(snapshot.pain_before, snapshot.pain_after, FRAME_WIDTH * 0.52),
    ]
    before, after = snapshot.pain_before, snapshot.pain_after
    if before is not None and after is not None:
        out.append(trusted(escape(pain_words(before, after)), styles.friendly))
    return out


def _progress(snapshot: VisitSnapshot, styles: Styles) -> list[Flowable]:
    """How you are moving (range of motion, tolerances) and your goals, when recorded."""
    out: list[Flowable] = []
    moving = movement_lines(snapshot)
    if moving:
        out.append(_heading("How you are moving", styles))
        out += _bullets([(line, "") for line in moving], styles)
    goals = goal_lines(snapshot)
    if goals:
        out.append(_heading("Your goals", styles))
        out += _bullets(
            [(text, f' <font color="#2e7d4f">({escape(status)})</font>') for text, status in goals],
            styles,
        )
    return out


def _home_care(snapshot: VisitSnapshot, styles: Styles) -> list[Flowable]:
    items = home_care_items(snapshot.plan)
    if not items:
        return []
    out: list[Flowable] = [_heading("Your home care", styles)]
    groups = (
        ("stretch", "Stretches and exercises"),
        ("heat", "Heat"),
        ("ice", "Ice"),
        ("tip", "Other tips"),
    )
    for kind, title in groups:
        chosen = [i for i in items if i.kind == kind]
        if not chosen:
            continue
        out.append(trusted(f"<b>{escape(title)}</b>", styles.friendly))
        lines = [
            (item.text, f' <font color="#2e7d4f">({escape(item.dose)})</font>' if item.dose else "")
            for item in chosen
        ]
        out += _bullets(lines, styles)
        out.append(Spacer(1, 3))
    out.append(trusted(escape(CARE_NOTE), styles.small))
    return out


def _what_to_expect(styles: Styles) -> list[Flowable]:
    call, urgent = CALL_IF, URGENT_IF
    box: list[Flowable] = [
        trusted(escape(EXPECT), styles.friendly),
        Spacer(1, 4),
        trusted("<b>Call us if</b>", styles.friendly),
        *_bullets([(c, "") for c in call], styles),
        Spacer(1, 2),
        trusted("<b>Get medical care right away if you have</b>", styles.friendly),
        *_bullets([(u, "") for u in urgent], styles),
    ]
    table = Table([[box]], colWidths=[FRAME_WIDTH])
    table.setStyle(
        table_style(
            [
                ("BACKGROUND", (0, 0), (-1, -1), CALM_SHADE),
                ("BOX", (0, 0), (-1, -1), 0.6, colors.HexColor("#b9dcc6")),
                ("LEFTPADDING", (0, 0), (-1, -1), 10),
                ("RIGHTPADDING", (0, 0), (-1, -1), 10),
                ("TOPPADDING", (0, 0), (-1, -1), 8),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 9),
            ]
        )
    )
    return [KeepTogether([_heading("What to expect", styles), table])]


def _next_and_contact(snapshot: VisitSnapshot, styles: Styles) -> list[Flowable]:
    out: list[Flowable] = [_heading("Your next appointment", styles)]
    if snapshot.next_visit is not None:
        when = snapshot.next_visit
        out.append(
            trusted(
                f"<b>{when:%A}, {escape(fmt_date(when.date()))} at {escape(fmt_time(when))}</b>",
                styles.friendly,
            )
        )
    else:
        interval = recommended_interval(snapshot)
        if interval:
            out.append(
                trusted(
                    f"We recommend your next visit <b>{escape(interval)}</b>. "
                    "Call or email us to book.",
                    styles.friendly,
                )
            )
        else:
            out.append(
                trusted("Call or email us whenever you would like to book.", styles.friendly)
            )
    provider = snapshot.provider
    practice = snapshot.practice
    contact: list[Flowable] = []
    if provider is not None:
        contact.append(para(provider.display_name, styles.value_bold, prefix="Your therapist: "))
        licence = provider.license_number
        if licence:
            where = f" ({provider.license_jurisdiction})" if provider.license_jurisdiction else ""
            contact.append(para(f"Licence {licence}{where}", styles.small))
        reach = "  ·  ".join(x for x in (provider.phone, provider.email) if x)
        if reach:
            contact.append(para(reach, styles.small))
    lines = [
        practice.name,
        practice.address,
        "  ·  ".join(x for x in (practice.phone, practice.email, practice.website) if x),
    ]
    contact.append(Spacer(1, 3))
    contact.append(para("\n".join(x for x in lines if x), styles.small))
    table = Table([[contact]], colWidths=[FRAME_WIDTH])
    table.setStyle(
        table_style(
            [
                ("LINEABOVE", (0, 0), (-1, 0), 0.6, RULE),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 8),
            ]
        )
    )
    out += [Spacer(1, 6), KeepTogether([table])]
    return out


def summary_flowables(snapshot: VisitSnapshot) -> list[Flowable]:
    """The flowables of the summary, in reading order."""
    styles = stylesheet()
    client = snapshot.client
    name = client.preferred_name or client.first_name or client.full_name
    when = f"{fmt_date(snapshot.start.date())}, {fmt_time(snapshot.start)}"
    story: list[Flowable] = [
        letterhead(snapshot, "Your Visit Summary", f"Visit on {when}", styles),
        Spacer(1, 10),
        para(name, styles.friendly, prefix="Hi ", suffix=","),
        trusted(escape(INTRO), styles.friendly),
    ]
    if snapshot.integrity_failed:
        story.append(
            trusted(
                "<b>This record failed its integrity check; ask the practice for a corrected "
                "copy.</b>",
                styles.banner,
            )
        )
    story += _worked_on(snapshot, styles)
    story += _progress(snapshot, styles)
    story += _home_care(snapshot, styles)
    story += _what_to_expect(styles)
    story += _next_and_contact(snapshot, styles)
    return story


def render_summary_pdf(snapshot: VisitSnapshot) -> bytes:
    """The client visit summary of one visit, as PDF bytes."""
    client = snapshot.client
    integrity_failed = snapshot.integrity_failed
    marks = PageMarks(
        footer=f"{fonts.isolate(client.full_name)}  ·  Visit on {fmt_date(snapshot.start.date())}",
        watermark="INTEGRITY FAILURE" if integrity_failed else "",
        watermark_colour=colors.Color(0.9, 0.55, 0.58),
        title=f"Visit summary: {client.full_name}, {snapshot.start.date().isoformat()}",
        author=snapshot.provider.display_name if snapshot.provider else "",
        subject=f"Visit {snapshot.id}",
    )
    return build_pdf(summary_flowables(snapshot), marks)
