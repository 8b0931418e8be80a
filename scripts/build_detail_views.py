"""Generate the atlas's detail views (face, head and neck, hands, feet); needs shapely.

Run from the repository root: ``python scripts/build_detail_views.py``. It writes the detail views
of atlas version ``VERSION`` into ``resources/atlas/v<VERSION>/`` and lists them, after the four
core views of ``CORE_FROM``, in ``resources/atlas/index.json``.

Each view is drawn in its own "world" units (centimetres of an average adult, x to the viewer's
right, y up) and written in frame fractions (x right, y down, origin top-left) like the core
views, with its own frame aspect. Regions are cut from the silhouette by zones in priority order
(``build_atlas.partition``), so they tile it exactly, and snapped to the output grid as one
coverage. Paired regions are drawn once, on the client's left, and mirrored: a pair is always an
exact mirror image, and the side of each region is the client's, in anatomical position.

A released version never changes: tests pin the bytes of every view file a version lists. To
change a view, build it into a new version.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import shapely
from shapely import affinity
from shapely.geometry import LineString, Point, Polygon, box
from shapely.geometry.base import BaseGeometry
from shapely.ops import polylabel, unary_union

sys.path.insert(0, str(Path(__file__).resolve().parent))

from build_atlas import (
    Pt,
    Spec,
    capsule,
    clean,
    partition,
    polygons_of,
    polys_out,
    r5,
    smooth,
    snap_coverage,
    spec,
)

ROOT = Path(__file__).resolve().parent.parent
ATLAS_DIR = ROOT / "resources" / "atlas"
VERSION = 2
CORE_FROM = 1  # the core views this version keeps, unchanged, from that version
MARGIN = 1.2  # world units of paper around the drawing, inside the frame

MIRROR = [-1.0, 0.0, 0.0, 1.0, 0.0, 0.0]
MIRROR_FRAME = [-1.0, 0.0, 0.0, 1.0, 1.0, 0.0]  # in frame fractions: x -> 1 - x


def mirror(geom: BaseGeometry) -> BaseGeometry:
    return affinity.affine_transform(geom, MIRROR)


def ellipse(cx: float, cy: float, rx: float, ry: float, angle: float = 0.0) -> Polygon:
    shape = affinity.scale(Point(cx, cy).buffer(1.0, quad_segs=12), rx, ry)
    return affinity.rotate(shape, angle, origin=(cx, cy)) if angle else shape


def tube(points: Sequence[Pt], width: float) -> Polygon:
    return LineString(points).buffer(width / 2, cap_style="round", quad_segs=6)


def poly(points: Sequence[Pt]) -> Polygon:
    return Polygon(points).buffer(0)


def beyond(a: Pt, b: Pt, back: float, far: float = 30.0) -> Polygon:
    """The half-plane past a line across the segment a-b, ``back`` before b (toward a)."""
    length = ((b[0] - a[0]) ** 2 + (b[1] - a[1]) ** 2) ** 0.5
    dx, dy = (b[0] - a[0]) / length, (b[1] - a[1]) / length
    cx, cy = b[0] - back * dx, b[1] - back * dy
    nx, ny = dy, -dx
    return Polygon(
        [
            (cx + nx * far, cy + ny * far),
            (cx + nx * far + dx * far, cy + ny * far + dy * far),
            (cx - nx * far + dx * far, cy - ny * far + dy * far),
            (cx - nx * far, cy - ny * far),
        ]
    )


@dataclass
class Piece:
    """One drawn part of a view (a hand, a foot, a head): its silhouette, its regions' specs in
    priority order, the side each takes, and its detail lines, all in world units."""

    silhouette: BaseGeometry
    specs: list[Spec]
    side: str  # "left", "right" (the client's) or "" for a piece holding both sides
    details: list[list[Pt]] = field(default_factory=list)


@dataclass
class DetailView:
    id: str
    name: str
    caption: str
    letters: tuple[str, str]  # what stands at the viewer's left and right of the figure
    regions: list[tuple[Spec, str, BaseGeometry]]  # (spec, side, world geometry)
    details: list[list[Pt]]
    mirrored: bool = False  # a pair of limbs drawn as mirror images about the frame's centre


# --------------------------------------------------------------------------------------------
# Hands. Local (u, v): v up the hand from the wrist crease, u toward the thumb; centimetres.

FOREARM = [(-3.0, -8.0), (3.1, -8.0), (3.15, -3.0), (3.05, 0.2), (-2.95, 0.2), (-3.05, -3.0)]
PALM = [
    (3.0, -0.2), (3.55, 1.6), (3.85, 3.6), (3.75, 5.8), (3.45, 8.6), (2.6, 9.8), (0.6, 10.1),
    (-1.4, 9.9), (-3.1, 9.2), (-3.95, 7.6), (-4.05, 4.8), (-3.75, 2.0), (-3.0, -0.2),
]  # fmt: skip
# (base, tip, width at the base, width at the tip)
FINGERS: dict[str, tuple[Pt, Pt, float, float]] = {
    "index_finger": ((2.45, 8.9), (2.95, 16.2), 1.95, 1.7),
    "middle_finger": ((0.65, 9.2), (0.73, 17.1), 2.05, 1.8),
    "ring_finger": ((-1.2, 8.9), (-1.6, 16.5), 1.9, 1.65),
    "little_finger": ((-2.95, 8.3), (-3.75, 14.3), 1.65, 1.45),
}
THUMB = [(2.7, 1.8), (4.75, 5.7), (5.75, 9.1)]
FINGER_BASE = {"index_finger": 9.85, "middle_finger": 10.1, "ring_finger": 9.9,
               "little_finger": 9.2}  # fmt: skip
FINGER_NAMES = {
    "index_finger": "Index finger",
    "middle_finger": "Middle finger",
    "ring_finger": "Ring finger",
    "little_finger": "Little finger",
}
FINGER_DEEP = {
    "index_finger": "flexor digitorum superficialis tendon; flexor digitorum profundus tendon; "
    "first lumbrical",
    "middle_finger": "flexor digitorum superficialis tendon; flexor digitorum profundus tendon",
    "ring_finger": "flexor digitorum superficialis tendon; flexor digitorum profundus tendon",
    "little_finger": "flexor digiti minimi; flexor digitorum profundus tendon",
}


def hand_shapes() -> tuple[BaseGeometry, dict[str, BaseGeometry], BaseGeometry]:
    """The hand's outline, its fingers, and its thumb."""
    fingers = {name: capsule(a, b, w, tw) for name, (a, b, w, tw) in FINGERS.items()}
    thumb = unary_union(
        [capsule(THUMB[0], THUMB[1], 3.2, 2.55), capsule(THUMB[1], THUMB[2], 2.55, 2.1)]
    )
    outline = unary_union([poly(FOREARM), smooth(PALM), thumb, *fingers.values()])
    return clean(outline), fingers, thumb


