"""Generate version 3 of the body-chart atlas (resources/atlas/v3/): the anterior and posterior
figures redrawn so that their regions are the muscles they name, with light fibre lines, and the
deep layers rebuilt on them; needs shapely.

Run from the repository root: ``python scripts/build_atlas_v3.py``. The silhouettes are version
1's (``build_atlas``); what changes is how they are cut. The trapezius is one kite in three parts
(descending, transverse and ascending fibres), with the levator scapulae, rhomboids and
supraspinatus beneath it moved to the deep layer; the deltoid is a cap that narrows to its
tuberosity; the pectoralis major fans from the clavicle and sternum to the arm; the gluteus
maximus lies obliquely from the sacrum to the thigh; the gastrocnemius heads are two bellies; the
rectus femoris a spindle. Version 3 keeps every other region of version 2 under its id, so each
unsigned chart moves to it region by region (``"moved"`` in the index names the regions that
went to the deep layer). Released versions never change: a redrawing is written as a new one.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path

from shapely.geometry import LineString
from shapely.geometry.base import BaseGeometry

sys.path.insert(0, str(Path(__file__).resolve().parent))

from build_atlas import (
    ARM,
    LARM,
    FibreMap,
    Pt,
    Spec,
    above,
    anterior_specs,
    below,
    build_front_view,
    build_lateral,
    half_plane_right,
    lateral_specs,
    poly,
    posterior_specs,
    smooth,
    spec,
    spline,
    write_view,
)
from build_detail_views import DEEP_ANTERIOR, DEEP_POSTERIOR, deep_view, write_index

ROOT = Path(__file__).resolve().parent.parent
ATLAS_DIR = ROOT / "resources" / "atlas"
VERSION = 3

# fmt: off
# --------------------------------------------------------------------------------------------
# Fibre lines: strands from an origin curve to an insertion curve, clipped to their region.


def _along(curve: Sequence[Pt], t: float) -> Pt:
    """The point a fraction ``t`` of the way along a polyline."""
    line = LineString(curve)
    p = line.interpolate(t * line.length)
    return (p.x, p.y)


def strands(
    start: Sequence[Pt], end: Sequence[Pt], n: int, bow: float = 0.0
) -> list[list[Pt]]:
    """``n`` fibres, the i-th from ``start`` toward ``end`` at the same fraction of each; ``bow``
    bends each one sideways by that fraction of its length (a gentle curve). Each stops short
    of its end (``REACH``), so fibres that converge on a tendon do not run into a blot."""
    lines = []
    for i in range(n):
        t = (i + 0.5) / n
        a, far = _along(start, t), _along(end, t)
        b = (a[0] + (far[0] - a[0]) * REACH, a[1] + (far[1] - a[1]) * REACH)
        mx, my = (a[0] + b[0]) / 2, (a[1] + b[1]) / 2
        dx, dy = b[0] - a[0], b[1] - a[1]
        mid = (mx - dy * bow, my + dx * bow)
        lines.append(spline([a, mid, b], per_segment=8) if bow else [a, b])
    return lines


def clipped(lines: list[list[Pt]], area: BaseGeometry, inset: float = 0.0016) -> list[list[Pt]]:
    """The stretches of ``lines`` inside ``area`` (kept clear of its edge by ``inset``)."""
    inner = area.buffer(-inset)
    out: list[list[Pt]] = []
    for line in lines:
        cut = LineString(line).intersection(inner)
        for piece in getattr(cut, "geoms", [cut]):
            if isinstance(piece, LineString) and piece.length > 0.005:
                out.append([(x, y) for x, y, *_ in piece.coords])
    return out


REACH = 0.86  # how far along toward its insertion a fibre line is drawn

FibreSpec = tuple[Sequence[Pt], Sequence[Pt], int, float]


def fibres_of(
    table: dict[str, FibreSpec], lines: dict[str, list[list[Pt]]] | None = None
) -> FibreMap:
    """A fibre map for ``build_front_view``: each region's strands (and any contour ``lines``
    of its own, such as tendinous intersections), clipped to it."""

    def draw(regions: dict[str, BaseGeometry]) -> list[list[Pt]]:
        out: list[list[Pt]] = []
        for stem, (start, end, n, bow) in table.items():
            out.extend(clipped(strands(start, end, n, bow), regions[stem]))
        for stem, own in (lines or {}).items():
            out.extend(clipped(own, regions[stem], inset=0.0))
        return out

    return draw


def arm(points: Sequence[Pt]) -> list[Pt]:
    """Points given along the arm (u down the arm from the shoulder joint, v across it)."""
    return ARM.line(list(points))


# --------------------------------------------------------------------------------------------
# Regions: version 1's specs with the zones that change, in the order they are cut.


def revised(specs: list[Spec], order: Sequence[str], zones: dict[str, BaseGeometry]) -> list[Spec]:
    """Version 1's specs in a new priority order, with new zones where given (a region keeps
    its name: it means the same place)."""
    by_stem = {s.stem: s for s in specs}
    missing = set(by_stem) - set(order) - DEEPENED
    if missing:
        raise SystemExit(f"regions left out of the order: {sorted(missing)}")
    out = []
    for stem in order:
        s = by_stem[stem]
        out.append(Spec(s.stem, s.name, zones.get(stem, s.zone), s.parts, s.deep, s.flags))
    return out


# Surface regions of version 2's posterior that lie under the trapezius kite: on the deep
# layer from version 3.
DEEPENED = {"levator_scapulae", "rhomboid", "supraspinatus"}

# Landmarks of the back (world units, viewer's right half = client's right).
SPINE_OF_SCAPULA = [(0.0, 0.7980), (0.0075, 0.7980), (0.0310, 0.8100), (0.0600, 0.8105),
                    (0.0900, 0.8115), (0.1080, 0.8135), (0.2000, 0.8150)]
UPPER_TRAP_LOW = [(0.0, 0.8520), (0.0075, 0.8520), (0.0350, 0.8350), (0.0700, 0.8240),
                  (0.1000, 0.8190), (0.2000, 0.8170)]
SCAP_MEDIAL = [(0.0320, 0.8320), (0.0310, 0.8120), (0.0335, 0.7850), (0.0390, 0.7660),
               (0.0440, 0.7600)]
SCAP_LATERAL = [(0.0440, 0.7600), (0.0560, 0.7700), (0.0750, 0.7850), (0.0920, 0.8000)]
TERES_LOW = [(0.0, 0.7600), (0.0440, 0.7575), (0.0700, 0.7570), (0.0900, 0.7560),
             (0.2000, 0.7550)]  # the posterior axillary fold: teres major rising to the arm
ILIAC_CREST = [(0.0, 0.5850), (0.0300, 0.5850), (0.0460, 0.5900), (0.0600, 0.6000),
               (0.0750, 0.6060), (0.0900, 0.6000), (0.2000, 0.5900)]
QL_LATERAL = [(0.0750, 0.7000), (0.0750, 0.5500)]
RIB12 = [(0.0, 0.6950), (0.0200, 0.6850), (0.0460, 0.6680), (0.0700, 0.6580), (0.2000, 0.6450)]
ERECTOR = [(0.0470, 0.9000), (0.0460, 0.7600), (0.0440, 0.7000), (0.0460, 0.6600),
           (0.0470, 0.5000)]
# The piriformis band lies where the deep layer draws the muscle: from the side of the sacrum to
# the top of the greater trochanter.
GLUT_MAX_TOP = [(0.0, 0.5720), (0.0240, 0.5700), (0.0500, 0.5600), (0.0700, 0.5500),
                (0.0920, 0.5370), (0.2000, 0.5300)]
PIRIFORMIS_LOW = [(0.0, 0.5530), (0.0260, 0.5520), (0.0500, 0.5440), (0.0700, 0.5340),
                  (0.0920, 0.5200), (0.2000, 0.5120)]
GLUT_MAX_LOW = [(0.0, 0.4950), (0.0100, 0.4880), (0.0350, 0.4740), (0.0600, 0.4620),
                (0.0880, 0.4480), (0.2000, 0.4400)]
HAMSTRING_SPLIT = [(0.0330, 0.6000), (0.0330, 0.4700), (0.0450, 0.4200), (0.0540, 0.3600),
                   (0.0600, 0.3160), (0.0620, 0.2800)]
DELTOID_APEX_BACK = (0.1360, 0.7130)


def posterior_v3() -> tuple[list[Spec], list[Spec]]:
    mid, paired = posterior_specs()
    zones: dict[str, BaseGeometry] = {
        "middle_deltoid": poly([(0.1180, 0.8150), (0.2000, 0.8350), (0.2000, 0.7000),
                                DELTOID_APEX_BACK, (0.1270, 0.7600), (0.1220, 0.8000)]),
        "posterior_deltoid": smooth([(0.0660, 0.8122), (0.0900, 0.8118), (0.1080, 0.8135),
                                     (0.1180, 0.8150), (0.1220, 0.8000), (0.1270, 0.7600),
                                     DELTOID_APEX_BACK, (0.1200, 0.7240), (0.1050, 0.7420),
                                     (0.0920, 0.7630), (0.0820, 0.7850), (0.0720, 0.8030)],
                                    per_segment=3),
        "upper_trapezius": above(UPPER_TRAP_LOW),
        "middle_trapezius": above(SPINE_OF_SCAPULA),
        "lower_trapezius": smooth([(0.0, 0.8000), (0.0310, 0.8100), (0.0340, 0.7900),
                                   (0.0350, 0.7750), (0.0300, 0.7520), (0.0220, 0.7300),
                                   (0.0140, 0.7100), (0.0080, 0.6930), (0.0, 0.6900)],
                                  per_segment=4),
        "infraspinatus": below(SPINE_OF_SCAPULA).intersection(half_plane_right(SCAP_MEDIAL))
        .intersection(above(SCAP_LATERAL)),
        "teres": below(SCAP_LATERAL).intersection(above(TERES_LOW)).intersection(
            half_plane_right([(0.0400, 0.9), (0.0400, 0.6)])),
        "thoracic_erector": below([(0.0, 0.8000), (0.0340, 0.7900), *TERES_LOW[1:]]).intersection(above(RIB12)).difference(
            half_plane_right(ERECTOR)),
        # The quadratus lumborum is charted beside the erectors; lateral to it the latissimus
        # sweeps from the pelvic rim and the lumbar fascia up to the arm.
        "quadratus_lumborum": below(RIB12).intersection(above(ILIAC_CREST)).intersection(
            half_plane_right(ERECTOR)).difference(half_plane_right(QL_LATERAL)),
        "latissimus": below(TERES_LOW).intersection(above(ILIAC_CREST)).intersection(
            half_plane_right(ERECTOR)),
        "sacroiliac": smooth([(0.0180, 0.5900), (0.0400, 0.5900), (0.0450, 0.5750),
                              (0.0390, 0.5590), (0.0260, 0.5550), (0.0170, 0.5660)],
                             per_segment=4),
        "gluteus_medius": above(GLUT_MAX_TOP).intersection(below([(0.0, 0.6100),
                                                                  (0.2000, 0.6100)])),
        "piriformis_area": below(GLUT_MAX_TOP).intersection(above(PIRIFORMIS_LOW)),
        "gluteus_maximus": below(PIRIFORMIS_LOW).intersection(above(GLUT_MAX_LOW)),
        "medial_hamstring": above([(0, 0.3000), (0.3, 0.3000)]).difference(
            half_plane_right(HAMSTRING_SPLIT)),
        "lateral_hamstring": above([(0, 0.3000), (0.3, 0.3000)]).intersection(
            half_plane_right(HAMSTRING_SPLIT)),
        "gastrocnemius_medial": smooth([(0.0150, 0.3030), (0.0610, 0.3030), (0.0630, 0.2500),
                                        (0.0620, 0.2050), (0.0580, 0.1750), (0.0490, 0.1600),
                                        (0.0400, 0.1680), (0.0330, 0.1950), (0.0260, 0.2300),
                                        (0.0150, 0.2600)],
                                       per_segment=4),
        "gastrocnemius_lateral": smooth([(0.0640, 0.3030), (0.1100, 0.3030), (0.1100, 0.2300),
                                         (0.0950, 0.1980), (0.0830, 0.1800), (0.0720, 0.1740),
                                         (0.0660, 0.1880), (0.0640, 0.2400)], per_segment=4),
    }
    order = [
        "occipital", "suboccipital", "posterior_cervical", "middle_deltoid", "posterior_deltoid",
        "upper_trapezius", "middle_trapezius", "lower_trapezius", "infraspinatus", "teres",
        "thoracic_erector", "lumbar_erector", "quadratus_lumborum", "latissimus", "sacroiliac",
        "lateral_hip", "gluteus_medius", "piriformis_area", "ischial_tuberosity",
        "gluteus_maximus", "popliteal", "medial_hamstring", "lateral_hamstring", "achilles",
        "gastrocnemius_medial", "gastrocnemius_lateral", "soleus", "heel", "plantar_foot",
        "lateral_elbow", "olecranon", "triceps", "forearm_extensors", "fingers_dorsal",
        "dorsal_hand",
    ]
    return mid, revised(paired, order, zones)


POSTERIOR_FIBRES: dict[str, FibreSpec] = {
    "upper_trapezius": ([(0.0080, 0.8600), (0.0340, 0.8580)],
                        [(0.0400, 0.8420), (0.1150, 0.8200)], 7, 0.06),
    "middle_trapezius": ([(0.0080, 0.8520), (0.0080, 0.8000)],
                         [(0.1150, 0.8170), (0.0330, 0.8110)], 7, 0.0),
    "lower_trapezius": ([(0.0080, 0.7960), (0.0080, 0.6940)],
                        [(0.0320, 0.8100), (0.0340, 0.8040)], 6, 0.0),
    "posterior_deltoid": ([(0.0700, 0.8120), (0.1180, 0.8160)],
                          [(0.1330, 0.7150), (0.1370, 0.7130)], 6, 0.04),
    "middle_deltoid": ([(0.1200, 0.8180), (0.1450, 0.8000)],
                       [(0.1360, 0.7140), (0.1400, 0.7130)], 3, 0.0),
    "infraspinatus": ([(0.0330, 0.8050), (0.0420, 0.7640)],
                      [(0.0950, 0.8060), (0.0960, 0.7980)], 6, 0.0),
    "teres": ([(0.0450, 0.7600), (0.0650, 0.7760)],
              [(0.0980, 0.7680), (0.1000, 0.7560)], 3, 0.0),
    "latissimus": ([(0.0460, 0.7400), (0.0470, 0.6400), (0.0660, 0.6020), (0.0900, 0.6000)],
                   [(0.0940, 0.7580), (0.0970, 0.7480)], 9, -0.04),
    "thoracic_erector": ([(0.0140, 0.7900), (0.0440, 0.7600)],
                         [(0.0150, 0.6800), (0.0440, 0.6700)], 3, 0.0),
    "lumbar_erector": ([(0.0150, 0.6800), (0.0450, 0.6700)],
                       [(0.0150, 0.5800), (0.0450, 0.5900)], 3, 0.0),
    "quadratus_lumborum": ([(0.0500, 0.5950), (0.0640, 0.6000)],
                           [(0.0490, 0.6700), (0.0600, 0.6620)], 2, 0.0),
    "gluteus_medius": ([(0.0420, 0.5950), (0.0900, 0.6050)],
                       [(0.0860, 0.5300), (0.0910, 0.5240)], 6, 0.0),
    "piriformis_area": ([(0.0240, 0.5610), (0.0250, 0.5600)],
                        [(0.1000, 0.5290), (0.1000, 0.5280)], 1, 0.0),
    "gluteus_maximus": ([(0.0250, 0.5700), (0.0060, 0.4900)],
                        [(0.0950, 0.5050), (0.0900, 0.4450)], 8, 0.0),
    "medial_hamstring": ([(0.0200, 0.4800), (0.0330, 0.4750)],
                         [(0.0320, 0.3050), (0.0560, 0.3050)], 4, 0.0),
    "lateral_hamstring": ([(0.0350, 0.4750), (0.0880, 0.4400)],
                          [(0.0640, 0.3050), (0.0880, 0.3050)], 4, 0.0),
    "gastrocnemius_medial": ([(0.0300, 0.3000), (0.0600, 0.2600)],
                             [(0.0450, 0.1650), (0.0600, 0.1700)], 4, 0.0),
    "gastrocnemius_lateral": ([(0.0650, 0.2600), (0.0900, 0.2900)],
                              [(0.0660, 0.1800), (0.0800, 0.1780)], 4, 0.0),
    "achilles": ([(0.0660, 0.1600), (0.0730, 0.1600)], [(0.0700, 0.0400), (0.0760, 0.0400)],
                 2, 0.0),
    "triceps": (arm([(0.040, -0.030), (0.040, 0.030)]), arm([(0.172, -0.014), (0.172, 0.014)]),
                4, 0.0),
    "forearm_extensors": (arm([(0.215, -0.022), (0.215, 0.022)]),
                          arm([(0.335, -0.016), (0.335, 0.016)]), 4, 0.0),
}

# Landmarks of the front (world units, viewer's right half = client's left).
CLAVICLE = [(0.0, 0.8185), (0.0060, 0.8180), (0.0300, 0.8145), (0.0600, 0.8135),
            (0.0900, 0.8165), (0.1130, 0.8185), (0.1500, 0.8200)]
DELTOPECTORAL = [(0.0740, 0.8300), (0.0740, 0.8135), (0.0800, 0.8000), (0.0900, 0.7820),
                 (0.0960, 0.7700), (0.1040, 0.7480), (0.1180, 0.7270)]
DELTOID_APEX_FRONT = (0.1400, 0.7060)
PEC_SPLIT = [(0.0, 0.8000), (0.0300, 0.7950), (0.0600, 0.7870), (0.0940, 0.7740)]
SEMILUNAR = [(0.0460, 0.7600), (0.0460, 0.7000), (0.0440, 0.6400), (0.0410, 0.6000),
             (0.0340, 0.5500), (0.0160, 0.5030), (0.0100, 0.4600)]
UMBILICUS_LINE = [(0.0, 0.6020), (0.0410, 0.6020), (0.0650, 0.5950), (0.0850, 0.5850),
                  (0.1300, 0.5750)]
INGUINAL = [(0.0, 0.5150), (0.0150, 0.5020), (0.0400, 0.5280), (0.0650, 0.5550),
            (0.0740, 0.5680), (0.0900, 0.5830), (0.1300, 0.5900)]
SARTORIUS = [(0.0880, 0.5700), (0.0800, 0.5400), (0.0680, 0.5000), (0.0560, 0.4600),
             (0.0460, 0.4150), (0.0380, 0.3700), (0.0320, 0.3300), (0.0290, 0.3000)]
QUAD_MEDIAL = [(0.0650, 0.5200), (0.0640, 0.4700), (0.0600, 0.4000), (0.0570, 0.3500),
               (0.0560, 0.3000)]


def anterior_v3() -> tuple[list[Spec], list[Spec]]:
    mid, paired = anterior_specs()
    paired.append(spec("sartorius", "Sartorius", None, "body",
                       "sartorius; femoral nerve and vessels (under its upper third)", "caution"))
    knee = next(s.zone for s in paired if s.stem == "medial_knee")
    assert knee is not None
    zones: dict[str, BaseGeometry] = {
        "medial_knee": knee.intersection(below([(0.0, 0.3000), (0.3000, 0.3000)])),
        # The adductors reach the rectus femoris (the sartorius crosses between them).
        "adductors": above([(0.0, 0.3000), (0.3000, 0.3000)]).difference(half_plane_right(
            [(0.0650, 0.5200), (0.0600, 0.4800), (0.0540, 0.4400), (0.0515, 0.3950),
             (0.0515, 0.3450), (0.0530, 0.2900)])),
        "middle_deltoid": poly([(0.1130, 0.8185), (0.2000, 0.8350), (0.2000, 0.7000),
                                DELTOID_APEX_FRONT, (0.1280, 0.7550), (0.1190, 0.7900)]),
        "anterior_deltoid": poly([*DELTOPECTORAL, DELTOID_APEX_FRONT, (0.1280, 0.7550),
                                  (0.1190, 0.7900), (0.1130, 0.8185), (0.1100, 0.8300)])
        .intersection(below(CLAVICLE)),
        "pec_major_clavicular": below(CLAVICLE).intersection(above(PEC_SPLIT)).difference(
            half_plane_right(DELTOPECTORAL)),
        "axilla": smooth([(0.0880, 0.7640), (0.0990, 0.7680), (0.1060, 0.7520), (0.1000, 0.7330),
                          (0.0880, 0.7280), (0.0830, 0.7440)]),
        "pec_major": smooth([(0.0, 0.8010), (0.0300, 0.7960), (0.0600, 0.7880), (0.0950, 0.7750),
                             (0.0960, 0.7680), (0.0900, 0.7590), (0.0800, 0.7470),
                             (0.0660, 0.7340), (0.0480, 0.7250), (0.0250, 0.7210),
                             (0.0, 0.7240)], per_segment=4),
        # Its slips interdigitate with the external oblique along a line running down and out.
        "serratus_anterior": poly([(0.0600, 0.7300), (0.0800, 0.7470), (0.0900, 0.7590),
                                   (0.1200, 0.7700), (0.1200, 0.6700), (0.0930, 0.6740),
                                   (0.0900, 0.6860), (0.0850, 0.6830), (0.0820, 0.6960),
                                   (0.0770, 0.6930), (0.0740, 0.7060), (0.0690, 0.7030),
                                   (0.0660, 0.7160), (0.0600, 0.7150)]),
        "rectus_abdominis_upper": above(UMBILICUS_LINE).difference(half_plane_right(SEMILUNAR))
        .intersection(below([(0.0, 0.7600), (0.2000, 0.7600)])),
        "external_oblique": above(UMBILICUS_LINE).intersection(half_plane_right(SEMILUNAR))
        .intersection(below([(0.0, 0.7600), (0.2000, 0.7600)])),
        "rectus_femoris": smooth([(0.0700, 0.4950), (0.0800, 0.4500), (0.0830, 0.4000),
                                  (0.0780, 0.3450), (0.0670, 0.3060), (0.0580, 0.3060),
                                  (0.0500, 0.3450), (0.0490, 0.4000), (0.0560, 0.4500),
                                  (0.0650, 0.4900)], per_segment=4),
        # The sartorius strap, from the front of the hip bone across to the inner knee.
        "sartorius": LineString(SARTORIUS).buffer(0.0055, cap_style="flat"),
        # The vastus medialis bulges above the knee, lateral to the sartorius.
        "vastus_medialis": smooth([(0.0470, 0.3950), (0.0530, 0.3650), (0.0570, 0.3350),
                                   (0.0570, 0.3100), (0.0540, 0.3020), (0.0420, 0.2990),
                                   (0.0370, 0.3060), (0.0380, 0.3300), (0.0420, 0.3600)],
                                  per_segment=4),
        "vastus_lateralis": half_plane_right(QUAD_MEDIAL).intersection(
            above([(0.0, 0.3000), (0.3000, 0.3000)])).intersection(
            below([(0.0, 0.4800), (0.0620, 0.4750), (0.0900, 0.4500), (0.1300, 0.4350)])),
    }
    order = [
        "orbit", "frontalis", "temporalis", "cheek", "masseter_tmj", "sternocleidomastoid",
        "scalenes", "middle_deltoid", "anterior_deltoid", "upper_trapezius", "axilla",
        "pec_major_clavicular", "pec_major", "serratus_anterior", "rectus_abdominis_upper",
        "rectus_abdominis_lower", "external_oblique", "iliac_fossa", "sartorius", "femoral_triangle",
        "tfl",
        "vastus_medialis", "anterior_knee", "rectus_femoris", "vastus_lateralis", "adductors",
        "medial_knee", "lateral_knee", "medial_shin", "fibularis", "tibialis_anterior",
        "medial_elbow", "brachioradialis", "biceps", "cubital_fossa", "forearm_flexors",
        "thenar", "fingers_palmar", "palm", "dorsal_foot",
    ]
    return mid, revised(paired, order, zones)


ANTERIOR_FIBRES: dict[str, FibreSpec] = {
    "sternocleidomastoid": ([(0.0360, 0.8880), (0.0380, 0.8860)],
                            [(0.0090, 0.8190), (0.0270, 0.8150)], 3, 0.0),
    "upper_trapezius": ([(0.0420, 0.8450), (0.0500, 0.8420)],
                        [(0.0800, 0.8180), (0.1100, 0.8200)], 4, 0.0),
    "anterior_deltoid": ([(0.0780, 0.8150), (0.1120, 0.8190)],
                         [(0.1380, 0.7080), (0.1410, 0.7070)], 5, -0.04),
    "middle_deltoid": ([(0.1150, 0.8190), (0.1450, 0.8020)],
                       [(0.1400, 0.7070), (0.1440, 0.7060)], 3, 0.0),
    "pec_major_clavicular": ([(0.0120, 0.8170), (0.0700, 0.8140)],
                             [(0.0950, 0.7800), (0.0960, 0.7760)], 5, 0.0),
    "pec_major": ([(0.0130, 0.7980), (0.0130, 0.7300), (0.0450, 0.7180)],
                  [(0.0960, 0.7760), (0.0960, 0.7660), (0.0950, 0.7600)], 9, 0.0),
    "serratus_anterior": ([(0.1000, 0.7500), (0.0980, 0.6800)],
                          [(0.0700, 0.7340), (0.0650, 0.7020)], 4, 0.0),
    "rectus_abdominis_upper": ([(0.0120, 0.7200), (0.0440, 0.7100)],
                               [(0.0120, 0.6040), (0.0420, 0.6040)], 3, 0.0),
    "rectus_abdominis_lower": ([(0.0120, 0.6000), (0.0400, 0.6000)],
                               [(0.0080, 0.5000), (0.0220, 0.5100)], 3, 0.0),
    "external_oblique": ([(0.1000, 0.7000), (0.0920, 0.6100)],
                         [(0.0480, 0.6600), (0.0440, 0.5800)], 5, 0.0),
    "tfl": ([(0.0820, 0.5600), (0.0930, 0.5500)], [(0.0860, 0.4600), (0.0950, 0.4500)], 2, 0.0),
    "rectus_femoris": ([(0.0700, 0.5000), (0.0720, 0.4950)],
                       [(0.0590, 0.3000), (0.0650, 0.3000)], 3, 0.0),
    "vastus_lateralis": ([(0.0850, 0.4750), (0.0980, 0.4500)],
                         [(0.0680, 0.3100), (0.0780, 0.3020)], 4, 0.0),
    "vastus_medialis": ([(0.0440, 0.3900), (0.0500, 0.3750)],
                        [(0.0440, 0.3020), (0.0540, 0.3040)], 3, 0.0),
    "adductors": ([(0.0080, 0.4800), (0.0300, 0.4700)],
                  [(0.0250, 0.3400), (0.0480, 0.4000)], 4, 0.0),
    "tibialis_anterior": ([(0.0640, 0.2450), (0.0780, 0.2450)],
                          [(0.0690, 0.0600), (0.0740, 0.0600)], 3, 0.0),
    "fibularis": ([(0.0820, 0.2400), (0.0880, 0.2400)], [(0.0880, 0.0700), (0.0900, 0.0700)],
                  2, 0.0),
    "biceps": (arm([(0.040, -0.030), (0.040, 0.030)]), arm([(0.175, -0.010), (0.175, 0.010)]),
               4, 0.0),
    "forearm_flexors": (arm([(0.215, -0.030), (0.215, 0.000)]),
                        arm([(0.335, -0.020), (0.335, 0.000)]), 3, 0.0),
    "brachioradialis": (arm([(0.160, 0.030), (0.200, 0.030)]), arm([(0.330, 0.015),
                                                                    (0.335, 0.025)]), 2, 0.0),
}

# The rectus abdominis's tendinous intersections (above the umbilicus); the sartorius's course.
ANTERIOR_LINES: dict[str, list[list[Pt]]] = {
    "sartorius": [spline(SARTORIUS, per_segment=6)],
    "rectus_abdominis_upper": [[(0.0, 0.6850), (0.0200, 0.6820), (0.0500, 0.6860)],
                               [(0.0, 0.6450), (0.0200, 0.6430), (0.0500, 0.6470)]],
}

# --------------------------------------------------------------------------------------------
# Lateral views: the near arm stays raised forward (it hides nothing that can be charted); the
# gluteals, serratus and pectoralis follow their muscles, and every muscle has its fibres.
# World (f, h): f forward of the plumb line, h up from the floor; drawn as the client's left.


def larm(points: Sequence[Pt]) -> list[Pt]:
    """Points given along the raised arm of the lateral view (u down the arm, v to its front)."""
    return LARM.line(list(points))


SERRATUS_LOW = [(0.0450, 0.7050), (0.0400, 0.6550), (0.0300, 0.6700), (0.0220, 0.6520),
                (0.0120, 0.6680), (0.0040, 0.6520), (-0.0060, 0.6660), (-0.0150, 0.6540),
                (-0.0300, 0.6600), (-0.0250, 0.7300)]


def lateral_v3() -> tuple[list[Spec], list[Spec]]:
    mid, side = lateral_specs()
    zones: dict[str, BaseGeometry] = {
        "pec_major": smooth([(0.0220, 0.8300), (0.2000, 0.8300), (0.2000, 0.7000),
                             (0.0700, 0.6980), (0.0450, 0.7100), (0.0300, 0.7400),
                             (0.0220, 0.7800)], per_segment=3),
        "serratus_anterior": poly([(-0.0200, 0.8300), (0.0450, 0.8300), *SERRATUS_LOW]),
        "external_oblique": poly([*SERRATUS_LOW[1:-1], (-0.0300, 0.6600), (-0.0250, 0.6000),
                                  (0.0200, 0.5950), (0.0520, 0.6000), (0.0480, 0.6550)]),
        "gluteus_medius": smooth([(-0.0600, 0.6050), (-0.0250, 0.6000), (0.0050, 0.5950),
                                  (0.0080, 0.5380), (-0.0150, 0.5420), (-0.0380, 0.5480),
                                  (-0.0520, 0.5750)], per_segment=3),
        "gluteus_maximus": poly([(-0.2000, 0.6100), (-0.0600, 0.6050), (-0.0520, 0.5750),
                                 (-0.0380, 0.5480), (-0.0300, 0.5050), (-0.0220, 0.4700),
                                 (-0.0300, 0.4620), (-0.0480, 0.4720), (-0.2000, 0.4720)]),
        "lateral_hip": smooth([(-0.0380, 0.5480), (-0.0150, 0.5420), (0.0080, 0.5380),
                               (0.0120, 0.4700), (-0.0220, 0.4700), (-0.0300, 0.5050)],
                              per_segment=3),
        "gastrocnemius_lateral": smooth([(-0.2000, 0.2900), (-0.0220, 0.2900),
                                         (-0.0190, 0.2500), (-0.0210, 0.2150),
                                         (-0.0280, 0.1800), (-0.0400, 0.1650),
                                         (-0.2000, 0.1650)], per_segment=3),
    }
    return mid, revised(side, [s.stem for s in side], zones)


LATERAL_FIBRES: dict[str, FibreSpec] = {
    "upper_trapezius": ([(-0.0450, 0.8550), (-0.0300, 0.8700)],
                        [(-0.0100, 0.8220), (0.0100, 0.8220)], 3, 0.0),
    "sternocleidomastoid": ([(-0.0120, 0.9050), (-0.0050, 0.9050)],
                            [(0.0350, 0.8180), (0.0450, 0.8180)], 3, 0.0),
    "pec_major": ([(0.0800, 0.8200), (0.0850, 0.7100)],
                  [(0.0250, 0.7850), (0.0280, 0.7700)], 5, 0.0),
    "serratus_anterior": ([(0.0400, 0.7000), (0.0000, 0.6650)],
                          [(-0.0100, 0.7800), (-0.0200, 0.7400)], 4, 0.0),
    "external_oblique": ([(-0.0250, 0.6550), (0.0300, 0.6550)],
                         [(0.0200, 0.5980), (0.0520, 0.6100)], 4, 0.0),
    "rectus_abdominis": ([(0.0600, 0.7000), (0.0750, 0.7000)],
                         [(0.0550, 0.5000), (0.0700, 0.5000)], 2, 0.0),
    "latissimus": ([(-0.0520, 0.6700), (-0.0300, 0.6600)],
                   [(-0.0400, 0.8300), (-0.0200, 0.8300)], 3, 0.0),
    "gluteus_maximus": ([(-0.0700, 0.6000), (-0.0650, 0.4800)],
                        [(-0.0400, 0.5450), (-0.0250, 0.4700)], 5, 0.0),
    "gluteus_medius": ([(-0.0550, 0.6030), (0.0040, 0.5960)],
                       [(-0.0120, 0.5400), (-0.0080, 0.5380)], 5, 0.0),
    "tfl": ([(0.0100, 0.5900), (0.0200, 0.5850)], [(0.0150, 0.4650), (0.0250, 0.4550)], 2, 0.0),
    "it_band": ([(-0.0300, 0.4650), (0.0200, 0.4550)], [(-0.0180, 0.3150), (0.0150, 0.3150)],
                3, 0.0),
    "rectus_femoris": ([(0.0350, 0.5500), (0.0450, 0.5500)],
                       [(0.0250, 0.3150), (0.0400, 0.3150)], 3, 0.0),
    "lateral_hamstring": ([(-0.0500, 0.4700), (-0.0400, 0.4600)],
                          [(-0.0300, 0.2950), (-0.0220, 0.2950)], 3, 0.0),
    "gastrocnemius_lateral": ([(-0.0350, 0.2900), (-0.0220, 0.2900)],
                              [(-0.0350, 0.1700), (-0.0280, 0.1700)], 3, 0.0),
    "soleus": ([(-0.0250, 0.2000), (-0.0100, 0.2000)], [(-0.0200, 0.0700), (-0.0080, 0.0700)],
               2, 0.0),
    "tibialis_anterior": ([(0.0150, 0.2500), (0.0350, 0.2500)],
                          [(0.0150, 0.0600), (0.0250, 0.0600)], 3, 0.0),
    "fibularis": ([(-0.0120, 0.2500), (0.0080, 0.2500)], [(-0.0080, 0.0600), (0.0050, 0.0600)],
                  2, 0.0),
    "anterior_deltoid": (larm([(-0.020, -0.030), (-0.020, 0.030)]),
                         larm([(0.088, -0.002), (0.090, 0.002)]), 6, 0.0),
    "middle_deltoid": (larm([(-0.020, -0.030), (-0.020, 0.030)]),
                       larm([(0.088, -0.002), (0.090, 0.002)]), 6, 0.0),
    "posterior_deltoid": (larm([(-0.020, -0.030), (-0.020, 0.030)]),
                          larm([(0.088, -0.002), (0.090, 0.002)]), 6, 0.0),
    "biceps": (larm([(0.020, 0.000), (0.020, 0.025)]), larm([(0.170, 0.000), (0.170, 0.020)]),
               2, 0.0),
    "triceps": (larm([(0.020, -0.030), (0.020, -0.005)]), larm([(0.170, -0.020),
                                                                (0.170, -0.005)]), 2, 0.0),
    "forearm_flexors": (larm([(0.210, 0.008), (0.210, 0.020)]),
                        larm([(0.330, 0.006), (0.330, 0.011)]), 2, 0.0),
    "forearm_extensors": (larm([(0.210, -0.008), (0.210, -0.020)]),
                          larm([(0.330, -0.006), (0.330, -0.011)]), 2, 0.0),
}


# The deep layer of version 3 adds the muscles the trapezius now covers.
DEEP_UNDER_TRAPEZIUS = [
    spec("levator_scapulae", "Levator scapulae (under the trapezius)",
         smooth([(0.0300, 0.8880), (0.0380, 0.8840), (0.0380, 0.8500), (0.0340, 0.8330),
                 (0.0280, 0.8330), (0.0280, 0.8600)], per_segment=4), "all",
         "levator scapulae; splenius cervicis; posterior scalene"),
    spec("supraspinatus", "Supraspinatus (under the trapezius)",
         smooth([(0.0330, 0.8300), (0.0600, 0.8260), (0.0900, 0.8210), (0.1050, 0.8170),
                 (0.1050, 0.8140), (0.0600, 0.8120), (0.0330, 0.8130)], per_segment=3), "all",
         "supraspinatus; middle trapezius"),
    spec("rhomboid", "Rhomboids (under the trapezius)",
         poly([(0.0080, 0.8500), (0.0300, 0.8320), (0.0310, 0.8120), (0.0335, 0.7850),
               (0.0390, 0.7660), (0.0440, 0.7600), (0.0080, 0.7720)]), "all",
         "rhomboid major; rhomboid minor; serratus posterior superior; thoracic multifidi"),
]
# The deep muscles' fibres (world units, the near half as each deep view draws it).
DEEP_FIBRES: dict[str, dict[str, FibreSpec]] = {
    "posterior": {
        "deep_multifidi": ([(0.0095, 0.6600), (0.0175, 0.6600)],
                           [(0.0095, 0.5550), (0.0175, 0.5550)], 3, 0.0),
        "deep_quadratus_lumborum": ([(0.0240, 0.6020), (0.0500, 0.6070)],
                                    [(0.0220, 0.6560), (0.0470, 0.6540)], 3, 0.0),
        "deep_piriformis": ([(0.0250, 0.5660), (0.0260, 0.5530)],
                            [(0.1060, 0.5300), (0.1060, 0.5180)], 3, 0.0),
        "deep_hip_rotators": ([(0.0360, 0.5080), (0.0370, 0.4970)],
                              [(0.1000, 0.5170), (0.1000, 0.5060)], 3, 0.0),
        "deep_rotator_cuff": ([(0.0950, 0.8200), (0.0980, 0.7940)],
                              [(0.1240, 0.8170), (0.1250, 0.7980)], 3, 0.0),
        "deep_subscapularis": ([(0.0470, 0.7650), (0.0470, 0.7750)],
                               [(0.0950, 0.8010), (0.0930, 0.8070)], 2, 0.0),
        "deep_serratus": ([(0.0870, 0.7650), (0.0870, 0.7200)],
                          [(0.0640, 0.7710), (0.0620, 0.7230)], 3, 0.0),
        "levator_scapulae": ([(0.0320, 0.8850), (0.0370, 0.8820)],
                             [(0.0290, 0.8250), (0.0330, 0.8250)], 2, 0.0),
        "supraspinatus": ([(0.0340, 0.8250), (0.0340, 0.8150)],
                          [(0.1150, 0.8170), (0.1150, 0.8140)], 2, 0.0),
        "rhomboid": ([(0.0090, 0.8480), (0.0090, 0.7740)],
                     [(0.0340, 0.8330), (0.0470, 0.7590)], 5, 0.0),
    },
    "anterior": {
        "deep_psoas": ([(0.0150, 0.6600), (0.0270, 0.6600)],
                       [(0.0480, 0.4500), (0.0560, 0.4500)], 3, 0.0),
        "deep_iliacus": ([(0.0520, 0.5980), (0.0820, 0.5900)],
                         [(0.0480, 0.5400), (0.0560, 0.5250)], 3, 0.0),
        "deep_pec_minor": ([(0.0420, 0.7700), (0.0420, 0.7440)],
                           [(0.0880, 0.8010), (0.0860, 0.7980)], 3, 0.0),
        "deep_scalenes": ([(0.0310, 0.8490), (0.0400, 0.8510)],
                          [(0.0500, 0.8180), (0.0620, 0.8220)], 2, 0.0),
    },
}
# fmt: on


def _deep_fibres(core_id: str) -> dict[str, list[list[Pt]]]:
    return {
        stem: strands(start, end, n, bow)
        for stem, (start, end, n, bow) in DEEP_FIBRES[core_id].items()
    }


def main() -> None:
    out = ATLAS_DIR / f"v{VERSION}"
    out.mkdir(parents=True, exist_ok=True)
    index = json.loads((ATLAS_DIR / "index.json").read_text(encoding="utf-8"))
    views = dict(index["versions"]["2"]["views"])
    for view_id, back, specs, table in (
        ("anterior", False, anterior_v3(), fibres_of(ANTERIOR_FIBRES, ANTERIOR_LINES)),
        ("posterior", True, posterior_v3(), fibres_of(POSTERIOR_FIBRES)),
    ):
        view = build_front_view(view_id, back, specs, table)
        size = write_view(view, out)
        views[view_id] = f"v{VERSION}/{view_id}.json"
        print(
            f"{view_id}: {len(view.regions)} regions, {len(view.fibres)} fibres, "
            f"{size / 1024:.0f} KiB"
        )
    for view in build_lateral(lateral_v3(), fibres_of(LATERAL_FIBRES)):
        size = write_view(view, out)
        views[view.id] = f"v{VERSION}/{view.id}.json"
        print(
            f"{view.id}: {len(view.regions)} regions, {len(view.fibres)} fibres, "
            f"{size / 1024:.0f} KiB"
        )
    core = {
        core_id: json.loads((out / f"{core_id}.json").read_text(encoding="utf-8"))
        for core_id in ("anterior", "posterior")
    }
    views["anterior_deep"] = deep_view(
        "anterior", DEEP_ANTERIOR, False, core["anterior"], VERSION, _deep_fibres("anterior")
    )
    views["posterior_deep"] = deep_view(
        "posterior",
        [*DEEP_POSTERIOR, *DEEP_UNDER_TRAPEZIUS],
        True,
        core["posterior"],
        VERSION,
        _deep_fibres("posterior"),
    )
    moved = {f"{stem}.{side}": "posterior_deep" for stem in sorted(DEEPENED) for side in ("l", "r")}
    index["versions"][str(VERSION)] = {"views": views, "moved": {"posterior": moved}}
    write_index(index)


if __name__ == "__main__":
    main()
