"""SOP step 10 evidence in: upload district exports (usage, assessments, rosters, surveys), see what was
rejected and why, undo the last import, and check data quality (unrostered usage, shadow tools)."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from models.errors import DomainError
from services import imports
from services.permissions import Action
from ui.context import page_context, show_error, state_key

QUALITY_COLUMNS = {
    "tool": st.column_config.TextColumn("Tool"),
    "usage_rows": st.column_config.NumberColumn("Usage rows", format="localized"),
    "students": st.column_config.NumberColumn("Students", format="localized"),
    "minutes": st.column_config.NumberColumn("Minutes", format="localized"),
    "first_used": st.column_config.DateColumn("First used"),
    "last_used": st.column_config.DateColumn("Last used"),
}
HISTORY_COLUMNS = {
    "import_id": st.column_config.NumberColumn("Import #", format="%d"),
    "started_at": st.column_config.DatetimeColumn("Started", format="YYYY-MM-DD HH:mm"),
    "kind": st.column_config.TextColumn("Kind"),
    "format": st.column_config.TextColumn("Format"),
    "file_name": st.column_config.TextColumn("File"),
    "tool": st.column_config.TextColumn("Tool"),
    "rows_read": st.column_config.NumberColumn("Rows read", format="localized"),
    "rows_imported": st.column_config.NumberColumn("Imported", format="localized"),
    "rows_rejected": st.column_config.NumberColumn("Rejected", format="localized"),
    "rows_warned": st.column_config.NumberColumn("Warnings", format="localized"),
    "status": st.column_config.TextColumn("Status"),
    "imported_by": st.column_config.TextColumn("By"),
    "notes": st.column_config.TextColumn("Notes"),
}
HISTORY_ORDER = [
    "import_id",
    "started_at",
    "file_name",
    "kind",
    "status",
    "rows_read",
    "rows_imported",
    "rows_rejected",
    "rows_warned",
    "format",
    "tool",
    "imported_by",
    "notes",
]
REJECT_COLUMNS = {
    "line_number": st.column_config.NumberColumn("Line", format="%d"),
    "column_name": st.column_config.TextColumn("Column"),
    "reason": st.column_config.TextColumn("Reason"),
    "value_masked": st.column_config.TextColumn("Value as read (masked)"),
    "severity": st.column_config.TextColumn("Rejected or warning"),
}
NS = "imports"
KINDS = {
    "usage": "Usage export",
    "assessments": "Assessment results",
    "roster": "Roster (OneRoster .zip)",
    "feedback": "Survey responses",
}
DETECT = "(detect from the header)"


def _empty_history(rows_outside_imports: int) -> str:
    """What the empty history means, and what to do next."""
    start = (
        "No export has been imported yet. Upload one above, or run `python -m etl usage FILE` "
        "(also `roster`, `assessments`, `feedback`): each import is listed here with its rejected rows, "
        "and the last one can be undone."
    )
    if not rows_outside_imports:
        return start
    return (
        f"{start} The {rows_outside_imports:,} usage rows already here came with the demo district: they "
        "were loaded directly, not imported, so they have no entry here and no undo."
    )


def _report_interrupted(ctx, pending: dict) -> None:
    """An import cut short by another click: say whether it finished (its transaction is whole or
    nothing), so the person is not left with "Choose a file first." and no result."""
    done = imports.finished_since(ctx.con, actor=ctx.actor, file_name=pending["file"], since=pending["since"])
    if done:
        st.success(
            f"The import of {pending['file']} finished (import #{done['import_id']}): "
            f"{done['rows_imported']:,} of {done['rows_read']:,} rows imported, "
            f"{done['rows_rejected']:,} rejected."
        )
    else:
        st.warning(
            f"The import of {pending['file']} was stopped by another click before it finished; "
            "nothing new was stored. Import it again to see its result."
        )


with page_context(Action.IMPORT_DATA) as ctx:
    st.title("Import data")
    st.caption(
        "Usage, assessment, roster and survey exports as districts download them. Student ids are "
        "stored only as keyed hashes; names and birth dates are never stored. The same import runs "
        "from the command line: `python -m etl usage FILE` (see docs/IMPORTS.md)."
    )
    for kind, message in st.session_state.pop(state_key(NS, "flash"), []):
        getattr(st, kind)(message)

    labels = imports.format_labels()
    # not cleared on submit: a refused file ('name the tool') keeps the file and the choices for the fix;
    # importing the same file again after a success only says it was already imported
    with st.form(state_key(NS, "form")):
        kind = st.selectbox("What is it?", list(KINDS), format_func=KINDS.get, key=state_key(NS, "kind"))
        fmt = st.selectbox(
            "Format",
            [DETECT, *(n for k in KINDS for n in imports.format_choices(k))],
            format_func=lambda n: labels.get(n, n),
            key=state_key(NS, "format"),
        )
        cols = st.columns(2)
        tool = cols[0].text_input("Tool (if the file does not name it)", key=state_key(NS, "tool"))
        subject = cols[1].text_input("Subject (if the file does not say)", key=state_key(NS, "subject"))
        upload = st.file_uploader("File", type=["csv", "txt", "tsv", "zip"], key=state_key(NS, "file"))
        st.caption(
            "Times written with a zone (UTC, Z, GMT-4, EDT) are read on the district's clock, "
            f"{ctx.settings.district_timezone} (setting `EDTECH_DISTRICT_TIMEZONE`)."
        )
        submitted = st.form_submit_button("Import", type="primary")
    pending = st.session_state.pop(state_key(NS, "running"), None)
    if pending:  # the last run was cut short by another click while it imported
        _report_interrupted(ctx, pending)
    if submitted:
        if upload is None:
            if not pending:
                st.warning("Choose a file first.")
        else:
            st.session_state[state_key(NS, "running")] = {"file": upload.name, "since": dt.datetime.now()}
            bar = st.progress(0.0, text="Starting…")
            try:
                outcome = imports.import_upload(
                    ctx.con,
                    ctx.settings.student_id_secret(),
                    actor=ctx.actor,
                    kind=kind,
                    file_name=upload.name,
                    data=upload,  # streamed to disk by the service, not copied in memory
                    format=None if fmt == DETECT else fmt,
                    tool=tool.strip() or None,
                    subject=subject.strip() or None,
                    timezone=ctx.settings.district_timezone,
                    progress=lambda step, fraction: bar.progress(min(fraction, 1.0), text=step.capitalize()),
                )
            except DomainError as exc:
                st.session_state.pop(state_key(NS, "running"), None)
                bar.empty()
                show_error(exc)
            except Exception:  # a bug: the page says so; the next run must not call it interrupted
                st.session_state.pop(state_key(NS, "running"), None)
                raise
            else:
                st.session_state.pop(state_key(NS, "running"), None)
                bar.empty()
                (st.info if outcome.already_imported else st.success)(outcome.message)
                for warning in outcome.warnings:
                    st.warning(warning)
                st.session_state[state_key(NS, "rejects_of")] = outcome.import_id  # show this import's
            # Another click stops this run with Streamlit's rerun exception (a BaseException, caught
            # by none of the above): the key stays, and the next run reports how the import ended.

    st.subheader("Import history")
    history = imports.history(ctx.con, actor=ctx.actor)
    quality = imports.data_quality(ctx.con, actor=ctx.actor)
    if not history:
        st.info(_empty_history(quality.get("usage_rows_outside_imports", 0)))
    else:
        shown = [{k: ("" if v is None else v) for k, v in h.items()} for h in history]
        st.dataframe(
            shown, hide_index=True, width="stretch", column_config=HISTORY_COLUMNS, column_order=HISTORY_ORDER
        )
        ids = [h["import_id"] for h in history]
        by_id = {h["import_id"]: h for h in history}
        if st.session_state.get(state_key(NS, "rejects_of")) not in ids:
            st.session_state.pop(state_key(NS, "rejects_of"), None)
        chosen = st.selectbox(
            "Rejected rows and warnings of import",
            ids,
            format_func=lambda i: (
                f"#{i} · {by_id[i]['file_name']}" + (" (undone)" if by_id[i]["status"] == "undone" else "")
            ),
            key=state_key(NS, "rejects_of"),
        )
        rows, total = imports.rejects(ctx.con, int(chosen), actor=ctx.actor)
        if rows:
            st.caption(
                "Line = line in the file (line 1 is the header). A value that could identify a student (an "
                "id, a word in a number or date column) shows only its first and last character."
            )
            if total > len(rows):
                more = (
                    f" the download has the first {imports.REJECTS_DOWNLOADED:,}"
                    if total > imports.REJECTS_DOWNLOADED
                    else " the download has them all"
                )
                st.warning(
                    f"Showing the first {len(rows):,} of {total:,} rejected rows and warnings (by line);{more}."
                )
                st.download_button(
                    "Download the rejected rows (CSV)",
                    data=imports.rejects_csv(ctx.con, int(chosen), actor=ctx.actor),
                    file_name=f"import-{chosen}-rejected-rows.csv",
                    mime="text/csv",
                    key=state_key(NS, "rejects_csv"),
                )
            st.dataframe(
                [{k: ("" if v is None else v) for k, v in r.items()} for r in rows],
                hide_index=True,
                width="stretch",
                column_config=REJECT_COLUMNS,
            )
        else:
            st.caption("No rejected rows or warnings for this import.")

        last = imports.last_import(ctx.con, actor=ctx.actor)
        if not last:
            st.caption("Nothing left to undo: every import listed here has been undone.")
        else:
            with st.expander(  # a key: it stays open when the messages above it go away on the next run
                f"Undo the last import (#{last['import_id']} · {last['file_name']})",
                key=state_key(NS, f"undo_panel_{last['import_id']}"),
                on_change="rerun",
            ):
                st.write("Removes every row this import wrote and restores the rows it replaced.")
                # one confirmation per import: after an undo the next one is not pre-confirmed
                sure = st.checkbox("I understand", key=state_key(NS, f"undo_sure_{last['import_id']}"))
                if st.button("Undo last import", disabled=not sure, key=state_key(NS, "undo")):
                    try:
                        result = imports.undo_last(ctx.con, actor=ctx.actor)
                    except DomainError as exc:
                        show_error(exc)
                    else:
                        st.session_state[state_key(NS, "flash")] = [("success", result["message"])]
                        st.rerun()

    st.subheader("Data quality")
    m = [*st.columns(2), *st.columns(2)]  # two by two: the numbers stay whole on a narrow screen
    m[0].metric("Usage rows", f"{quality.get('usage_rows', 0):,}")
    m[1].metric(
        "Unrostered usage rows",
        f"{quality.get('unrostered_rows', 0):,}",
        help="Usage by a student key that is not in the roster (roster_students).",
    )
    m[2].metric(
        "Not-vetted tools",
        f"{quality.get('shadow_tools', 0):,}",
        help="Tools in usage with no vetted catalog entry of the same name (view usage_tool_vetting).",
    )
    m[3].metric("Rejected rows", f"{quality.get('rejected_rows', 0):,}", help="Across imports not undone.")
    refused = imports.refused_tools_in_use(ctx.con, actor=ctx.actor)
    if refused:
        names = ", ".join(r["tool"] for r in refused)
        st.error(
            f"**Students are using tools the district refused:** {names}. Tell the schools and the "
            "technology department (block the app, remove accounts), and check the privacy decision."
        )
        st.dataframe(
            refused,
            hide_index=True,
            width="stretch",
            column_order=["tool", "why", "students", "minutes", "first_used", "last_used"],
            column_config={**QUALITY_COLUMNS, "why": st.column_config.TextColumn("Refused by")},
        )
    shadow = imports.shadow_tools(ctx.con, actor=ctx.actor)
    st.markdown('**Tools in use that are not vetted** ("shadow" tools)')
    if shadow:
        st.dataframe(shadow, hide_index=True, width="stretch", column_config=QUALITY_COLUMNS)
    else:
        st.caption("Every tool seen in usage is vetted in the catalog.")
    unrostered = imports.unrostered_usage(ctx.con, actor=ctx.actor)
    st.markdown("**Usage by students not on the roster**")
    if unrostered:
        st.dataframe(unrostered, hide_index=True, width="stretch", column_config=QUALITY_COLUMNS)
    else:
        st.caption("All usage belongs to rostered students.")
