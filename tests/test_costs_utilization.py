"""Cost scenarios take actual license utilization from step 10 once usage is imported."""

from __future__ import annotations

import duckdb

from services.utilization import actual_utilization


def product(con, name: str) -> int:
    return con.execute("SELECT product_id FROM products WHERE name = ?", [name]).fetchone()[0]


class TestActualUtilization:
    def test_tool_with_contract_and_usage(self, demo_db):
        con = duckdb.connect(str(demo_db))
        try:
            actual = actual_utilization(con, product(con, "MathQuest"), threshold=10)
            seats = con.execute(
                "SELECT quantity FROM contracts c JOIN products p USING (product_id) WHERE p.name = 'MathQuest'"
            ).fetchone()[0]
        finally:
            con.close()
        assert actual is not None and 0 < actual.share <= 1
        assert f"{seats:,}" in actual.definition

    def test_tool_not_bought_yet(self, demo_db):
        con = duckdb.connect(str(demo_db))
        try:
            assert actual_utilization(con, product(con, "GeoExplorer"), threshold=10) is None
        finally:
            con.close()
