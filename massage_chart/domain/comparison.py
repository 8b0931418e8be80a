"""Findings of a visit compared with the previous visit's: one rule for the chart, note and PDF."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from massage_chart.domain.findings import MarkFinding, body_order, in_sentence, region_stem
from massage_chart.domain.marks import MarkKind, Side
from massage_chart.domain.presentation import ARROW, format_pain_score

MEANINGFUL_CHANGE = 2
"""A change of at least 2 points on the 0-10 scale is clinically meaningful (DOMAIN.md §3.4)."""

UNSPECIFIED_AREA = "unspecified area"
"""How a finding charted off the body (without a region) is named."""


class ChangeKind(enum.Enum):
    """How one finding changed between two visits."""

    NEW = "new"
    RESOLVED = "resolved"
    WORSE = "worse"
    BETTER = "better"
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class FindingChange:
    """One finding of this visit or the previous one, and how it changed.

    Attributes:
        kind: the mark kind.
        region_id: the atlas region with its side ("upper_trapezius.r"); "" off the body.
        label: the region as it reads in a sentence ("R upper trapezius").
        side: the client's side.
        change: new, resolved, worse, better or unchanged.
        before: the intensity last visit (None if absent or not rated).
        after: the intensity this visit (None if absent or not rated).
        before_id: the previous visit's mark ("" for a new finding or one not read from a chart).
        after_id: this visit's mark ("" for a resolved finding or one not read from a chart).
    """

    kind: MarkKind
    region_id: str
    label: str
    side: Side
    change: ChangeKind
    before: int | None = None
    after: int | None = None
    before_id: str = ""
    after_id: str = ""

    @property
    def delta(self) -> int | None:
        """After minus before, when both were rated."""
        if self.before is None or self.after is None:
            return None
        return self.after - self.before

    @property
    def meaningful(self) -> bool:
        """Whether the intensity moved by at least two points."""
        return self.delta is not None and abs(self.delta) >= MEANINGFUL_CHANGE


CHANGE_ORDER: tuple[ChangeKind, ...] = (
    ChangeKind.NEW,
    ChangeKind.WORSE,
    ChangeKind.BETTER,
    ChangeKind.RESOLVED,
    ChangeKind.UNCHANGED,
)
"""The order changes are listed in, on the screen and in the note."""

_KIND_ORDER = {kind: index for index, kind in enumerate(MarkKind)}
_Place = tuple[MarkKind, str, Side]


def _place(finding: MarkFinding) -> _Place:
    return (finding.kind, finding.region_id, finding.side)


def _rating(finding: MarkFinding) -> int | None:
    """The intensity, for kinds that take one."""
    return finding.intensity if finding.kind.legend.has_intensity else None


def _pair_cost(before: MarkFinding, after: MarkFinding) -> tuple[int, int, int, int]:
    """How well two findings at one place pair up; the smallest pairs first.

    Two rated findings come first, the nearest intensities first and, when two pairs are as near,
    the higher intensities first (the stronger finding is the one that persisted). Then two
    unrated findings, then a rated with an unrated one (the higher rated one first). What is
    still tied reads the same whichever pair is taken; charting order decides.
    """
    old, new = _rating(before), _rating(after)
    if old is not None and new is not None:
        return (0, abs(old - new), -old, -new)
    if old is None and new is None:
        return (1, 0, 0, 0)
    return (2, 0, -(old if old is not None else new or 0), 0)


def _pairs(
    previous: Sequence[MarkFinding], current: Sequence[MarkFinding]
) -> list[tuple[int, int]]:
    """Indexes (previous, current) of the findings that are the same finding at both visits."""
    pairs: list[tuple[int, int]] = []
    paired_old: set[int] = set()
    paired_new: set[int] = set()
    index_of = {f.mark_id: i for i, f in enumerate(previous) if f.mark_id}
    for j, finding in enumerate(current):
        i = index_of.get(finding.carried_from_id or "")
        if i is not None and i not in paired_old and _place(previous[i]) == _place(finding):
            pairs.append((i, j))
            paired_old.add(i)
            paired_new.add(j)
    places: dict[_Place, tuple[list[int], list[int]]] = {}
    for i, finding in enumerate(previous):
        if i not in paired_old:
            places.setdefault(_place(finding), ([], []))[0].append(i)
    for j, finding in enumerate(current):
        if j not in paired_new:
            places.setdefault(_place(finding), ([], []))[1].append(j)
    for olds, news in places.values():
        candidates = sorted((_pair_cost(previous[i], current[j]), i, j) for i in olds for j in news)
        for _cost, i, j in candidates:
            if i not in paired_old and j not in paired_new:
                pairs.append((i, j))
                paired_old.add(i)
                paired_new.add(j)
    return pairs


def _label(finding: MarkFinding) -> str:
    if not finding.region_id and not finding.region_label:
        return UNSPECIFIED_AREA
    return in_sentence(finding.region_label or finding.region_id) or UNSPECIFIED_AREA


def _change(
    change: ChangeKind,
    finding: MarkFinding,
    before: MarkFinding | None,
    after: MarkFinding | None,
) -> FindingChange:
    """The change of ``finding`` (this visit's, or the previous visit's when resolved)."""
    return FindingChange(
        kind=finding.kind,
        region_id=finding.region_id,
        label=_label(finding),
        side=finding.side,
        change=change,
        before=_rating(before) if before is not None else None,
        after=_rating(after) if after is not None else None,
        before_id=before.mark_id if before is not None else "",
        after_id=after.mark_id if after is not None else "",
    )


def compare_findings(
    previous: Iterable[MarkFinding], current: Iterable[MarkFinding]
) -> list[FindingChange]:
    """What changed since the previous visit, one change per finding.

    Only findings are compared: treated areas and areas to avoid are left out. Each finding of
    this visit is matched with at most one of the previous visit, in two steps:

    1. A mark copied forward is the same finding as the mark it was copied from, as long as it
       still lies on the same region and side (moved elsewhere, it is matched like any other).
    2. The rest are paired on the same kind, region and side (left and right are different
       findings) by nearest intensity: the closest intensities pair first and, when two pairs
       are as close, the higher intensities pair first. Unrated findings pair with each other
       first, then with rated ones (the highest first); charting order breaks what is left of
       a tie, which changes no wording.

    A paired finding is better or worse when both visits rated it and the intensity fell or
    rose, and unchanged otherwise; an unpaired finding of this visit is new, and one of the
    previous visit resolved. Example: trigger points on the R upper trapezius at 7 and 3 last
    visit and one at 5 now: the 7 eased to 5 (better) and the 3 resolved.

    Results are ordered new, worse, better, resolved, unchanged; head to toe within each, then
    by kind, then in charting order.
    """
    old = [f for f in previous if f.kind.legend.finding]
    new = [f for f in current if f.kind.legend.finding]
    pairs = _pairs(old, new)
    paired_old = {i for i, _ in pairs}
    after_of = {j: i for i, j in pairs}
    changes: list[FindingChange] = []
    for j, after in enumerate(new):
        i = after_of.get(j)
        if i is None:
            changes.append(_change(ChangeKind.NEW, after, None, after))
            continue
        before = old[i]
        was, now = _rating(before), _rating(after)
        if was is not None and now is not None and now > was:
            kind = ChangeKind.WORSE
        elif was is not None and now is not None and now < was:
            kind = ChangeKind.BETTER
        else:
            kind = ChangeKind.UNCHANGED
        changes.append(_change(kind, after, before, after))
    for i, before in enumerate(old):
        if i not in paired_old:
            changes.append(_change(ChangeKind.RESOLVED, before, before, None))
    rank = {kind: index for index, kind in enumerate(CHANGE_ORDER)}
    changes.sort(
        key=lambda c: (
            rank[c.change],
            body_order(region_stem(c.region_id)),
            c.region_id,
            _KIND_ORDER[c.kind],
        )
    )
    return changes


# Wording -------------------------------------------------------------------------------------

FINDING_NAMES: dict[MarkKind, str] = {
    MarkKind.TRIGGER_POINT_ACTIVE: "active trigger point",
    MarkKind.TRIGGER_POINT_LATENT: "latent trigger point",
    MarkKind.TENDER_POINT: "tender point",
    MarkKind.PAIN: "pain",
    MarkKind.REFERRED_PAIN: "referred pain",
    MarkKind.HYPERTONICITY: "hypertonicity",
    MarkKind.SPASM: "spasm",
    MarkKind.SCAR: "scar",
    MarkKind.ADHESION: "adhesion",
    MarkKind.INFLAMMATION: "inflammation",
    MarkKind.NUMBNESS: "numbness",
    MarkKind.PARESTHESIA: "paresthesia",
    MarkKind.BURNING: "burning",
    MarkKind.ACHING: "aching",
    MarkKind.STABBING: "sharp / stabbing pain",
    MarkKind.BRUISE: "bruising",
    MarkKind.TREATED: "treated",
    MarkKind.AVOID: "area avoided",
}
"""Each kind as it reads inside a sentence of the note."""

CHANGE_HEADINGS: dict[ChangeKind, str] = {
    ChangeKind.NEW: "New",
    ChangeKind.WORSE: "Worse",
    ChangeKind.BETTER: "Better",
    ChangeKind.RESOLVED: "Resolved",
    ChangeKind.UNCHANGED: "Unchanged",
}


def change_phrase(change: FindingChange, count: int = 1) -> str:
    """One change in words, without its heading: "active trigger point R upper trapezius 7/10 →
    5/10"; ``count`` identical changes read "... x2"."""
    head = f"{FINDING_NAMES[change.kind]} {change.label}"
    if count > 1:
        head = f"{head} x{count}"
    before, after = change.before, change.after
    if change.change in (ChangeKind.WORSE, ChangeKind.BETTER):
        return f"{head} {format_pain_score(before)} {ARROW} {format_pain_score(after)}"
    if change.change is ChangeKind.NEW:
        return f"{head} ({after}/10)" if after is not None else head
    if change.change is ChangeKind.RESOLVED:
        return f"{head} (was {before}/10)" if before is not None else head
    if before is not None and after is not None:
        return f"{head} ({after}/10)"
    if before is not None:
        return f"{head} (was {before}/10; not rated this visit)"
    if after is not None:
        return f"{head} ({after}/10; not rated last visit)"
    return head


def change_line(change: FindingChange) -> str:
    """One change as a line of the chart's list: "Better: active trigger point R upper
    trapezius 7/10 → 5/10" (the same words as the note's)."""
    return f"{CHANGE_HEADINGS[change.change]}: {change_phrase(change)}"


def describe_changes(changes: Iterable[FindingChange]) -> str:
    """The changes as the note's sentences, unchanged findings left out.

    Example: "New: active trigger point L levator scapulae (5/10). Better: active trigger point
    R upper trapezius 7/10 → 5/10. Resolved: active trigger point R upper trapezius (was
    3/10)." Identical changes are counted: "New: pain R heel x2 (5/10)."
    """
    counts: dict[ChangeKind, dict[str, tuple[FindingChange, int]]] = {}
    for change in changes:
        if change.change is ChangeKind.UNCHANGED:
            continue
        same = counts.setdefault(change.change, {})
        key = change_phrase(change)
        first, count = same.get(key, (change, 0))
        same[key] = (first, count + 1)
    return " ".join(
        f"{CHANGE_HEADINGS[kind]}: "
        + ", ".join(change_phrase(first, count) for first, count in counts[kind].values())
        + "."
        for kind in CHANGE_ORDER
        if kind in counts
    )
