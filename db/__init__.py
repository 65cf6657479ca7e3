"""The only door to DuckDB: connections, migrations and audited writes."""
