"""Clinic-mode commands: set a clinic database up, and manage its people."""

from __future__ import annotations

from typing import Any


def add_commands(commands: Any) -> None:
    """Add the clinic commands to the command line."""
