"""Placing the numbers of a body chart: at the mark when free, else the nearest free spot, never off."""

from __future__ import annotations

import itertools
import math

from massage_chart.export.label_placement import (
    GAP,
    Label,
    candidates,
    clusters,
    distance_to_box,
    inside,
    overlaps,
    place_labels,
)

BOUNDS = (0.0, 0.0, 130.0, 260.0)


def label(number: int, x: float, y: float, clearance: float = 0.0) -> Label:
    return Label(number, (x, y), 9.0, 9.0, clearance)


def test_a_number_with_room_sits_on_its_mark_without_a_leader() -> None:
    placement = place_labels([label(1, 60, 100)], BOUNDS)
    (placed,) = placement.placed
    assert placed.centre == (60, 100)
    assert not placed.leader
    assert placement.unplaced == ()


def test_two_numbers_on_one_mark_never_overlap_and_the_moved_one_has_a_leader() -> None:
    placement = place_labels([label(1, 60, 100), label(2, 60, 100)], BOUNDS)
    first, second = placement.placed
    assert first.centre == (60, 100)
    assert not overlaps(first.box, second.box, GAP - 1e-6)
    assert second.leader
    start, end = second.leader_line()
    assert distance_to_box(end, first.box) == 0.0  # it reaches the mark, under the first number
    assert distance_to_box(start, second.box) < 1e-9


def test_the_nearest_free_spot_is_taken() -> None:
    placement = place_labels([label(1, 60, 100), label(2, 60, 100)], BOUNDS)
    second = placement.placed[1]
    # A box 9 high with a gap of 0.8 needs its centre 9.8 away; the rings step by 2.5 points.
    assert 9.8 <= math.dist(second.centre, (60, 100)) <= 12.5


def test_numbers_never_leave_the_figure_box() -> None:
    corner = [label(n, 1.0, 259.0) for n in range(1, 9)]
    placement = place_labels(corner, BOUNDS, max_radius=40)
    assert len(placement.placed) == 8
    for placed in placement.placed:
        assert inside(placed.box, BOUNDS)


def test_a_number_never_covers_a_glyph_or_its_own_mark() -> None:
    glyph = (55.0, 95.0, 65.0, 105.0)
    placement = place_labels([label(1, 60, 100, clearance=5.0)], BOUNDS, obstacles=[glyph])
    (placed,) = placement.placed
    assert not overlaps(placed.box, glyph)
    assert placed.distance >= 5.0
    assert not placed.leader  # beside its glyph: no line needed
    _, end = placed.leader_line()
    assert math.isclose(math.dist(end, (60, 100)), 5.0)


def test_a_crowd_of_numbers_all_find_separate_places() -> None:
    crowd = [label(n, 60 + (n % 3), 100 + (n % 2)) for n in range(1, 13)]
    placement = place_labels(crowd, BOUNDS, max_radius=40)
    assert [p.label.number for p in placement.placed] == list(range(1, 13))
    for a, b in itertools.combinations(placement.placed, 2):
        assert not overlaps(a.box, b.box), (a.label.number, b.label.number)


def test_a_number_with_no_room_is_reported_not_dropped_on_another() -> None:
    tight = (0.0, 0.0, 20.0, 10.0)  # room for one box 9 wide, not for two with their gap
    placement = place_labels([label(1, 10, 5), label(2, 10, 5), label(3, 10, 5)], tight)
    assert [p.label.number for p in placement.placed] == [1]
    assert [lab.number for lab in placement.unplaced] == [2, 3]


def test_numbers_already_on_the_figure_are_respected() -> None:
    taken = (50.0, 90.0, 70.0, 110.0)
    placement = place_labels([label(1, 60, 100)], BOUNDS, taken=[taken])
    assert not overlaps(placement.placed[0].box, taken, GAP - 1e-6)


def test_candidates_go_outwards_ring_by_ring_the_same_way_every_time() -> None:
    spots = candidates((0.0, 0.0), 10.0)
    assert spots[0] == (0.0, 0.0)
    distances = [math.hypot(x, y) for x, y in spots]
    assert distances == sorted(distances, key=lambda d: round(d, 6))
    assert len(spots) == 1 + 8 + 16 + 24 + 32
    assert spots == candidates((0.0, 0.0), 10.0)


def test_clusters_link_marks_closer_than_the_radius() -> None:
    points = [(0.0, 0.0), (8.0, 0.0), (16.0, 0.0), (100.0, 0.0), (105.0, 3.0)]
    assert clusters(points, 10.0) == [[0, 1, 2], [3, 4]]
    assert clusters(points, 5.0) == [[0], [1], [2], [3], [4]]