def finger_specs(fingers: dict[str, BaseGeometry], thumb: BaseGeometry, palmar: bool) -> list[Spec]:
    specs = []
    for name, shape in fingers.items():
        zone = shape.intersection(box(-20, FINGER_BASE[name], 20, 40))
        deep = FINGER_DEEP[name] if palmar else "extensor digitorum tendon; dorsal hood"
        specs.append(spec(name, FINGER_NAMES[name], zone, "all", deep))
    thumb_zone = thumb.intersection(beyond(THUMB[0], THUMB[1], 0.55))
    thumb_deep = (
        "flexor pollicis longus tendon; flexor pollicis brevis"
        if palmar
        else "extensor pollicis longus tendon; extensor pollicis brevis tendon"
    )
    specs.append(spec("thumb", "Thumb", thumb_zone, "all", thumb_deep))
    return specs


def palmar_hand() -> tuple[BaseGeometry, list[Spec], list[list[Pt]]]:
    outline, fingers, thumb = hand_shapes()
    specs = finger_specs(fingers, thumb, palmar=True)
    specs += [
        spec("wrist_palmar", "Palmar wrist (carpal tunnel)", box(-20, -1.1, 20, 1.5), "all",
             "flexor retinaculum; median nerve (carpal tunnel); flexor tendons", "caution"),
        spec("forearm_flexors", "Forearm flexors", box(-20, -20, 20, -1.1), "all",
             "flexor carpi radialis; palmaris longus; flexor carpi ulnaris; "
             "flexor digitorum superficialis; pronator quadratus"),
        spec("thenar_eminence", "Thenar eminence", poly([(1.0, 1.3), (9, 1.3), (9, 9.0), (3.4, 7.4),
                                                (1.0, 5.2)]), "all",
             "abductor pollicis brevis; flexor pollicis brevis; opponens pollicis; "
             "adductor pollicis"),
        spec("hypothenar", "Hypothenar eminence", box(-20, 1.5, -1.75, 8.6), "all",
             "abductor digiti minimi; flexor digiti minimi brevis; opponens digiti minimi"),
        spec("palm_centre", "Palm (palmar aponeurosis)", None, "all",
             "palmar aponeurosis; lumbricals; palmar interossei; flexor tendons"),
    ]  # fmt: skip
    details = [
        [(2.8, 7.9), (1.6, 6.0), (0.9, 3.6), (0.5, 1.2)],  # thenar crease
        [(-3.9, 7.2), (-1.8, 7.5), (0.2, 8.2), (1.5, 8.95)],  # distal palmar crease
        [(-3.7, 5.6), (-1.6, 5.9), (0.4, 6.6), (2.3, 7.6)],  # proximal palmar crease
        [(-2.8, 0.05), (-1.0, 0.25), (1.2, 0.25), (2.9, 0.05)],  # wrist crease
    ]
    return outline, specs, details


def dorsal_hand() -> tuple[BaseGeometry, list[Spec], list[list[Pt]]]:
    outline, fingers, thumb = hand_shapes()
    specs = finger_specs(fingers, thumb, palmar=False)
    specs += [
        spec("anatomical_snuffbox", "Anatomical snuffbox", ellipse(3.35, 1.2, 1.0, 1.45, -25),
             "all", "scaphoid; radial artery; extensor pollicis brevis and longus tendons",
             "caution"),
        spec("wrist_dorsal", "Back of the wrist (extensor retinaculum)",
             box(-20, -1.1, 20, 1.6), "all", "extensor retinaculum; extensor tendons"),
        spec("forearm_extensors", "Forearm extensors", box(-20, -20, 20, -1.1), "all",
             "extensor digitorum; extensor carpi ulnaris; abductor pollicis longus; "
             "extensor pollicis brevis; extensor pollicis longus; extensor indicis"),
        spec("first_dorsal_interosseous", "First dorsal interosseous (thumb web)",
             smooth([(1.7, 3.2), (3.6, 4.9), (4.3, 6.6), (3.3, 8.6), (2.3, 8.7), (1.5, 6.0)]),
             "all",
             "first dorsal interosseous; adductor pollicis"),
        spec("dorsal_hand", "Back of hand", None, "all",
             "dorsal interossei; extensor tendons"),
    ]  # fmt: skip
    details = [
        [(-2.9, 9.4), (-1.2, 9.9)],  # knuckles
        [(-0.2, 10.2), (1.5, 10.0)],
        [(-2.0, 1.8), (-2.2, 5.0), (-2.6, 8.6)],  # extensor tendons
        [(0.2, 2.0), (0.4, 5.5), (0.65, 9.4)],
        [(1.6, 2.2), (2.0, 5.6), (2.4, 9.1)],
    ]
    return outline, specs, details


# --------------------------------------------------------------------------------------------
# Feet. Local (u, v): v from the heel toward the toes, u toward the medial (big toe) side.

