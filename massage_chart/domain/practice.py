"""The practice and its therapists as plain values: the letterhead, who charts and who signs.
``storage.mapping`` is the one place their rows become these."""

from __future__ import annotations

from dataclasses import dataclass

from massage_chart.domain.presentation import person_name
from massage_chart.domain.record_kinds import UnitRule


@dataclass(frozen=True)
class PracticeInfo:
    """The clinic or sole practice: the letterhead of every document and its billing default."""

    id: str = ""
    name: str = ""
    address: str = ""
    phone: str = ""
    email: str = ""
    website: str = ""
    tax_id: str = ""
    logo_png: bytes | None = None
    default_unit_rule: UnitRule = UnitRule.CMS


@dataclass(frozen=True)
class ProviderInfo:
    """A therapist who charts and signs visits."""

    id: str = ""
    first_name: str = ""
    last_name: str = ""
    credentials: str = ""
    license_number: str = ""
    license_jurisdiction: str = ""
    npi: str = ""
    email: str = ""
    phone: str = ""
    signature_png: bytes | None = None
    active: bool = True

    @property
    def name(self) -> str:
        """First and last name ("Sam Lee")."""
        return person_name(self.first_name, self.last_name)

    @property
    def display_name(self) -> str:
        """Name with credentials, as printed on a note ("Sam Lee, LMT")."""
        return f"{self.name}, {self.credentials}" if self.credentials else self.name
