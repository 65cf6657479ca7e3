"""Pydantic models and vocabularies shared by pages, services and the ETL (no streamlit, no SQL)."""
