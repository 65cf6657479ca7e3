"""The purchasing pages' shared top: pick the request (from `?request=N` or a list of the requests
at the page's stages), say so kindly when the id does not exist, and show where the request is."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import duckdb
import streamlit as st

from models.enums import Stage
from models.errors import DomainError
from services.requests import get_request, request_options
from ui.context import query_int, show_error, state_key


def choose_request_id(
    con: duckdb.DuckDBPyConnection,
    namespace: str,
    stages: Iterable[Stage],
    *,
    label: str,
    empty: str,
    hint: str,
    picker_title: str | None = None,
) -> int:
    """The request id from `?request=N`, else from a picker of the requests at `stages` (all when
    empty); stops the page with `empty` or `hint` until one is chosen. `hint` is formatted with
    {requests}: "1 request" or "5 requests"."""
    request_id = query_int("request")
    if request_id is not None:
        return request_id
    if picker_title:
        st.title(picker_title)
    labels = request_options(con, list(stages))
    if not labels:
        st.info(empty)
        st.stop()
    choice = st.selectbox(
        label, list(labels), index=None, placeholder="Choose a request", key=state_key(namespace, "pick")
    )
    if choice is None:
        n = len(labels)
        st.caption(hint.format(requests=f"{n} request" if n == 1 else f"{n} requests"))
        st.stop()
    request_id = labels[choice]
    st.query_params["request"] = str(request_id)
    return request_id


def pick_request(
    con: duckdb.DuckDBPyConnection, namespace: str, stages: Iterable[Stage], *, title: str
) -> dict[str, Any]:
    """Return the chosen request row, or stop the page with a message."""
    st.title(title)
    request_id = choose_request_id(
        con,
        namespace,
        stages,
        label="Choose a request",
        empty="No request is at this step right now. Open one from the **Pipeline**.",
        hint="{requests} can be worked on here. Choose one above, or open a request from the "
        "**Pipeline** and follow its link to this step.",
    )
    try:
        request = get_request(con, request_id)
    except DomainError as exc:
        show_error(exc)
        st.stop()
    st.subheader(f"#{request_id} · {request['title']}")
    st.caption(
        f"Requested by {request['requester_name']} · {request['school_name'] or 'District-wide'} · "
        f"stage **{Stage(request['stage']).label}**"
        + (
            f" · selected product **{request['selected_product_name']}**"
            if request.get("selected_product_name")
            else ""
        )
    )
    return request
