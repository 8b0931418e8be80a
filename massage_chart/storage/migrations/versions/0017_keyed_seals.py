"""Keyed seals: every signed note, addendum and progress report sealed with a key the database
does not hold, and the protections that fire whatever the session asks.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04

A content hash alone can be recomputed by whoever can write the file: change a signed note, hash
it again, and it matches. A seal is an HMAC-SHA-256 over the record's kind, id and content hash,
made with a key kept outside the database:

- On one computer (SQLite), the key is this computer's (the operating system's keyring, or a
  private key file in the user's settings folder); the app seals as it writes, and verifies.
- On a clinic's PostgreSQL, the key is the server's: a table nobody but the administrator can
  read (``mc_seal_key``), used only by functions that run as the administrator. The server seals
  each record as it is signed (triggers), and answers whether a seal holds; nobody signed in to
  the clinic can read the key, write a seal, or call the function that makes one.

Seals are never changed or removed (triggers). On PostgreSQL every protective trigger is made
``ENABLE ALWAYS``: a session that sets ``session_replication_role = replica`` (which skips
ordinary triggers) still meets them. Records signed before this schema are sealed on the server
here, and on one computer by the app when it first opens the database with its key
(``seals.seal_unsealed``), each only if its content still matches its hash.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEAL = "A seal cannot be changed or removed."

SQLITE_TRIGGERS = (
    *(
        f"""CREATE TRIGGER trg_seals_{event.lower()} BEFORE {event} ON seals
    BEGIN SELECT RAISE(ABORT, '{SEAL}'); END"""
        for event in ("UPDATE", "DELETE")
    ),
    f"""CREATE TRIGGER trg_seals_replace BEFORE INSERT ON seals
    WHEN EXISTS (SELECT 1 FROM seals WHERE id = NEW.id)
    BEGIN SELECT RAISE(ABORT, '{SEAL}'); END""",
)

# The HMAC of RFC 2104 in the server's own SQL (sha256 is built in; no extension needed): the key
# is kept already padded and xored with the inner and outer constants.
POSTGRES_STATEMENTS = (
    """CREATE TABLE mc_seal_key (
        key_id text PRIMARY KEY,
        inner_pad bytea NOT NULL,
        outer_pad bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
    )""",
    "REVOKE ALL ON mc_seal_key FROM PUBLIC",
    """DO $$
    DECLARE
        k bytea := sha256(convert_to(
            gen_random_uuid()::text || gen_random_uuid()::text || clock_timestamp()::text,
            'UTF8'));
        ipad bytea;
        opad bytea;
        i int;
    BEGIN
        k := k || decode(repeat('00', 32), 'hex');
        ipad := k;
        opad := k;
        FOR i IN 0..63 LOOP
            ipad := set_byte(ipad, i, get_byte(k, i) # 54);
            opad := set_byte(opad, i, get_byte(k, i) # 92);
        END LOOP;
        INSERT INTO mc_seal_key (key_id, inner_pad, outer_pad) VALUES (
            substr(encode(sha256(convert_to('massage-chart seal key id:', 'UTF8') || k), 'hex'),
                   1, 16),
            ipad, opad);
    END $$""",
    """CREATE FUNCTION mc_seal_mac(kind text, record text, digest text) RETURNS text
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
        SELECT encode(sha256(outer_pad || sha256(inner_pad || convert_to(
            kind || ':' || record || ':' || digest, 'UTF8'))), 'hex')
        FROM mc_seal_key ORDER BY created_at DESC LIMIT 1
    $$""",
    "REVOKE ALL ON FUNCTION mc_seal_mac(text, text, text) FROM PUBLIC",
    """CREATE FUNCTION mc_seal_record() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
    BEGIN
        INSERT INTO seals (record_kind, record_id, content_hash, key_id, mac, sealed_at)
        SELECT TG_ARGV[0], NEW.id, NEW.content_hash, key_id,
               mc_seal_mac(TG_ARGV[0], NEW.id, NEW.content_hash),
               now() AT TIME ZONE 'utc'
        FROM mc_seal_key ORDER BY created_at DESC LIMIT 1;
        RETURN NULL;
    END $$""",
    "REVOKE ALL ON FUNCTION mc_seal_record() FROM PUBLIC",
    """CREATE TRIGGER trg_visits_seal_insert AFTER INSERT ON visits FOR EACH ROW
    WHEN (NEW.status = 'signed' AND NEW.content_hash IS NOT NULL)
    EXECUTE FUNCTION mc_seal_record('visit')""",
    """CREATE TRIGGER trg_visits_seal_update AFTER UPDATE ON visits FOR EACH ROW
    WHEN (NEW.status = 'signed' AND OLD.status IS DISTINCT FROM 'signed'
          AND NEW.content_hash IS NOT NULL)
    EXECUTE FUNCTION mc_seal_record('visit')""",
    """CREATE TRIGGER trg_addenda_seal AFTER INSERT ON addenda FOR EACH ROW
    WHEN (NEW.content_hash IS NOT NULL) EXECUTE FUNCTION mc_seal_record('addendum')""",
    """CREATE TRIGGER trg_progress_reports_seal AFTER INSERT ON progress_reports FOR EACH ROW
    EXECUTE FUNCTION mc_seal_record('progress_report')""",
    f"""CREATE FUNCTION mc_guard_seal() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '{SEAL}' USING ERRCODE = 'integrity_constraint_violation';
    END $$""",
    """CREATE TRIGGER trg_seals_immutable BEFORE UPDATE OR DELETE ON seals
    FOR EACH ROW EXECUTE FUNCTION mc_guard_seal()""",
    """CREATE TRIGGER trg_seals_truncate BEFORE TRUNCATE ON seals
    FOR EACH STATEMENT EXECUTE FUNCTION mc_guard_seal()""",
    # Whether a record's content hash holds a seal made with the server's key: what anyone who
    # may read the record may ask, without seeing the key.
    """CREATE FUNCTION mc_seal_valid(kind text, record text, digest text) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
        SELECT EXISTS (
            SELECT 1 FROM seals s JOIN mc_seal_key k ON k.key_id = s.key_id
            WHERE s.record_kind = kind AND s.record_id = record AND s.content_hash = digest
              AND s.mac = encode(sha256(k.outer_pad || sha256(k.inner_pad || convert_to(
                  kind || ':' || record || ':' || digest, 'UTF8'))), 'hex'))
    $$""",
    # Every signed record whose stored content hash holds no good seal.
    """CREATE FUNCTION mc_unsealed()
    RETURNS TABLE (record_kind text, record_id text, content_hash text)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
        WITH signed (record_kind, record_id, content_hash) AS (
            SELECT 'visit', id::text, visits.content_hash::text FROM visits
            WHERE status = 'signed'
            UNION ALL
            SELECT 'addendum', id::text, addenda.content_hash::text FROM addenda
            UNION ALL
            SELECT 'progress_report', id::text, progress_reports.content_hash::text
            FROM progress_reports
        )
        SELECT r.record_kind, r.record_id, r.content_hash FROM signed r
        WHERE r.content_hash IS NULL OR NOT EXISTS (
            SELECT 1 FROM seals s JOIN mc_seal_key k ON k.key_id = s.key_id
            WHERE s.record_kind = r.record_kind AND s.record_id = r.record_id
              AND s.content_hash = r.content_hash
              AND s.mac = encode(sha256(k.outer_pad || sha256(k.inner_pad || convert_to(
                  r.record_kind || ':' || r.record_id || ':' || r.content_hash, 'UTF8'))),
                  'hex'))
    $$""",
    # The records signed before this schema, sealed as they are stored (the app checks each
    # one's content against its hash as before; a seal guards the hash from being redone).
    """INSERT INTO seals (record_kind, record_id, content_hash, key_id, mac, sealed_at)
    SELECT r.record_kind, r.record_id, r.content_hash, k.key_id,
           mc_seal_mac(r.record_kind, r.record_id, r.content_hash), now() AT TIME ZONE 'utc'
    FROM mc_unsealed() r CROSS JOIN mc_seal_key k WHERE r.content_hash IS NOT NULL""",
)

# Every protective trigger on PostgreSQL, made to fire even under session_replication_role =
# replica (which skips triggers that are merely ENABLEd).
ALWAYS = (
    ("visits", "trg_visits_signed"),
    ("marks", "trg_marks_signed"),
    ("billing_lines", "trg_billing_lines_signed"),
    ("visit_overrides", "trg_visit_overrides_signed"),
    ("addenda", "trg_addenda_immutable"),
    ("audit_events", "trg_audit_events_immutable"),
    ("audit_events", "trg_audit_events_truncate"),
    ("progress_reports", "trg_progress_reports_immutable"),
    ("visits", "trg_visits_clinic"),
    ("visits", "trg_visits_clinic_note_saved_by"),
    ("addenda", "trg_addenda_clinic_author"),
    ("audit_events", "trg_audit_events_clinic_actor"),
    ("progress_reports", "trg_progress_reports_clinic_signer"),
    ("visits", "trg_visits_seal_insert"),
    ("visits", "trg_visits_seal_update"),
    ("addenda", "trg_addenda_seal"),
    ("progress_reports", "trg_progress_reports_seal"),
    ("seals", "trg_seals_immutable"),
    ("seals", "trg_seals_truncate"),
)


def upgrade() -> None:
    op.create_table(
        "seals",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("record_kind", sa.String(length=32), nullable=False),
        sa.Column("record_id", sa.String(length=64), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.Column("mac", sa.String(length=64), nullable=False),
        sa.Column("sealed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_seals")),
    )
    op.create_index("ix_seals_record", "seals", ["record_kind", "record_id"])
    if op.get_bind().dialect.name == "postgresql":
        for statement in POSTGRES_STATEMENTS:
            op.execute(statement)
        for table, trigger in ALWAYS:
            op.execute(f"ALTER TABLE {table} ENABLE ALWAYS TRIGGER {trigger}")
    else:
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)


def downgrade() -> None:
    raise NotImplementedError(
        "Schema 0017 has no downgrade; restore the backup taken before the upgrade instead."
    )
