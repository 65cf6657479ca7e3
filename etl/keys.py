"""Student keys for a staged import: hash each distinct local id once, in Python, with the one HMAC.

Why here: `services.privacy.student_key` is the only definition of the key. A year of usage has
millions of rows but only tens of thousands of distinct ids, so hashing the distinct ids and joining
is both exact and fast. The raw ids live only in the temporary staging tables of this connection.
"""

from __future__ import annotations

import duckdb

from services.privacy import student_keyer

KEYS = "etl_keys"


def build_keys(con: duckdb.DuckDBPyConnection, secret: bytes, source_sql: str) -> int:
    """Create temp table etl_keys(raw, student_key) from `SELECT DISTINCT raw ...` in source_sql."""
    return len(build_keys_from(con, secret, [row[0] for row in con.execute(source_sql).fetchall()]))


def build_keys_from(con: duckdb.DuckDBPyConnection, secret: bytes, raws: list[str | None]) -> dict[str, str]:
    """Create temp table etl_keys from distinct raw ids; returns raw -> key."""
    keyed = student_keyer(secret)
    pairs = {raw: keyed(raw) for raw in raws if raw is not None}
    pairs = {raw: key for raw, key in pairs.items() if key is not None}
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {KEYS} AS SELECT unnest(?::VARCHAR[]) AS raw, "
        f"unnest(?::VARCHAR[]) AS student_key",
        [list(pairs), list(pairs.values())],
    )
    return pairs
