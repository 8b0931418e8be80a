"""The practice and its therapists as Settings edits them: checked, written, audited.

Each function takes the Session of one user action (open it with ``database.write()``, which
begins with ``BEGIN IMMEDIATE`` on SQLite) and writes an audit event in the same transaction.
Text is checked against ``domain.limits`` and refused in plain words, never cut; images are
checked to be a real PNG or JPEG of sane size, then stored as a PNG no larger than the PDF needs.
"""

from __future__ import annotations

import dataclasses
import io
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from massage_chart.domain import limits
from massage_chart.domain.identifiers import npi_problem
from massage_chart.domain.practice import PracticeInfo, ProviderInfo
from massage_chart.domain.record_kinds import UnitRule
from massage_chart.storage import audit
from massage_chart.storage.mapping import practice_info_of, provider_info_of
from massage_chart.storage.models import HealthHistory, Practice, Provider, Visit
from massage_chart.storage.repositories import NotFoundError, get_practice

MAX_IMAGE_FILE_BYTES = 10 * 1024 * 1024
"""The largest image file accepted (a phone photo of a signature is 2-6 MB)."""
MAX_IMAGE_PIXELS = 40_000_000
"""The most pixels an image may claim before it is decoded (guards against decompression bombs)."""
STORED_IMAGE_SIDE = 1200
"""Images are scaled down to this many pixels on their longer side: more than 600 dpi at the
40 mm a logo is printed, and it keeps each PDF small."""
MIN_IMAGE_SIDE = 8

PRACTICE_TEXT_FIELDS = tuple(limits.PRACTICE)
PROVIDER_TEXT_FIELDS = tuple(limits.PROVIDER)
_SINGLE_LINE = frozenset(PRACTICE_TEXT_FIELDS + PROVIDER_TEXT_FIELDS) - {"address"}


class FieldRefusedError(limits.InputRefusedError):
    """A value was refused before anything was written.

    Attributes:
        field: the attribute refused ("npi", "logo_png"...), so a form can show the message
            next to it.
    """

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class ImageRefusedError(ValueError):
    """An image file is not a usable PNG or JPEG; the message says why in plain words."""


class ProviderInUseError(Exception):
    """A provider with visits or history entries cannot be removed, only deactivated."""


# --------------------------------------------------------------------------- images


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def _kind_of(data: bytes) -> str | None:
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    return None


def _not_an_image(data: bytes, label: str) -> str:
    if data.startswith(b"%PDF"):
        return f"The {label} file is a PDF, not an image. Save it as a PNG or JPEG and choose that."
    if data[:4] in (b"GIF8", b"RIFF", b"II*\x00", b"MM\x00*") or data[4:12] in (
        b"ftypheic",
        b"ftypmif1",
        b"ftypheix",
    ):
        return f"The {label} file is an image type the PDFs cannot use. Save it as a PNG or JPEG."
    return f"The {label} file is not a PNG or JPEG image."