TOES: dict[str, tuple[Pt, Pt, float, float]] = {
    "big": ((2.8, 17.4), (2.95, 22.9), 3.15, 2.85),
    "second": ((0.6, 18.0), (0.4, 22.2), 1.95, 1.75),
    "third": ((-1.2, 17.6), (-1.55, 21.4), 1.85, 1.65),
    "fourth": ((-2.8, 16.9), (-3.25, 20.4), 1.7, 1.5),
    "fifth": ((-4.05, 15.9), (-4.6, 19.0), 1.55, 1.35),
}
TOE_BASE = {"big": 19.3, "second": 19.5, "third": 19.1, "fourth": 18.4, "fifth": 17.4}
FOREFOOT = [
    (3.4, 3.5), (3.7, 7.0), (4.1, 11.0), (4.5, 15.0), (4.65, 18.2), (3.0, 19.5), (0.5, 19.8),
    (-2.0, 19.2), (-3.9, 17.8), (-4.7, 16.1), (-4.5, 13.0), (-4.0, 9.0), (-3.6, 5.5),
    (-3.5, 3.5),
]  # fmt: skip
ANKLE = [
    (-3.2, -6.0), (3.2, -6.0), (3.3, -1.2), (3.95, 1.3), (3.65, 3.9), (-3.6, 3.7), (-4.05, 0.6),
    (-3.4, -1.6),
]  # fmt: skip
SOLE = [
    (-2.8, 0.9), (-1.5, -0.3), (0.8, -0.45), (2.4, 0.35), (3.2, 2.5), (3.15, 6.5), (2.95, 9.6),
    (3.55, 13.0), (4.35, 16.2), (4.6, 18.2), (3.0, 19.4), (0.5, 19.7), (-2.0, 19.1),
    (-3.9, 17.7), (-4.65, 15.8), (-4.25, 12.5), (-3.65, 8.5), (-3.2, 4.5),
]  # fmt: skip


def toe_shapes() -> dict[str, BaseGeometry]:
    return {name: capsule(a, b, w, tw) for name, (a, b, w, tw) in TOES.items()}


def toe_specs(toes: dict[str, BaseGeometry], plantar: bool) -> list[Spec]:
    big = toes["big"].intersection(box(-20, TOE_BASE["big"], 20, 40))
    lesser = unary_union(
        [toes[n].intersection(box(-20, TOE_BASE[n], 20, 40)) for n in TOES if n != "big"]
    )
    return [
        spec("big_toe", "Big toe", big, "all",
             "flexor hallucis longus tendon; flexor hallucis brevis" if plantar
             else "extensor hallucis longus tendon"),
        spec("lesser_toes", "Lesser toes", lesser, "all",
             "flexor digitorum longus tendons; flexor digitorum brevis" if plantar
             else "extensor digitorum longus tendons; extensor digitorum brevis"),
    ]  # fmt: skip


def dorsal_foot() -> tuple[BaseGeometry, list[Spec], list[list[Pt]]]:
    toes = toe_shapes()
    outline = clean(unary_union([smooth(ANKLE), smooth(FOREFOOT), *toes.values()]))
    specs = toe_specs(toes, plantar=False)
    specs += [
        spec("medial_malleolus", "Medial ankle (malleolus)", ellipse(3.2, 1.4, 1.35, 1.9),
             "all", "tibialis posterior tendon; flexor digitorum longus tendon; "
             "posterior tibial artery and tibial nerve (behind)", "caution"),
        spec("lateral_malleolus", "Lateral ankle (malleolus)", ellipse(-3.35, 0.7, 1.35, 1.9),
             "all", "fibularis longus and brevis tendons; anterior talofibular ligament"),
        spec("anterior_ankle", "Front of the ankle (extensor retinaculum)",
             box(-20, -1.6, 20, 4.4), "all",
             "extensor retinaculum; tibialis anterior tendon; extensor hallucis longus tendon; "
             "dorsalis pedis artery", "caution"),
        spec("tibialis_anterior", "Tibialis anterior", box(-20, -20, 20, -1.6),
             "all", "tibialis anterior; extensor digitorum longus; extensor hallucis longus"),
        spec("foot_dorsum", "Top of the foot", None, "all",
             "extensor digitorum brevis; extensor hallucis brevis; dorsal interossei; "
             "extensor tendons"),
    ]  # fmt: skip
    details = [
        [(2.2, 4.5), (2.5, 10.0), (2.8, 16.5)],  # extensor hallucis longus tendon
        [(0.2, 4.8), (-0.3, 10.5), (-1.0, 16.5)],  # extensor digitorum longus tendons
    ]
    return outline, specs, details


def plantar_foot() -> tuple[BaseGeometry, list[Spec], list[list[Pt]]]:
    toes = toe_shapes()
    outline = clean(unary_union([smooth(SOLE), *toes.values()]))
    specs = toe_specs(toes, plantar=True)
    specs += [
        spec("heel", "Heel", box(-20, -20, 20, 6.3), "all",
             "calcaneal tuberosity; plantar fascia origin; quadratus plantae"),
        spec("ball_of_foot", "Ball of the foot (metatarsal heads)", box(-20, 14.6, 20, 40),
             "all", "metatarsal heads; flexor hallucis brevis; adductor hallucis; "
             "plantar interossei"),
        spec("plantar_fascia", "Plantar fascia (medial arch)", box(-0.9, 6.3, 20, 14.6),
             "all", "plantar fascia; abductor hallucis; flexor digitorum brevis; "
             "quadratus plantae"),
        spec("lateral_sole", "Lateral sole (abductor digiti minimi)", None, "all",
             "abductor digiti minimi; flexor digiti minimi brevis; fibularis longus tendon"),
    ]  # fmt: skip
    details = [
        [(-3.2, 14.8), (-1.0, 15.6), (1.5, 15.6), (3.9, 15.0)],  # metatarsal-head line
        [(-2.3, 5.5), (0.5, 6.6), (2.9, 6.2)],  # edge of the heel pad
    ]
    return outline, specs, details


# --------------------------------------------------------------------------------------------
# Face and neck, front (world x to the viewer's right: the client's left). Chin at y = 0.

HEAD_HALF = [
    (0.0, 23.0), (4.4, 22.3), (6.9, 19.8), (7.6, 15.8), (7.45, 12.0), (7.0, 8.0), (6.3, 4.6),
    (4.7, 1.6), (2.4, 0.25), (0.0, 0.0),
]  # fmt: skip
NECK_HALF = [
    (0.0, 1.0), (5.0, 3.6), (5.35, 0.0), (5.3, -4.2), (6.8, -7.2), (10.6, -9.6), (14.6, -11.3),
    (15.6, -12.6), (15.6, -14.0), (0.0, -14.0),
]  # fmt: skip


