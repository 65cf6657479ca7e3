"""Business rules and use cases. Services take a DuckDB connection and an Actor; they never import
streamlit, so they are tested without a browser."""
