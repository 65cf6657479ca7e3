"""Streamlit helpers shared by pages: the run's database connection, the signed-in actor,
namespaced session keys, and how domain errors are shown. Only pages and app.py import this."""
