"""Values from outside (addresses, keys, Message-IDs) made to fit their columns on every store.

SQLite stores any length; PostgreSQL refuses a value longer than its varchar. A long value is
cut and ends in a digest of the whole, so two long values that share a beginning stay
distinct and the same value always fits the same way. The raw message is kept whole.
"""

from __future__ import annotations

import hashlib
from typing import Any, overload

from sqlalchemy import Column

_DIGEST = 16


@overload
def fit(value: str, column: Column[Any]) -> str: ...
@overload
def fit(value: None, column: Column[Any]) -> None: ...
def fit(value: str | None, column: Column[Any]) -> str | None:
    size = getattr(column.type, "length", None)
    if value is None or size is None or len(value) <= size:
        return value
    digest = hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:_DIGEST]
    return f"{value[: size - _DIGEST - 1]}#{digest}"
