"""Administration: the audit trail of every write (who, when, which record, before and after)."""

from __future__ import annotations

import streamlit as st

from services import people
from services.permissions import Action
from ui.context import page_context, state_key

NS = "audit"

with page_context(Action.VIEW_AUDIT) as ctx:
    st.title("Audit log")
    st.caption("Every change made through the product, newest first. Passwords are never recorded.")
    tables = [
        r[0] for r in ctx.con.execute("SELECT DISTINCT table_name FROM audit_log ORDER BY 1").fetchall()
    ]
    table = st.selectbox("Record type", ["All", *tables], key=state_key(NS, "table"))
    limit = st.select_slider("Rows", [100, 500, 2000], value=500, key=state_key(NS, "limit"))
    log = people.audit_log(ctx.con, ctx.actor, limit=limit, table=None if table == "All" else table)
    if log.empty:
        st.info("Nothing has been recorded yet.")
    else:
        st.dataframe(log, hide_index=True, width="stretch")
        st.download_button("Download CSV", people.audit_csv(log), "audit-log.csv", "text/csv")
