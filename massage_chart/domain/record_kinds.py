"""Enumerations of the clinical record shared by storage, export and the window."""

from __future__ import annotations

import enum


class PayerType(enum.Enum):
    """Who pays for the visits of a claim."""

    SELF_PAY = "self_pay"
    COMMERCIAL = "commercial"
    PIP = "pip"
    WORKERS_COMP = "workers_comp"
    OTHER = "other"


class UnitRule(enum.Enum):
    """How timed minutes become billing units."""

    CMS = "cms"
    AMA = "ama"


class VisitStatus(enum.Enum):
    """A visit is a draft until it is signed; a signed visit never changes."""

    DRAFT = "draft"
    SIGNED = "signed"


class ConsentKind(enum.Enum):
    """What a recorded consent covers."""

    TREATMENT = "treatment"
    SENSITIVE_AREAS = "sensitive_areas"
    THIRD_PARTY_BILLING = "third_party_billing"


class MedicationClass(enum.Enum):
    """Medication classes that change what massage is safe (DOMAIN.md §4.3)."""

    ANTICOAGULANT = "anticoagulant"
    ANTIPLATELET = "antiplatelet"
    CORTICOSTEROID = "corticosteroid"
    OPIOID = "opioid"
    MUSCLE_RELAXANT = "muscle_relaxant"
    ANALGESIC = "analgesic"
    NSAID = "nsaid"
    ANTIHYPERTENSIVE = "antihypertensive"
    INSULIN = "insulin"
    CHEMOTHERAPY = "chemotherapy"
    OTHER = "other"
