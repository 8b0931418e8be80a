"""A client's pain map the tests share, scored by hand: 8 WPI areas over all 5 regions (left
and right shoulder girdle, right upper arm, left lower arm, lower back, neck, right hip, left
upper leg); symptoms 2 + 2 + 1 + headaches = SSS 6; FS 14; the 2016 criteria met."""

from __future__ import annotations

WIDESPREAD = [
    "posterior:upper_trapezius.l", "posterior:upper_trapezius.r", "anterior:biceps.r",
    "anterior:forearm_flexors.l", "posterior:lumbar_spine", "posterior:cervical_spine",
    "posterior:gluteus_maximus.r", "posterior:medial_hamstring.l",
]  # fmt: skip
SYMPTOMS = {
    "fatigue": 2, "unrefreshed": 2, "cognitive": 1, "headaches": 1, "abdomen": 0, "depression": 0,
}  # fmt: skip