def symmetric(half: Sequence[Pt], per_segment: int = 8) -> Polygon:
    """A closed smooth shape symmetric about x = 0 from its half at x >= 0 (listed top to
    bottom, both ends on the axis)."""
    other = [(-x, y) for x, y in reversed(half[1:-1])]
    return smooth([*half, *other], per_segment)


def face_piece() -> Piece:
    head = symmetric(HEAD_HALF)
    ears = unary_union([ellipse(7.55, 10.2, 1.1, 3.0), mirror(ellipse(7.55, 10.2, 1.1, 3.0))])
    neck = Polygon([*NECK_HALF[:-1], *[(-x, y) for x, y in reversed(NECK_HALF[1:-1])]]).buffer(0)
    silhouette = clean(unary_union([head, ears, neck]))
    # Zones on the client's left (x >= 0); midline zones straddle the axis.
    specs = [
        spec("nose", "Nose & upper lip", poly([(-0.9, 11.6), (0.9, 11.6), (1.75, 6.2),
                                               (1.3, 5.3), (-1.3, 5.3), (-1.75, 6.2)]), "all",
             "procerus; nasalis; orbicularis oris (upper)", midline=True),
        spec("mouth_chin", "Mouth & chin", poly([(-2.7, 5.3), (2.7, 5.3), (2.6, 1.0),
                                                 (0.0, -0.2), (-2.6, 1.0)]).intersection(head),
             "all",
             "orbicularis oris; mentalis; depressor anguli oris", midline=True),
        spec("anterior_neck", "Throat (hyoid muscles)",
             poly([(-1.9, 1.4), (1.9, 1.4), (1.9, -10.4), (0.0, -11.0), (-1.9, -10.4)]), "all",
             "platysma; digastric (anterior belly); mylohyoid; infrahyoid muscles; "
             "longus colli", "caution", midline=True),
        spec("ear", "Ear", ellipse(7.55, 10.2, 1.1, 3.0), "all", "auricular muscles"),
        spec("tmj", "Temporomandibular joint (TMJ)", ellipse(6.25, 9.55, 0.85, 1.05), "all",
             "TMJ capsule; lateral pterygoid (intra-oral)", "caution"),
        spec("orbit", "Eye & brow", ellipse(3.3, 11.6, 2.3, 1.45),
             "all", "orbicularis oculi; corrugator supercilii", "caution"),
        spec("masseter", "Masseter", poly([(4.1, 8.7), (6.95, 8.7), (6.55, 4.4), (5.2, 2.3),
                                           (3.9, 2.9), (3.7, 5.8)]), "all",
             "masseter (superficial and deep); medial pterygoid (intra-oral)"),
        spec("temple", "Temporalis (temple)", poly([(4.9, 10.9), (9, 10.9), (9, 19.5),
                                                        (5.6, 19.0), (4.7, 14.0)]), "all",
             "temporalis; auricular muscles"),
        spec("frontalis", "Frontalis (forehead)", box(-0.0001, 13.2, 20, 30), "all",
             "frontalis; galea aponeurotica; corrugator supercilii"),
        spec("cheek", "Cheek (zygomatic)", box(-0.0001, 2.0, 20, 13.2),
             "all", "zygomaticus major and minor; buccinator; levator labii superioris"),
        spec("sternocleidomastoid", "Sternocleidomastoid (SCM)",
             tube([(6.1, 6.2), (5.3, 1.0), (3.7, -5.0), (1.95, -10.6)], 2.5), "all",
             "SCM sternal division; SCM clavicular division; scalenes (behind it)", "caution"),
        spec("scalenes", "Scalenes (side of neck)",
             poly([(4.7, -1.0), (6.2, -6.8), (9.6, -9.4), (6.2, -11.6), (3.2, -8.6)]), "all",
             "anterior scalene; middle scalene; posterior scalene; omohyoid; brachial plexus",
             "caution"),
        spec("upper_trapezius", "Upper trapezius", poly([(5.2, -2.0), (20, -2.0), (20, -14.5),
                                                         (9.8, -14.5), (6.4, -8.2)]), "all",
             "upper trapezius; levator scapulae; supraspinatus"),
        spec("submandibular", "Under the jaw (suprahyoids)", box(-0.0001, -4.0, 20, 2.6),
             "all", "digastric; mylohyoid; stylohyoid; submandibular gland"),
        spec("supraclavicular", "Above the collarbone (supraclavicular)", None, "all",
             "omohyoid; subclavian artery; brachial plexus", "caution"),
    ]  # fmt: skip
    details = [
        [(-5.3, -11.8), (-3.2, -11.2), (-0.9, -11.0)],  # clavicles
        [(5.3, -11.8), (3.2, -11.2), (0.9, -11.0)],
        [(-8.5, -10.6), (-5.3, -11.8)],
        [(8.5, -10.6), (5.3, -11.8)],
        [(-5.0, 12.9), (-3.4, 13.4), (-1.6, 12.9)],  # brows
        [(5.0, 12.9), (3.4, 13.4), (1.6, 12.9)],
        [(-1.6, 3.2), (0.0, 3.45), (1.6, 3.2)],  # lips
        [
            (-6.3, 4.6),
            (-4.7, 1.6),
            (-2.4, 0.25),
            (0.0, 0.0),
            (2.4, 0.25),
            (4.7, 1.6),
            (6.3, 4.6),
        ],  # jaw line
    ]
    return Piece(silhouette, specs, "", details)


# --------------------------------------------------------------------------------------------
# Head and neck from the side: the client's left side, facing the viewer's left; chin at y = 0.