def prepare_image(data: bytes, label: str = "image") -> bytes:
    """Check that ``data`` is a whole PNG or JPEG of sane size and return it as the PNG stored.

    The image is turned upright (phone photos carry their rotation separately), scaled down to at
    most ``STORED_IMAGE_SIDE`` pixels on its longer side, and kept with its transparency.

    Raises:
        ImageRefusedError: with a message that names ``label`` ("logo", "signature").
    """
    from PIL import Image, ImageOps

    if len(data) > MAX_IMAGE_FILE_BYTES:
        raise ImageRefusedError(
            f"The {label} file is {_megabytes(len(data))}; the most is "
            f"{_megabytes(MAX_IMAGE_FILE_BYTES)}. Crop or shrink it, or export it at a smaller size."
        )
    if not data:
        raise ImageRefusedError(f"The {label} file is empty.")
    kind = _kind_of(data)
    if kind is None:
        raise ImageRefusedError(_not_an_image(data, label))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                width, height = probe.size
                if width * height > MAX_IMAGE_PIXELS:
                    raise ImageRefusedError(
                        f"The {label} is {width:,} × {height:,} pixels, far more than it needs; "
                        f"shrink it below {STORED_IMAGE_SIDE * 2:,} pixels wide and choose it again."
                    )
                probe.verify()
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                upright = ImageOps.exif_transpose(image)
    except ImageRefusedError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageRefusedError(
            f"The {label} has far too many pixels to open safely; shrink it below "
            f"{STORED_IMAGE_SIDE * 2:,} pixels wide and choose it again."
        ) from exc
    except (OSError, ValueError, SyntaxError) as exc:
        raise ImageRefusedError(
            f"The {label} file looks like a {kind} but is damaged or cut short ({exc})."
        ) from exc
    if min(upright.size) < MIN_IMAGE_SIDE:
        raise ImageRefusedError(
            f"The {label} is only {upright.width} × {upright.height} pixels; choose a larger one."
        )
    if upright.mode not in ("RGB", "RGBA", "L", "LA", "P"):
        upright = upright.convert("RGBA" if "A" in upright.getbands() else "RGB")
    if max(upright.size) > STORED_IMAGE_SIDE:
        upright.thumbnail((STORED_IMAGE_SIDE, STORED_IMAGE_SIDE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    upright.save(out, format="PNG", optimize=True)
    return out.getvalue()


def read_image_file(path: Path, label: str = "image") -> bytes:
    """Read and check an image file the user chose (see ``prepare_image``).

    Raises:
        ImageRefusedError: the file is missing, unreadable, too large or not a PNG or JPEG.
    """
    try:
        if path.is_dir():
            raise ImageRefusedError(f"{path} is a folder; choose the {label} image file in it.")
        size = path.stat().st_size
        if size > MAX_IMAGE_FILE_BYTES:
            raise ImageRefusedError(
                f"The {label} file {path.name} is {_megabytes(size)}; the most is "
                f"{_megabytes(MAX_IMAGE_FILE_BYTES)}. Crop or shrink it, or export it at a "
                "smaller size."
            )
        data = path.read_bytes()
    except OSError as exc:
        raise ImageRefusedError(
            f"The {label} file {path} cannot be read: {exc.strerror or exc}."
        ) from exc
    return prepare_image(data, label)


# --------------------------------------------------------------------------- the practice


PRACTICE_FIELDS = (*PRACTICE_TEXT_FIELDS, "logo_png", "default_unit_rule")


def read_practice(session: Session) -> PracticeInfo:
    """The practice's details; empty ones (id "") when the database has none yet."""
    practice = get_practice(session)
    return practice_info_of(practice) if practice is not None else PracticeInfo()


def _clean(field: str, value: Any) -> Any:
    """Single-line text without the spaces around it (pasted text often carries some)."""
    if field in _SINGLE_LINE and isinstance(value, str):
        return value.strip()
    return value


def practice_problems(changes: Mapping[str, Any]) -> dict[str, str]:
    """What is wrong with each changed practice field, by field name (empty when all is well)."""
    problems: dict[str, str] = {}
    for field, value in changes.items():
        if field in limits.PRACTICE:
            problem = limits.PRACTICE[field].problem(_clean(field, value))
        elif field == "logo_png":
            problem = _stored_image_problem(value, "logo")
        elif field == "default_unit_rule":
            problem = None if isinstance(value, UnitRule) else "Choose the CMS or the AMA rule."
        else:
            problem = f"The practice has no field called {field!r}."
        if problem:
            problems[field] = problem
    return problems


def _stored_image_problem(value: Any, label: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, bytes) or _kind_of(value) != "PNG":
        return f"The {label} must be a PNG prepared by prepare_image()."
    return None


def update_practice(session: Session, changes: Mapping[str, Any]) -> PracticeInfo:
    """Change the named practice fields (creating the practice row if there is none), audited.

    Pass only the fields the user changed, so that two computers editing different fields do
    not undo each other's work.

    Raises:
        FieldRefusedError: a value breaks its limit; nothing is written.
    """
    problems = practice_problems(changes)
    if problems:
        field, message = next(iter(problems.items()))
        raise FieldRefusedError(field, message)
    practice = get_practice(session)
    created = practice is None
    if practice is None:
        practice = Practice(name="")
        session.add(practice)
    changed: list[str] = []
    for field, value in changes.items():
        cleaned = _clean(field, value)
        if getattr(practice, field) != cleaned:
            setattr(practice, field, cleaned)
            changed.append(field)
    if changed or created:
        session.flush()
        audit.record(
            session,
            audit.AuditAction.CREATE if created else audit.AuditAction.CHANGE,
            detail=f"practice {practice.id}: {', '.join(changed) or 'created'}",
        )
    return practice_info_of(practice)


# --------------------------------------------------------------------------- providers


@dataclass(frozen=True)
class ProviderDetails(ProviderInfo):
    """A therapist as the Settings window shows it.

    Attributes:
        visit_count: visits charted or signed by this provider; one with visits can be
            deactivated but never removed.
    """

    visit_count: int = 0

    @property
    def display_name(self) -> str:
        """Name with credentials ("Sam Lee, LMT"), or a placeholder for an unnamed one."""
        name = self.name or "(no name)"
        return f"{name}, {self.credentials}" if self.credentials else name


PROVIDER_FIELDS = (*PROVIDER_TEXT_FIELDS, "signature_png", "active")


def _provider_details(provider: Provider, visit_count: int) -> ProviderDetails:
    info = provider_info_of(provider)
    fields = {field.name: getattr(info, field.name) for field in dataclasses.fields(info)}
    return ProviderDetails(**fields, visit_count=visit_count)


def _visit_count(session: Session, provider_id: str) -> int:
    query = select(func.count(Visit.id)).where(
        or_(Visit.provider_id == provider_id, Visit.signed_by_id == provider_id)
    )
    return int(session.scalar(query) or 0)


def list_provider_details(
    session: Session, *, include_inactive: bool = True
) -> list[ProviderDetails]:
    """Every therapist, active ones first, then by name, with how many visits each has."""
    counts = dict(
        session.execute(
            select(Visit.provider_id, func.count(Visit.id))
            .where(Visit.provider_id.is_not(None))
            .group_by(Visit.provider_id)
        ).all()
    )
    query = select(Provider).order_by(
        Provider.active.desc(), Provider.last_name, Provider.first_name, Provider.id
    )
    if not include_inactive:
        query = query.where(Provider.active.is_(True))
    return [_provider_details(p, int(counts.get(p.id, 0))) for p in session.scalars(query)]


def provider_problems(
    values: Mapping[str, Any], *, session: Session | None = None, provider_id: str | None = None
) -> dict[str, str]:
    """What is wrong with each provider field given, by field name (empty when all is well).

    With a session, an NPI already held by another provider is refused too.
    """
    problems: dict[str, str] = {}
    for field, value in values.items():
        if field in limits.PROVIDER:
            cleaned = _clean(field, value)
            if field == "npi" and isinstance(cleaned, str):
                problem = npi_problem(cleaned)
            else:
                problem = limits.PROVIDER[field].problem(cleaned)
        elif field == "signature_png":
            problem = _stored_image_problem(value, "signature")
        elif field == "active":
            problem = None if isinstance(value, bool) else "Active must be yes or no."
        else:
            problem = f"A provider has no field called {field!r}."
        if problem:
            problems[field] = problem
    npi = _clean("npi", values.get("npi", ""))
    if session is not None and "npi" not in problems and isinstance(npi, str) and npi:
        holder = session.scalar(
            select(Provider).where(Provider.npi == npi, Provider.id != (provider_id or ""))
        )
        if holder is not None:
            problems["npi"] = f"{holder.display_name} already has the NPI {npi}; check for a typo."
    return problems


def _refuse(problems: Mapping[str, str]) -> None:
    if problems:
        field, message = next(iter(problems.items()))
        raise FieldRefusedError(field, message)


def add_provider(session: Session, values: Mapping[str, Any]) -> ProviderDetails:
    """Add a therapist to the practice, audited.

    Raises:
        FieldRefusedError: a value is refused, or neither a first nor a last name is given.
    """
    problems = provider_problems(values, session=session)
    names = [_clean(f, values.get(f, "")) for f in ("first_name", "last_name")]
    if not problems and not any(isinstance(n, str) and n for n in names):
        problems["first_name"] = "Type the provider's first or last name."
    _refuse(problems)
    practice = get_practice(session)
    provider = Provider(
        first_name="",
        last_name="",
        practice_id=practice.id if practice is not None else None,
    )
    for field, value in values.items():
        setattr(provider, field, _clean(field, value))
    session.add(provider)
    session.flush()
    audit.record(
        session,
        audit.AuditAction.CREATE,
        detail=f"provider {provider.id}: added ({', '.join(sorted(values))})",
    )
    return _provider_details(provider, 0)


def update_provider(
    session: Session, provider_id: str, changes: Mapping[str, Any]
) -> ProviderDetails:
    """Change the named fields of a therapist, audited (only the fields given are written).

    Raises:
        NotFoundError: no such provider (removed on another computer, say).
        FieldRefusedError: a value is refused; nothing is written.
    """
    provider = session.get(Provider, provider_id)
    if provider is None:
        raise NotFoundError(f"The provider {provider_id} no longer exists.")
    problems = provider_problems(changes, session=session, provider_id=provider_id)
    merged = {
        f: _clean(f, changes.get(f, getattr(provider, f))) for f in ("first_name", "last_name")
    }
    if not problems and not any(merged.values()):
        problems["first_name"] = "Type the provider's first or last name."
    _refuse(problems)
    changed: list[str] = []
    for field, value in changes.items():
        cleaned = _clean(field, value)
        if getattr(provider, field) != cleaned:
            setattr(provider, field, cleaned)
            changed.append(field)
    if changed:
        session.flush()
        what = ", ".join(changed)
        if changed == ["active"]:
            what = "reactivated" if provider.active else "deactivated"
        audit.record(session, audit.AuditAction.CHANGE, detail=f"provider {provider.id}: {what}")
    return _provider_details(provider, _visit_count(session, provider.id))


def set_provider_active(session: Session, provider_id: str, active: bool) -> ProviderDetails:
    """Deactivate a therapist (kept on every note they wrote, no longer offered) or bring back."""
    return update_provider(session, provider_id, {"active": active})


def remove_provider(session: Session, provider_id: str) -> None:
    """Delete a therapist added by mistake; one with visits or history entries is refused.

    Raises:
        NotFoundError: no such provider.
        ProviderInUseError: the provider is on record; deactivate them instead.
    """
    provider = session.get(Provider, provider_id)
    if provider is None:
        raise NotFoundError(f"The provider {provider_id} no longer exists.")
    visits = _visit_count(session, provider_id)
    histories = int(
        session.scalar(
            select(func.count(HealthHistory.id)).where(HealthHistory.recorded_by_id == provider_id)
        )
        or 0
    )
    if visits or histories:
        on_record = (
            f"{visits:,} visit{'s' if visits != 1 else ''}" if visits else "health histories"
        )
        raise ProviderInUseError(
            f"{provider.display_name} is on {on_record} and stays on the record. "
            "Deactivate them instead: they will no longer be offered for new visits."
        )
    name = provider.display_name
    session.delete(provider)
    session.flush()
    audit.record(
        session, audit.AuditAction.DELETE, detail=f"provider {provider_id}: removed ({name})"
    )
