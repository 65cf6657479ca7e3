"""Student keys for a staged import: hash each distinct local id once, in Python, with the one HMAC.

Why here: `services.privacy.student_key` is the only definition of the key. A year of usage has
millions of rows but only tens of thousands of distinct ids, so hashing the distinct ids and joining
is both exact and fast. The raw ids live only in the temporary staging tables of this connection.
"""

from __future__ import annotations

import duckdb

from services.privacy import student_key

KEYS = "etl_keys"


def build_keys(con: duckdb.DuckDBPyConnection, secret: bytes, source_sql: str) -> int:
    """Create temp table etl_keys(raw, student_key) from `SELECT DISTINCT raw ...` in source_sql."""
    raws = [row[0] for row in con.execute(source_sql).fetchall() if row[0] is not None]
    pairs = [(raw, student_key(secret, raw)) for raw in raws]
    pairs = [(raw, key) for raw, key in pairs if key is not None]
    con.execute(f"CREATE OR REPLACE TEMP TABLE {KEYS} AS SELECT unnest(?::VARCHAR[]) AS raw, "
                f"unnest(?::VARCHAR[]) AS student_key", [[p[0] for p in pairs], [p[1] for p in pairs]])
    return len(pairs)
