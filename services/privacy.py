"""Student privacy rules the product itself practices (SOPPA, shared/domain/evaluation.md).

- Student ids are stored only as keyed hashes (HMAC-SHA256 with the settings' secret, which is
  never in the database); the same local id gives the same key in every source.
- Small cells are suppressed in anything shared: see `suppress_counts`.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable

KEY_LENGTH = 24  # hex characters kept: 96 bits, ample for a district, shorter to store


def normalize_local_id(raw: object) -> str | None:
    """'00710001', '710001', ' 710001.0 ' (Excel) -> '710001'; blanks -> None."""
    if raw is None:
        return None
    text = str(raw).strip().strip('"').strip()
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]
    if text.isdigit():
        text = text.lstrip("0") or "0"
    return text or None


def student_key(secret: bytes, local_id: object) -> str | None:
    """The one definition of a student's key: HMAC-SHA256 of the normalized local id, 24 hex digits."""
    return student_keyer(secret)(local_id)


def student_keyer(secret: bytes) -> Callable[[object], str | None]:
    """`student_key` for many ids under one secret: the keyed state is built once and copied per id."""
    keyed = hmac.new(secret, digestmod=hashlib.sha256)

    def key(local_id: object) -> str | None:
        norm = normalize_local_id(local_id)
        if norm is None:
            return None
        mac = keyed.copy()
        mac.update(norm.encode())
        return mac.hexdigest()[:KEY_LENGTH]

    return key


def mask(value: object) -> str:
    """How a student identifier appears in a reject report: never the value itself."""
    text = "" if value is None else str(value)
    if len(text) <= 2:
        return "*" * len(text)
    return text[0] + "*" * (len(text) - 2) + text[-1]