PROFILE = [
    (-1.0, 23.0), (4.6, 22.0), (8.6, 18.4), (10.0, 13.4), (9.2, 8.6), (7.2, 6.2), (6.0, 2.0),
    (6.6, -4.6), (9.2, -8.0), (12.4, -9.6), (13.2, -11.5), (-6.0, -11.5), (-5.3, -8.4),
    (-4.4, -4.6), (-4.8, 0.6), (-7.4, 0.0), (-9.1, 1.3), (-8.9, 3.5), (-9.6, 5.1), (-9.3, 7.1),
    (-10.9, 8.0), (-8.7, 12.0), (-9.3, 13.3), (-9.0, 16.6), (-6.9, 20.6),
]  # fmt: skip


def lateral_head_piece() -> Piece:
    silhouette = clean(smooth(PROFILE, per_segment=10))
    specs = [
        spec("face_profile", "Face profile (nose, lips, chin)",
             poly([(-7.7, 1.2), (-7.9, 12.6), (-14, 12.6), (-14, 1.2)]), "all",
             "procerus; nasalis; orbicularis oris; mentalis", midline=True),
        spec("anterior_neck", "Throat (hyoid muscles)",
             poly([(-3.6, -0.5), (-3.4, -6.0), (-4.0, -14.5), (-12, -14.5), (-12, -0.5)]), "all",
             "platysma; infrahyoid muscles; larynx; longus colli", "caution", midline=True),
        spec("ear", "Ear", ellipse(1.6, 10.1, 1.55, 3.0, -12), "all", "auricular muscles"),
        spec("tmj", "Temporomandibular joint (TMJ)", ellipse(-0.85, 9.3, 0.85, 1.05), "all",
             "TMJ capsule; lateral pterygoid (intra-oral)", "caution"),
        spec("orbit", "Eye & brow", ellipse(-7.3, 11.9, 1.5, 1.35),
             "all", "orbicularis oculi", "caution"),
        spec("suboccipital", "Suboccipitals (base of skull)",
             poly([(2.9, 7.9), (9.6, 8.2), (8.4, 4.5), (3.4, 4.7)]), "all",
             "rectus capitis posterior major; rectus capitis posterior minor; obliquus capitis "
             "superior; obliquus capitis inferior; semispinalis capitis"),
        spec("masseter", "Masseter", poly([(-1.3, 8.3), (-5.4, 8.3), (-6.0, 3.3), (-3.9, 2.5),
                                           (-0.9, 4.0)]), "all",
             "masseter (superficial and deep); medial pterygoid (intra-oral)"),
        spec("temple", "Temporalis (temple)", poly([(-6.2, 12.6), (-5.6, 17.4), (-1.0, 18.9),
                                                        (4.2, 17.2), (4.8, 13.4), (2.4, 13.3),
                                                        (-2.5, 12.0)]), "all",
             "temporalis; auricular muscles"),
        spec("frontalis", "Frontalis (forehead)", poly([(-5.8, 12.7), (-5.2, 30), (-20, 30),
                                                        (-20, 12.7)]), "all",
             "frontalis; corrugator supercilii"),
        spec("occipital", "Occiput (back of head)", box(2.6, 7.9, 20, 16.8), "all",
             "occipitalis; semispinalis capitis insertion; splenius capitis insertion"),
        spec("scalp", "Top of the head (scalp)", box(-20, 12.0, 20, 30), "all",
             "galea aponeurotica; temporoparietalis"),
        spec("cheek", "Cheek (zygomatic)", poly([(-20, 12.7), (-0.2, 12.7), (-0.2, 4.1),
                                                 (-0.9, 3.95), (-4.0, 2.4), (-8.2, 0.9),
                                                 (-20, 0.9)]), "all",
             "zygomaticus major and minor; buccinator"),
        spec("sternocleidomastoid", "Sternocleidomastoid (SCM)",
             tube([(1.9, 6.6), (0.4, 2.5), (-1.9, -4.0), (-4.0, -11.5)], 2.6), "all",
             "SCM sternal division; SCM clavicular division; scalenes (behind it)", "caution"),
        spec("levator_scapulae_neck", "Levator scapulae (side of neck)",
             poly([(2.2, 5.2), (3.5, 5.4), (6.1, -8.4), (4.6, -8.6)]), "all",
             "levator scapulae"),
        spec("scalenes", "Scalenes (side of neck)",
             poly([(-0.9, 1.2), (3.0, 1.0), (4.4, -8.6), (0.4, -11.5), (-2.4, -6.0)]), "all",
             "anterior scalene; middle scalene; posterior scalene; brachial plexus", "caution"),
        spec("posterior_neck", "Back of the neck (splenius, semispinalis)",
             box(2.4, -5.0, 20, 8.0), "all",
             "splenius capitis; splenius cervicis; semispinalis capitis; cervical multifidi"),
        spec("upper_trapezius", "Upper trapezius", poly([(4.2, -3.0), (20, -3.0), (20, -14.5),
                                                         (1.0, -14.5)]), "all",
             "upper trapezius; levator scapulae; supraspinatus"),
        spec("submandibular", "Under the jaw (suprahyoids)",
             poly([(-8.2, 0.9), (-4.0, 2.4), (-0.9, 3.95), (-0.1, 3.2), (-1.0, -2.2),
                   (-4.6, -2.0), (-8.2, -1.0)]), "all",
             "digastric; mylohyoid; stylohyoid; submandibular gland"),
        spec("supraclavicular", "Above the collarbone (supraclavicular)", None, "all",
             "omohyoid; subclavian artery; brachial plexus", "caution"),
    ]  # fmt: skip
    details = [
        [(-8.6, 12.0), (-8.0, 11.2)],  # eye line
        [(-9.3, 5.05), (-8.2, 5.1)],  # lips
        [(-8.0, 0.8), (-4.0, 2.4), (-0.9, 3.95), (-0.5, 4.6), (-0.8, 8.2)],  # jaw and ramus
        [(-5.2, -10.2), (-1.5, -9.8), (3.5, -9.6)],  # clavicle
    ]
    return Piece(silhouette, specs, "left", details)


# --------------------------------------------------------------------------------------------
# Assembly


def cut(piece_outline: BaseGeometry, specs: list[Spec]) -> dict[str, BaseGeometry]:
    parts = partition(piece_outline, specs, {"all": piece_outline})
    return {stem: clean(shapely.make_valid(geom)) for stem, geom in parts.items()}


