"""PostgreSQL advisory locks, keyed by the schema too: deployments sharing a database in
separate schemas never wait on each other."""

from __future__ import annotations

from sqlalchemy import TextClause, text

TICK = 0x41555449  # "AUTI": one instance ticks at a time
TRAIL = 0x41554454  # "AUDT": appends to the audit trail take turns
MIGRATION = 0x41554D47  # "AUMG": one instance migrates


def advisory(function: str) -> TextClause:
    """``SELECT <function>(:id, <this schema>)``, e.g. advisory("pg_advisory_xact_lock")."""
    return text(f"SELECT {function}(:id, hashtext(current_schema()))")
