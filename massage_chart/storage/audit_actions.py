"""What an audit event says happened, apart from the log itself: the command line lists these
without loading the database layer."""

from __future__ import annotations

import enum


class AuditAction(enum.Enum):
    """What happened to the record."""

    VIEW = "view"
    CREATE = "create"
    CHANGE = "change"
    DELETE = "delete"
    SIGN = "sign"
    ADDENDUM = "addendum"
    EXPORT = "export"
    PRINT = "print"
    BACKUP = "backup"
    RESTORE = "restore"
    IMPORT = "import"
    MIGRATE = "migrate"
    FAILED_UNLOCK = "failed_unlock"


LOOKING_ACTIONS = frozenset(
    action.value
    for action in (AuditAction.VIEW, AuditAction.EXPORT, AuditAction.PRINT, AuditAction.BACKUP)
)
"""Audit events of looking, printing or copying: they record an access, and change no record."""