def placed(geom: BaseGeometry, flip: bool, dx: float) -> BaseGeometry:
    """A piece's local geometry placed in the view: mirrored when ``flip``, then moved by dx."""
    g = affinity.scale(geom, -1.0, 1.0, origin=(0, 0)) if flip else geom
    return clean(shapely.make_valid(affinity.translate(g, dx, 0.0)))


def placed_line(line: list[Pt], flip: bool, dx: float) -> list[Pt]:
    return [((-x if flip else x) + dx, y) for x, y in line]


def pair_view(
    view_id: str,
    name: str,
    caption: str,
    letters: tuple[str, str],
    build: tuple[BaseGeometry, list[Spec], list[list[Pt]]],
    right_at_viewer_left: bool,
    thumb_outward: bool,
    spread: float,
) -> DetailView:
    """Two limbs (hands or feet) side by side, the client's right one where ``letters`` say.

    A piece is drawn with its +u (thumb or big toe) side to world +x. The limb at the viewer's
    right has that side outward when ``thumb_outward`` (hands, in anatomical position), inward
    otherwise (feet, big toes toward the midline).
    """
    outline, specs, details = build
    regions_local = cut(outline, specs)
    right_x = -spread if right_at_viewer_left else spread
    regions: list[tuple[Spec, str, BaseGeometry]] = []
    lines: list[list[Pt]] = []
    for side, dx in (("right", right_x), ("left", -right_x)):
        at_viewer_right = dx > 0
        flip = at_viewer_right != thumb_outward
        for s in specs:
            regions.append((s, side, placed(regions_local[s.stem], flip, dx)))
        lines += [placed_line(line, flip, dx) for line in details]
    return DetailView(view_id, name, caption, letters, regions, lines, mirrored=True)


def face_view() -> DetailView:
    piece = face_piece()
    half = piece.silhouette.intersection(box(0.0, -50, 50, 50))
    mids = [s for s in piece.specs if s.midline]
    sides = [s for s in piece.specs if not s.midline]
    # The left half holds the midline regions' right halves too: cut it once, then mirror.
    cut_half = cut(half, [*mids, *sides])
    regions: list[tuple[Spec, str, BaseGeometry]] = []
    for s in mids:
        whole = unary_union([cut_half[s.stem], mirror(cut_half[s.stem])]).buffer(0)
        regions.append((s, "midline", clean(whole)))
    for s in sides:
        regions.append((s, "right", mirror(cut_half[s.stem])))
    for s in sides:
        regions.append((s, "left", cut_half[s.stem]))
    return DetailView(
        "face", "Face and neck", "Face and neck — client's R on viewer's L", ("R", "L"),
        regions, piece.details,
    )  # fmt: skip


def lateral_head_views() -> list[DetailView]:
    piece = lateral_head_piece()
    parts = cut(piece.silhouette, piece.specs)
    views = []
    for view_id, side, flip, caption, letters in (
        ("head_left_lateral", "left", False,
         "Head and neck, left side — client's L side (facing viewer's left)", ("Front", "Back")),
        ("head_right_lateral", "right", True,
         "Head and neck, right side — client's R side (facing viewer's right)",
         ("Back", "Front")),
    ):  # fmt: skip
        regions = [
            (s, "midline" if s.midline else side, placed(parts[s.stem], flip, 0.0))
            for s in piece.specs
        ]
        lines = [placed_line(line, flip, 0.0) for line in piece.details]
        name = "Head and neck, left" if side == "left" else "Head and neck, right"
        views.append(DetailView(view_id, name, caption, letters, regions, lines))
    return views


#: The hand and foot views: id, name, caption, the letters at the viewer's left and right, the
#: limb drawn, whether the client's right one is at the viewer's left, whether the thumb (or big
#: toe) points outward, and the distance of each limb's axis from the centre.
PAIR_VIEWS = (
    ("hands_palmar", "Hands, palms", "Palms — client's R on viewer's L (thumbs outward)",
     ("R", "L"), palmar_hand, True, True, 7.6),
    ("hands_dorsal", "Hands, backs", "Backs of the hands — client's R on viewer's R",
     ("L", "R"), dorsal_hand, False, True, 7.6),
    ("feet_dorsal", "Feet, tops", "Tops of the feet — client's R on viewer's L",
     ("R", "L"), dorsal_foot, True, False, 6.6),
    ("feet_plantar", "Feet, soles", "Soles — client's R on viewer's R",
     ("L", "R"), plantar_foot, False, False, 6.6),
)  # fmt: skip


def detail_views() -> list[DetailView]:
    pairs = [
        pair_view(view_id, name, caption, letters, build(), right_at_viewer_left=right_left,
                  thumb_outward=outward, spread=spread)
        for view_id, name, caption, letters, build, right_left, outward, spread in PAIR_VIEWS
    ]  # fmt: skip
    return [face_view(), *lateral_head_views(), *pairs]


# --------------------------------------------------------------------------------------------
# Output

GRID = 1e-5


def inner_point(geom: BaseGeometry, aspect: float) -> Pt:
    """A point well inside the largest piece (pole of inaccessibility, found isotropically)."""
    piece = max(polygons_of(geom), key=lambda p: p.area)
    iso = affinity.scale(piece, aspect, 1.0, origin=(0, 0))
    label = polylabel(iso, tolerance=1e-5)
    pt = Point(label.x / aspect, label.y)
    if not piece.contains(pt):
        pt = piece.representative_point()
    return (r5(pt.x), r5(pt.y))


