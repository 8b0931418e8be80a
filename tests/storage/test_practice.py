"""The practice and its providers: checked, stored exactly, audited; images checked and fitted."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from PIL import Image
from reportlab.lib.utils import ImageReader
from sqlalchemy import select

from massage_chart.domain.identifiers import npi_with_check_digit
from massage_chart.domain.record_kinds import UnitRule
from massage_chart.storage import audit
from massage_chart.storage.database import Database
from massage_chart.storage.models import AuditEvent, Provider
from massage_chart.storage.practice import (
    MAX_IMAGE_FILE_BYTES,
    STORED_IMAGE_SIDE,
    FieldRefusedError,
    ImageRefusedError,
    ProviderInUseError,
    add_provider,
    list_provider_details,
    prepare_image,
    read_image_file,
    read_practice,
    remove_provider,
    set_provider_active,
    update_practice,
    update_provider,
)
from massage_chart.storage.repositories import NotFoundError, add_client, create_visit

GOOD_NPI = npi_with_check_digit("123456789")  # 1234567893
OTHER_NPI = npi_with_check_digit("198765432")


def image_bytes(fmt: str, size: tuple[int, int] = (300, 120), mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, "navy" if mode != "RGBA" else (0, 0, 128, 128)).save(out, format=fmt)
    return out.getvalue()


def events(database: Database) -> list[AuditEvent]:
    with database.read() as session:
        return list(session.scalars(select(AuditEvent).order_by(AuditEvent.seq)))


# --------------------------------------------------------------------------- the practice


def test_a_new_database_reads_as_an_empty_practice(any_db: Database) -> None:
    with any_db.read() as session:
        details = read_practice(session)
    assert details.id == "" and details.name == "" and details.logo_png is None


def test_update_creates_then_changes_the_practice_and_audits_each(any_db: Database) -> None:
    with any_db.write() as session:
        created = update_practice(
            session, {"name": "  Harbor Street Massage ", "phone": "555 0100"}
        )
    with any_db.write() as session:
        changed = update_practice(
            session, {"name": "Harbor Street Massage", "default_unit_rule": UnitRule.AMA}
        )
    assert changed.id == created.id
    with any_db.read() as session:
        details = read_practice(session)
        assert audit.verify_chain(session) == []
    assert details.name == "Harbor Street Massage"  # spaces around a pasted name are trimmed
    assert details.phone == "555 0100"
    assert details.default_unit_rule is UnitRule.AMA
    logged = events(any_db)
    assert [e.action for e in logged] == ["create", "change"]
    assert logged[0].detail == f"practice {created.id}: name, phone"
    assert logged[1].detail == f"practice {created.id}: default_unit_rule"


def test_an_unchanged_save_writes_no_audit_event(any_db: Database) -> None:
    with any_db.write() as session:
        update_practice(session, {"name": "Calm"})
    with any_db.write() as session:
        update_practice(session, {"name": "Calm"})
    assert len(events(any_db)) == 1


@pytest.mark.parametrize(
    "name",
    ["عيادة التدليك العلاجي", "和平按摩诊所", "Massage 💆‍♀️ & Co. <b>", "Zoë\u200dNguyễn"],
    ids=["arabic", "chinese", "emoji-and-markup", "joiner"],
)
def test_any_script_is_stored_exactly(any_db: Database, name: str) -> None:
    with any_db.write() as session:
        update_practice(session, {"name": name, "address": f"{name}\n2nd line"})
    with any_db.read() as session:
        details = read_practice(session)
    assert details.name == name
    assert details.address == f"{name}\n2nd line"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"name": "N" * 100_000},
            "name",
            "100,000 characters; the most is 200",
        ),
        ({"phone": "555\x000100"}, "phone", "NUL character (at character 4)"),
        ({"email": "a\ud800b"}, "email", "broken character"),
        ({"default_unit_rule": "cms"}, "default_unit_rule", "CMS or the AMA"),
        ({"logo_png": b"%PDF-1.7"}, "logo_png", "prepare_image"),
        ({"colour": "teal"}, "colour", "no field called 'colour'"),
    ],
)
def test_hostile_practice_input_is_refused_and_nothing_written(
    any_db: Database, changes: dict[str, object], field: str, message: str
) -> None:
    with pytest.raises(FieldRefusedError) as refused, any_db.write() as session:
        update_practice(session, changes)
    assert refused.value.field == field
    assert message in str(refused.value)
    with any_db.read() as session:
        assert read_practice(session).id == ""
    assert events(any_db) == []


def test_logo_is_stored_and_readable_by_reportlab(any_db: Database) -> None:
    logo = prepare_image(image_bytes("JPEG"), "logo")
    with any_db.write() as session:
        update_practice(session, {"name": "Calm", "logo_png": logo})
    with any_db.read() as session:
        stored = read_practice(session).logo_png
    assert stored == logo
    assert ImageReader(io.BytesIO(stored)).getSize() == (300, 120)
    with any_db.write() as session:
        update_practice(session, {"logo_png": None})
    with any_db.read() as session:
        assert read_practice(session).logo_png is None


# --------------------------------------------------------------------------- images


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_png_and_jpeg_become_a_png_reportlab_draws(fmt: str) -> None:
    prepared = prepare_image(image_bytes(fmt), "logo")
    assert prepared.startswith(b"\x89PNG")
    reader = ImageReader(io.BytesIO(prepared))
    assert reader.getSize() == (300, 120)


def test_transparency_is_kept() -> None:
    prepared = prepare_image(image_bytes("PNG", mode="RGBA"), "signature")
    with Image.open(io.BytesIO(prepared)) as image:
        assert image.mode == "RGBA"


def test_a_large_photo_is_scaled_down_and_turned_upright() -> None:
    photo = Image.new("RGB", (3000, 2000), "white")
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90° clockwise to view
    out = io.BytesIO()
    photo.save(out, format="JPEG", exif=exif.tobytes())
    prepared = prepare_image(out.getvalue(), "signature")
    with Image.open(io.BytesIO(prepared)) as image:
        assert image.size == (800, STORED_IMAGE_SIDE)  # portrait now, longer side fitted


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"%PDF-1.7\n1 0 obj <<>> endobj", "The logo file is a PDF, not an image"),
        (b"GIF89a\x01\x00\x01\x00", "an image type the PDFs cannot use"),
        (b"plain text renamed to logo.png", "not a PNG or JPEG image"),
        (b"", "The logo file is empty."),
        (image_bytes("PNG")[:60], "damaged or cut short"),
        (image_bytes("PNG", size=(4, 4)), "only 4 × 4 pixels"),
    ],
    ids=["pdf", "gif", "text", "empty", "truncated-png", "tiny"],
)
def test_not_a_usable_image_gets_a_plain_message(data: bytes, message: str) -> None:
    with pytest.raises(ImageRefusedError) as refused:
        prepare_image(data, "logo")
    assert message in str(refused.value)


def test_a_40_mb_photo_is_refused_before_it_is_read(tmp_path: Path) -> None:
    photo = tmp_path / "IMG_2041.jpg"
    with open(photo, "wb") as handle:
        handle.write(b"\xff\xd8\xff\xe0")
        handle.truncate(40 * 1024 * 1024)
    with pytest.raises(ImageRefusedError) as refused:
        read_image_file(photo, "logo")
    assert "IMG_2041.jpg is 40.0 MB; the most is 10.0 MB" in str(refused.value)
    with pytest.raises(ImageRefusedError, match=r"10\.0 MB"):
        prepare_image(b"\xff\xd8\xff" + bytes(MAX_IMAGE_FILE_BYTES), "logo")


def test_images_with_too_many_pixels_are_refused() -> None:
    large = image_bytes("PNG", size=(7_000, 7_000), mode="L")  # 49 Mpx of one colour
    bomb = image_bytes("PNG", size=(20_000, 20_000), mode="L")  # 400 Mpx: Pillow's bomb guard
    assert len(bomb) < MAX_IMAGE_FILE_BYTES
    with pytest.raises(ImageRefusedError, match="7,000 × 7,000 pixels"):
        prepare_image(large, "logo")
    with pytest.raises(ImageRefusedError, match="far too many pixels"):
        prepare_image(bomb, "logo")


def test_image_file_problems(tmp_path: Path) -> None:
    with pytest.raises(ImageRefusedError, match="cannot be read"):
        read_image_file(tmp_path / "missing.png", "logo")
    with pytest.raises(ImageRefusedError, match="is a folder"):
        read_image_file(tmp_path, "logo")
    renamed = tmp_path / "letterhead.png"
    renamed.write_bytes(b"%PDF-1.4 ...")
    with pytest.raises(ImageRefusedError, match="is a PDF"):
        read_image_file(renamed, "logo")
    good = tmp_path / "logo.jpg"
    good.write_bytes(image_bytes("JPEG"))
    assert read_image_file(good, "logo").startswith(b"\x89PNG")


# --------------------------------------------------------------------------- providers


def test_add_and_edit_a_provider_audited(any_db: Database) -> None:
    signature = prepare_image(image_bytes("PNG", mode="RGBA"), "signature")
    with any_db.write() as session:
        update_practice(session, {"name": "Calm"})
        added = add_provider(
            session,
            {
                "first_name": " Sam ",
                "last_name": "Lee",
                "credentials": "LMT",
                "license_number": "MA.60012345",
                "npi": GOOD_NPI,
                "signature_png": signature,
            },
        )
    with any_db.write() as session:
        edited = update_provider(session, added.id, {"credentials": "LMT, CMLDT", "npi": GOOD_NPI})
    assert edited.credentials == "LMT, CMLDT"
    with any_db.read() as session:
        (listed,) = list_provider_details(session)
        stored = session.get(Provider, added.id)
        assert stored is not None and stored.practice_id is not None
        assert audit.verify_chain(session) == []
    assert listed.first_name == "Sam" and listed.npi == GOOD_NPI
    assert listed.signature_png == signature
    assert listed.display_name == "Sam Lee, LMT, CMLDT"
    logged = events(any_db)
    assert [e.action for e in logged] == ["create", "create", "change"]
    assert logged[1].detail.startswith(f"provider {added.id}: added (")
    assert logged[2].detail == f"provider {added.id}: credentials"  # the same NPI is no change


@pytest.mark.parametrize(
    ("npi", "message"),
    [
        ("1234567890", "check digit is wrong"),
        ("123456789", "exactly 10 digits"),
        ("12345 67893", "exactly 10 digits"),
        ("3234567893", "starts with 1 or 2"),
        ("123456789\x00", "exactly 10 digits"),
    ],
)
def test_a_wrong_npi_is_refused(any_db: Database, npi: str, message: str) -> None:
    with pytest.raises(FieldRefusedError) as refused, any_db.write() as session:
        add_provider(session, {"first_name": "Sam", "npi": npi})
    assert refused.value.field == "npi"
    assert message in str(refused.value)
    with any_db.read() as session:
        assert list_provider_details(session) == []
    assert events(any_db) == []


def test_two_providers_cannot_share_an_npi(any_db: Database) -> None:
    with any_db.write() as session:
        add_provider(session, {"first_name": "Sam", "last_name": "Lee", "npi": GOOD_NPI})
        other = add_provider(session, {"first_name": "Ana", "npi": OTHER_NPI})
    with pytest.raises(FieldRefusedError, match="Sam Lee already has the NPI"), any_db.write() as s:
        update_provider(s, other.id, {"npi": f" {GOOD_NPI} "})


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"first_name": "", "last_name": "  "}, "first_name", "first or last name"),
        ({"first_name": "N" * 100_000}, "first_name", "100,000 characters; the most is 100"),
        ({"first_name": "Sam", "credentials": "LMT\x00"}, "credentials", "NUL character"),
        ({"first_name": "Sam", "signature_png": b"\xff\xd8\xff"}, "signature_png", "signature"),
    ],
)
def test_hostile_provider_input_is_refused(
    any_db: Database, values: dict[str, object], field: str, message: str
) -> None:
    with pytest.raises(FieldRefusedError) as refused, any_db.write() as session:
        add_provider(session, values)
    assert refused.value.field == field
    assert message in str(refused.value)


@pytest.mark.parametrize(
    ("first", "last"), [("فاطمة", "الزهراء"), ("小明", "王"), ("Zoë 💆", "Nguyễn")]
)
def test_provider_names_in_any_script_are_stored_exactly(
    any_db: Database, first: str, last: str
) -> None:
    with any_db.write() as session:
        added = add_provider(session, {"first_name": first, "last_name": last})
    with any_db.read() as session:
        provider = session.get(Provider, added.id)
        assert provider is not None
        assert (provider.first_name, provider.last_name) == (first, last)


def test_a_provider_with_visits_is_deactivated_never_removed(any_db: Database) -> None:
    with any_db.write() as session:
        used = add_provider(session, {"first_name": "Sam", "last_name": "Lee"})
        mistake = add_provider(session, {"first_name": "Typo"})
        client = add_client(session, first_name="Zoë", last_name="Nguyễn")
        create_visit(session, client.id, provider_id=used.id, start=dt.datetime(2026, 10, 1, 9))
    with pytest.raises(ProviderInUseError, match="1 visit and stays"), any_db.write() as s:
        remove_provider(s, used.id)
    with any_db.write() as session:
        remove_provider(session, mistake.id)
        set_provider_active(session, used.id, False)
    with any_db.read() as session:
        (only,) = list_provider_details(session)
        assert list_provider_details(session, include_inactive=False) == []
    assert only.id == used.id and not only.active and only.visit_count == 1
    details = [e.detail for e in events(any_db)]
    assert f"provider {mistake.id}: removed (Typo)" in details
    assert details[-1] == f"provider {used.id}: deactivated"
    with pytest.raises(NotFoundError), any_db.write() as session:
        update_provider(session, mistake.id, {"first_name": "Again"})