def write(view: DetailView) -> str:
    """Write one view in frame fractions; returns its file name."""
    world = unary_union([g for _, _, g in view.regions])
    x0, y0, x1, y1 = world.bounds
    width, height = x1 - x0 + 2 * MARGIN, y1 - y0 + 2 * MARGIN
    aspect = round(width / height, 4)
    to_frame = [1 / width, 0.0, 0.0, -1 / height, (MARGIN - x0) / width, (y1 + MARGIN) / height]
    framed = [affinity.affine_transform(g, to_frame) for _, _, g in view.regions]
    if view.mirrored:
        # Snap the client's right limb to the output grid; the left is its exact mirror image.
        right = [i for i, (_, side, _) in enumerate(view.regions) if side == "right"]
        snapped = dict(zip(right, snap_coverage([framed[i] for i in right]), strict=True))
        twin = {(s.stem, side): i for i, (s, side, _) in enumerate(view.regions)}
        frames = [
            snapped[i]
            if side == "right"
            else affinity.affine_transform(snapped[twin[(s.stem, "right")]], MIRROR_FRAME)
            for i, (s, side, _) in enumerate(view.regions)
        ]
    else:
        frames = snap_coverage(framed)
    for (s, side, _), g in zip(view.regions, frames, strict=True):
        if g.is_empty:
            raise SystemExit(f"{view.id}: region {s.stem} ({side}) is empty")
    silhouette = clean(unary_union(frames))
    regions = []
    for (s, side, _), g in zip(view.regions, frames, strict=True):
        suffix = {"right": ".r", "left": ".l", "midline": ""}[side]
        regions.append(
            {
                "id": s.stem + suffix,
                "name": s.name,
                "side": side,
                "deep_muscles": list(s.deep),
                "flags": list(s.flags),
                "inner_point": list(inner_point(g, aspect)),
                "polygons": polys_out(g),
            }
        )
    a, _, _, e, xo, yo = to_frame
    data = {
        "id": view.id,
        "name": view.name,
        "caption": view.caption,
        "letters": list(view.letters),
        "aspect": aspect,
        "silhouette": polys_out(silhouette),
        "detail_lines": [
            [[r5(a * x + xo), r5(e * y + yo)] for x, y in line] for line in view.details
        ],
        "regions": regions,
    }
    return write_view_file(data, f"aspect {aspect}")


def write_view_file(data: dict[str, object], note: str, version: int = VERSION) -> str:
    """Write one view's data into a version's folder (this one's by default); returns its name
    in the index."""
    name = f"v{version}/{data['id']}.json"
    text = json.dumps(data, separators=(",", ":"))
    (ATLAS_DIR / name).write_text(text + "\n", encoding="utf-8")
    count = len(data["regions"])  # type: ignore[arg-type]
    print(f"{data['id']}: {count} regions, {note}, {len(text) / 1024:.0f} KiB")
    return name


# --------------------------------------------------------------------------------------------
# Deep layer: the anterior and posterior figures of version 1 with the deep muscles charted
# through them cut out as regions of their own. Zones are in the core figure's world units
# (``build_atlas``: d from the midline toward the viewer's right, h up from the floor, stature
# H = 1), drawn on the viewer's right half and mirrored.

DEEP_POSTERIOR = [  # the viewer's right is the client's right
    spec("deep_multifidi", "Lumbar multifidi (deep)",
         smooth([(0.0085, 0.664), (0.0185, 0.664), (0.0185, 0.553), (0.0085, 0.553)]), "all",
         "multifidus; rotatores; interspinales"),
    spec("deep_quadratus_lumborum", "Quadratus lumborum (deep)",
         smooth([(0.021, 0.657), (0.046, 0.653), (0.052, 0.606), (0.022, 0.600)]), "all",
         "quadratus lumborum; iliolumbar ligament"),
    spec("deep_piriformis", "Piriformis (deep)",
         smooth([(0.024, 0.568), (0.092, 0.535), (0.092, 0.522), (0.026, 0.551)]), "all",
         "piriformis; sciatic nerve (under or through it)", "caution"),
    spec("deep_hip_rotators", "Deep hip rotators (gemelli, obturator internus, quadratus "
         "femoris)", smooth([(0.035, 0.510), (0.092, 0.518), (0.090, 0.503), (0.037, 0.495)]),
         "all", "superior and inferior gemellus; obturator internus; quadratus femoris; sciatic "
         "nerve", "caution"),
    spec("deep_rotator_cuff", "Rotator cuff tendons (under the deltoid)",
         smooth([(0.094, 0.822), (0.118, 0.818), (0.121, 0.797), (0.098, 0.792)]), "all",
         "supraspinatus tendon; infraspinatus tendon; teres minor tendon; subacromial bursa"),
    spec("deep_subscapularis", "Subscapularis (under the scapula, from the axilla)",
         smooth([(0.047, 0.763), (0.090, 0.797), (0.085, 0.804), (0.046, 0.776)]), "all",
         "subscapularis; axillary nerve and vessels (in the axilla)", "caution"),
    spec("deep_serratus", "Serratus anterior (under the scapula and latissimus)",
         smooth([(0.070, 0.772), (0.087, 0.768), (0.086, 0.716), (0.068, 0.722)]), "all",
         "serratus anterior; long thoracic nerve"),
]  # fmt: skip

DEEP_ANTERIOR = [  # the viewer's right is the client's left
    spec("deep_psoas", "Psoas major (deep)",
         smooth([(0.012, 0.662), (0.029, 0.662), (0.047, 0.590), (0.058, 0.520), (0.055, 0.472),
               (0.046, 0.470), (0.040, 0.520), (0.027, 0.590)]), "all",
         "psoas major; psoas minor; abdominal aorta and iliac arteries (beside it)", "caution"),
    spec("deep_iliacus", "Iliacus (deep, in the iliac fossa)",
         smooth([(0.049, 0.603), (0.084, 0.590), (0.079, 0.560), (0.061, 0.528), (0.050, 0.548)]),
         "all", "iliacus; femoral nerve (below the inguinal ligament)", "caution"),
    spec("deep_pec_minor", "Pectoralis minor (under the pectoralis major)",
         smooth([(0.084, 0.799), (0.077, 0.792), (0.042, 0.770), (0.041, 0.741), (0.061, 0.757)]),
         "all", "pectoralis minor; brachial plexus and axillary vessels (under it)", "caution"),
    spec("deep_scalenes", "Scalenes (deep, under the SCM)",
         smooth([(0.030, 0.850), (0.042, 0.852), (0.060, 0.826), (0.046, 0.822)]), "all",
         "anterior scalene; middle scalene; brachial plexus", "caution"),
]  # fmt: skip

CORE_TOP, CORE_FIG, CORE_K = 0.03, 0.94, 0.94 / 0.5  # build_atlas's frame of the core views
CORE_MATRIX = [CORE_K, 0.0, 0.0, -CORE_FIG, 0.5, CORE_TOP + CORE_FIG]


def _core_view(view_id: str) -> dict[str, object]:
    return json.loads((ATLAS_DIR / f"v{CORE_FROM}" / f"{view_id}.json").read_text("utf-8"))


def _geometry(polygons: list[list[list[list[float]]]]) -> BaseGeometry:
    return unary_union([Polygon(p[0], p[1:]) for p in polygons])


def deep_view(
    core_id: str,
    specs: list[Spec],
    right_at_viewer_right: bool,
    core: dict[str, object] | None = None,
    version: int = VERSION,
    deep_fibres: dict[str, list[list[Pt]]] | None = None,
) -> str:
    """The core view (version 1's unless given) with its deep muscles cut out as regions; writes
    it into that version's folder, returns its name. The core view's fibre lines are kept
    outside the deep muscles."""
    if core is None:
        core = _core_view(core_id)
    silhouette = _geometry(core["silhouette"])  # type: ignore[arg-type]
    deep: list[tuple[dict[str, object], BaseGeometry]] = []
    for s in specs:
        near = clean(affinity.affine_transform(s.zone, CORE_MATRIX).intersection(silhouette))
        far = affinity.affine_transform(near, MIRROR_FRAME)
        near_side, far_side = ("right", "left") if right_at_viewer_right else ("left", "right")
        for side, geom in ((near_side, near), (far_side, far)):
            entry: dict[str, object] = {"id": f"{s.stem}.{side[0]}", "name": s.name,
                                        "side": side, "deep_muscles": list(s.deep),
                                        "flags": list(s.flags)}  # fmt: skip
            deep.append((entry, geom))
    carved = unary_union([geom for _, geom in deep])
    surface: list[tuple[dict[str, object], BaseGeometry]] = []
    for region in core["regions"]:  # type: ignore[attr-defined]
        rest = clean(_geometry(region["polygons"]).difference(carved))
        if rest.is_empty:
            raise SystemExit(f"{core_id}: the deep layer covers all of {region['id']}")
        kept: dict[str, object] = {
            k: region[k] for k in ("id", "name", "side", "deep_muscles", "flags")
        }
        surface.append((kept, rest))
    entries = [*deep, *surface]
    frames = snap_coverage([geom for _, geom in entries])
    regions = []
    for (known, _), g in zip(entries, frames, strict=True):
        if g.is_empty:
            raise SystemExit(f"{core_id}_deep: region {known['id']} is empty")
        regions.append(known | {"inner_point": list(inner_point(g, 0.5)), "polygons": polys_out(g)})
    outlines = [
        [[r5(x), r5(y)] for x, y in piece.exterior.coords]
        for _, geom in deep
        for piece in polygons_of(geom)
    ]
    view_id = f"{core_id}_deep"
    label = "Anterior" if core_id == "anterior" else "Posterior"
    data = {
        "id": view_id,
        "name": f"{label}, deep layer",
        "caption": f"{label}, deep layer — " + str(core["caption"]).split("— ", 1)[1],
        "letters": ["L", "R"] if right_at_viewer_right else ["R", "L"],
        "aspect": core["aspect"],
        "silhouette": core["silhouette"],
        "detail_lines": [*core["detail_lines"], *outlines],  # type: ignore[misc]
        "regions": regions,
    }
    if core.get("fibre_lines"):
        fibres = _lines_outside(core["fibre_lines"], carved)  # type: ignore[arg-type]
        for stem, lines in (deep_fibres or {}).items():  # world lines of the near side
            near = next(g for e, g in deep if e["id"] == f"{stem}.{near_side[0]}")
            for line in lines:
                framed = affinity.affine_transform(LineString(line), CORE_MATRIX)
                cut = framed.intersection(near.buffer(-0.0015))
                for piece in getattr(cut, "geoms", [cut]):
                    if isinstance(piece, LineString) and piece.length > 0.004:
                        for g in (piece, affinity.affine_transform(piece, MIRROR_FRAME)):
                            fibres.append([[r5(x), r5(y)] for x, y in g.coords])
        data["fibre_lines"] = fibres
    return write_view_file(data, f"{len(deep)} deep", version)


def _lines_outside(lines: list[list[list[float]]], area: BaseGeometry) -> list[list[list[float]]]:
    """The stretches of these lines that lie outside ``area``."""
    out: list[list[list[float]]] = []
    for line in lines:
        rest = LineString(line).difference(area.buffer(0.002))
        for piece in getattr(rest, "geoms", [rest]):
            if isinstance(piece, LineString) and piece.length > 0.004:
                out.append([[r5(x), r5(y)] for x, y in piece.coords])
    return out


def main() -> None:
    (ATLAS_DIR / f"v{VERSION}").mkdir(parents=True, exist_ok=True)
    index = json.loads((ATLAS_DIR / "index.json").read_text(encoding="utf-8"))
    views = dict(index["versions"][str(CORE_FROM)]["views"])
    views["anterior_deep"] = deep_view("anterior", DEEP_ANTERIOR, right_at_viewer_right=False)
    views["posterior_deep"] = deep_view("posterior", DEEP_POSTERIOR, right_at_viewer_right=True)
    for view in detail_views():
        views[view.id] = write(view)
    index["versions"][str(VERSION)] = {"views": views}
    write_index(index)


def write_index(index: dict[str, Any]) -> None:
    """Write the atlas index: the newest version current, and the bytes of every file listed."""
    index["current"] = max(int(v) for v in index["versions"])
    index["files"] = {
        name: hashlib.sha256((ATLAS_DIR / name).read_bytes()).hexdigest()
        for entry in index["versions"].values()
        for name in entry["views"].values()
    }
    (ATLAS_DIR / "index.json").write_text(json.dumps(index, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
