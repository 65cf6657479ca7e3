"""Budget & cost scenarios (SOP step 3): the quote, multi-year cost, comparisons, funding and exports.

Thin page: widgets build models (ui/budget_parts.py), services save them (services/scenarios.py) and
compute every number (services/costs), ui/cost_charts.py draws them.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from models.costs import BudgetBasis, ContractOption, SensitivityRanges
from models.enums import FundingKind, Stage
from models.errors import DomainError
from services import criteria, enrollment, funding_sources, requests, scenarios, utilization
from services.costs import evaluate
from services.costs.analysis import break_even_discount, max_unit_price, tornado
from services.costs.exports import scenarios_csv, scenarios_xlsx
from services.costs.fiscal import fiscal_year_label, fiscal_year_span, next_fiscal_year
from services.costs.tables import category_long, comparison_table, cumulative_long, funding_table, year_table
from services.permissions import Action, may_on_request
from ui import budget_parts as parts
from ui import cost_charts as charts
from ui.context import flash, page_context, query_int, show_error, state_key
from ui.enrollment_panel import enrollment_panel
from ui.plain import md
from ui.quote_view import quote_summary
from ui.widgets import empty_state, money, page_link

NS = "budget"


def _pick_request(con) -> int:
    open_requests = scenarios.requests_for_budget(con)
    if not open_requests:
        empty_state(
            "There are no open requests to cost yet.", next_step="Start one with **New request** (step 1)."
        )
        st.stop()
    by_label = {
        f"#{r['request_id']} · {r['title']} ({Stage(r['stage']).label})": r["request_id"]
        for r in open_requests
    }
    ids = list(by_label.values())
    wanted = query_int("request")
    if wanted is not None and wanted not in ids:
        st.warning(f"Request #{wanted} is not an open request; pick one from the list.")
    index = ids.index(wanted) if wanted in ids else 0
    request_id = by_label[st.selectbox("Request", list(by_label), index=index, key=state_key(NS, "request"))]
    st.query_params["request"] = str(request_id)
    return request_id


def _show_result(result, start_month: int) -> None:
    s = result.summary
    c = st.columns(5)
    c[0].metric("Total cost", money(s.total), help="All years modeled, direct and indirect.")
    c[1].metric(
        "Net present value",
        money(s.npv),
        help="Sum of cost / (1 + rate)^t; the first year is not discounted.",
    )
    c[2].metric("First year", money(s.first_year))
    c[3].metric(
        "Cost per student",
        "—" if s.cost_per_student is None else f"${s.cost_per_student:,.2f}",
        help="Total cost / student-years served.",
    )
    c[4].metric(
        "Cost per active user",
        "—" if s.cost_per_active_user is None else f"${s.cost_per_active_user:,.2f}",
        help="Total cost / (students served x assumed utilization).",
    )
    st.caption(
        f"One-time costs annualized over {len(result.years)} years: {money(s.annualized_one_time)} a year · "
        f"direct {money(s.direct_total)} · indirect (staff time, exit) {money(s.indirect_total)}"
    )
    table = year_table(result, start_month)
    st.dataframe(table, hide_index=True, width="stretch", column_config=parts.money_columns(table))


def _warnings(result) -> None:
    for warning in result.funding.warnings:
        st.warning(md(warning))  # source names are typed by people; "$" must not start math


with page_context(Action.VIEW_PIPELINE) as ctx:
    con, start_month = ctx.con, ctx.settings.fiscal_year_start_month
    can_fund = ctx.can(Action.MANAGE_FUNDING)
    st.title("Budget & cost scenarios")
    st.caption(
        "SOP step 3 · Get a quote, model the cost over several years (yearly renewals versus a multi-year "
        "contract) and see how each fiscal year would be funded."
    )
    request_id = _pick_request(con)
    # a requester changes quotes and scenarios of their own requests only (the business office any)
    can_edit = may_on_request(ctx.actor, Action.MANAGE_QUOTES, requests.requester_of(con, request_id))
    cands = criteria.candidates(con, request_id, include_excluded=False)
    if cands.empty:
        empty_state(
            "This request has no candidate products yet.",
            next_step="Add candidates in step 2 on the request page, then come back to cost them.",
        )
        page_link("pages/request.py", "Open the request", query={"request": request_id})
        st.stop()
    costed = {q["product_id"] for q in scenarios.list_quotes(con, request_id=request_id)}
    rows = sorted(cands.to_dict("records"), key=lambda r: (r["product_id"] not in costed, r["candidate_id"]))
    products = {
        f"{r['product']} · {r['vendor']}": int(r["product_id"]) for r in rows
    }  # costed, then oldest first
    product_id = products[
        st.selectbox("Candidate product", list(products), key=state_key(NS, f"product.{request_id}"))
    ]
    quotes = scenarios.list_quotes(con, request_id=request_id, product_id=product_id)
    saved = scenarios.list_scenarios(con, request_id=request_id, product_id=product_id)
    tab_quote, tab_scenario, tab_compare, tab_funding = st.tabs(
        ["Quote", "Scenario editor", "Compare scenarios", "Funding"]
    )

    with tab_quote:
        quote_id = None
        if quotes:
            labels = {
                f"#{q['quote_id']} {q['label']} · {q['pricing_unit'].replace('_', ' ')} at "
                f"${float(q['unit_price']):,.2f}": q["quote_id"]
                for q in quotes
            }
            quote_id = labels[st.selectbox("Quote", list(labels), key=state_key(NS, f"quote.{product_id}"))]
            picked = next(q for q in quotes if q["quote_id"] == quote_id)
            quote_summary(scenarios.get_quote(con, quote_id))
            if picked["valid_until"] and picked["valid_until"] < dt.date.today():
                st.warning(
                    f"This quote expired on {picked['valid_until']:%B %d, %Y}; ask the vendor for a new one."
                )
        else:
            empty_state(
                "No quote recorded for this product yet.",
                next_step="Ask the vendor for a quote and enter it below."
                if can_edit
                else "The requester or the business office records the vendor's quote here.",
            )
        if can_edit:
            current = scenarios.get_quote(con, quote_id) if quote_id else None
            for mode, editing in (
                (("Edit this quote", current), ("Add another quote", None))
                if current
                else (("Add a quote", None),)
            ):
                with st.expander(mode, expanded=current is None):
                    form = parts.quote_form(
                        product_id, request_id, editing, key=f"{product_id}.{quote_id if editing else 'new'}"
                    )
                    if form is not None:
                        try:
                            scenarios.save_quote(con, ctx.actor, form, quote_id=quote_id if editing else None)
                        except DomainError as exc:
                            show_error(exc)
                        else:
                            flash("Quote saved.")
                            st.rerun()

    if quote_id is None:
        for tab in (tab_scenario, tab_compare, tab_funding):
            with tab:
                empty_state(
                    "Nothing to model without a quote.",
                    next_step="Enter the vendor's quote in the Quote tab.",
                )
        st.stop()
    quote = scenarios.get_quote(con, quote_id)
    start_fy = next_fiscal_year(dt.date.today(), start_month)
    base = enrollment.base_enrollment(con, start_fy, quote.coverage_grade_low, quote.coverage_grade_high)
    actual = utilization.actual_utilization(
        con, product_id, threshold=ctx.settings.small_cell_threshold, start_month=start_month
    )
    actual_pct = None if actual is None else actual.share * 100
    note = (
        f"{base.students:,} students on file ({base.source}, {fiscal_year_label(base.fiscal_year)})"
        if base.source != "none"
        else "No enrollment on file: enter the number of students."
    )

    with tab_scenario:
        if actual is not None:
            st.caption(
                f"Actual license utilization {actual.school_year}: {actual.share:.0%} "
                f"({actual.definition}); new scenarios start from it."
            )
        with st.expander(f"Enrollment behind the seats: {note}"):
            entry = enrollment_panel(
                enrollment.enrollment_table(con, base.fiscal_year),
                enrollment.schools(con),
                base.fiscal_year if base.source in ("roster", "entered") else start_fy,
                can_edit=ctx.can(Action.MANAGE_QUOTES),  # district-wide, not the request's
            )
            if entry is not None:
                try:
                    enrollment.save_enrollment(con, ctx.actor, **entry)
                except DomainError as exc:
                    show_error(exc)
                else:
                    st.rerun()
        names = {
            "New scenario": 0,
            **{s["name"]: s["scenario_id"] for s in saved if s["quote_id"] == quote_id},
        }
        choice = names[st.selectbox("Scenario", list(names), key=state_key(NS, f"scenario.{quote_id}"))]
        loaded = scenarios.load_scenario(con, choice) if choice else None
        start = loaded.params if loaded else parts.default_params(quote, start_fy, base.students, actual_pct)
        params = parts.scenario_editor(quote, start, f"{quote_id}.{choice}", note)
        if params is not None:
            result = evaluate(quote, params, loaded.name if loaded else "New scenario")
            _show_result(result, start_month)
            _warnings(result)
            if params.option != ContractOption.YEARLY:
                even = break_even_discount(quote, params)
                st.info(
                    md(
                        f"{even.explanation} NPV of yearly renewals: {money(even.yearly_npv)}; "
                        f"of this option: {money(even.multi_year_npv)}."
                    )
                )
            if can_edit:
                c1, c2, c3, c4 = st.columns([3, 1, 1, 1], vertical_alignment="bottom")
                name = c1.text_input(
                    "Scenario name",
                    value=loaded.name if loaded else "",
                    key=state_key(NS, f"name.{quote_id}.{choice}"),
                )
                try:
                    if c2.button("Save", type="primary", key=state_key(NS, "save")):
                        scenarios.save_scenario(
                            con,
                            ctx.actor,
                            quote_id=quote_id,
                            name=name,
                            params=params,
                            scenario_id=choice or None,
                        )
                        flash(md(f"Saved '{name.strip()}'."))
                        st.rerun()
                    if loaded and c3.button("Duplicate", key=state_key(NS, "duplicate")):
                        scenarios.duplicate_scenario(con, ctx.actor, choice, f"{loaded.name} (copy)")
                        st.rerun()
                    if loaded and c4.button("Delete", key=state_key(NS, "delete")):
                        scenarios.delete_scenario(con, ctx.actor, choice)
                        st.rerun()
                except DomainError as exc:
                    show_error(exc)

    with tab_compare:
        if saved:
            ids = {s["name"]: s["scenario_id"] for s in saved}
            picks = st.multiselect(
                "Scenarios to compare",
                list(ids),
                default=list(ids),
                key=state_key(NS, f"compare.{product_id}"),
            )
            loaded_all = [scenarios.load_scenario(con, ids[name]) for name in picks]
            results = [evaluate(x.quote, x.params, x.name) for x in loaded_all]
        else:
            st.caption(
                "No saved scenarios yet: showing the quote's two standard options with default assumptions. "
                "Save scenarios in the editor to compare your own."
            )
            first = parts.default_params(quote, start_fy, base.students, actual_pct)
            results = [
                evaluate(quote, first.model_copy(update={"option": o}), o.label)
                for o in (ContractOption.YEARLY, ContractOption.MULTI_YEAR)
            ]
        if not results:
            empty_state("Pick at least one scenario to compare.")
        else:
            st.caption(
                f"Fiscal years run {fiscal_year_span(results[0].years[0].fiscal_year, start_month)} "
                f"({fiscal_year_label(results[0].years[0].fiscal_year)}) and so on."
            )
            table = comparison_table(results)
            st.dataframe(table, hide_index=True, width="stretch", column_config=parts.money_columns(table))
            st.plotly_chart(charts.stacked_categories(category_long(results)), width="stretch")
            st.plotly_chart(charts.cumulative_lines(cumulative_long(results)), width="stretch")
            by_name = {r.name: r for r in results}
            c1, c2 = st.columns(2)
            focus = by_name[c1.selectbox("Sensitivity for", list(by_name), key=state_key(NS, "tornado"))]
            metric = c2.radio(
                "Measure",
                ["npv", "per_active_user"],
                horizontal=True,
                key=state_key(NS, "metric"),
                format_func={"npv": "NPV of cost", "per_active_user": "NPV per active user"}.get,
            )
            label = "NPV of cost" if metric == "npv" else "NPV per active user"
            st.plotly_chart(
                charts.tornado_chart(tornado(focus.quote, focus.params, metric=metric), metric_label=label),
                width="stretch",
            )
            st.caption(SensitivityRanges().describe())
            st.subheader("What would it take?")
            c1, c2 = st.columns(2)
            budget = c1.number_input(
                "Budget ($)",
                min_value=0.0,
                value=round(focus.summary.first_year, -2),
                step=500.0,
                key=state_key(NS, "budget"),
            )
            basis = c2.radio(
                "Budget applies to",
                [b.value for b in BudgetBasis],
                horizontal=True,
                format_func=lambda v: BudgetBasis(v).label,
                key=state_key(NS, "basis"),
            )
            fit = max_unit_price(focus.quote, focus.params, budget, BudgetBasis(basis))
            (st.success if fit.fits else st.warning)(md(f"{focus.name}: {fit.explanation}"))
            c1, c2 = st.columns(2)
            c1.download_button(
                "Download XLSX (comparison + a sheet per scenario)",
                scenarios_xlsx(results, start_month),
                file_name="cost-scenarios.xlsx",
                mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                key=state_key(NS, "xlsx"),
            )
            c2.download_button(
                "Download CSV (every scenario's years)",
                scenarios_csv(results, start_month),
                file_name="cost-scenarios.csv",
                mime="text/csv",
                key=state_key(NS, "csv"),
            )

    with tab_funding:
        if not saved:
            empty_state(
                "Funding is assigned to a saved scenario.",
                next_step="Save a scenario in the Scenario editor tab first.",
            )
        else:
            fund_ids = {s["name"]: s["scenario_id"] for s in saved}
            sid = fund_ids[
                st.selectbox("Scenario", list(fund_ids), key=state_key(NS, f"fund_scenario.{product_id}"))
            ]
            funded = scenarios.load_scenario(con, sid)
            result = evaluate(funded.quote, funded.params, funded.name)
            frame = funding_table(result)
            gap = result.funding.unfunded_total
            (st.error if gap > 0.5 else st.success)(
                md(f"Unfunded over {len(result.years)} years: {money(gap)}")
                if gap > 0.5
                else "Every year is funded."
            )
            _warnings(result)
            st.plotly_chart(charts.funding_bars(frame), width="stretch")
            st.dataframe(
                frame,
                hide_index=True,
                width="stretch",
                column_config={
                    c: st.column_config.NumberColumn(c, format="dollar")
                    for c in frame.columns
                    if c != "Fiscal year"
                },
            )
            sources = funding_sources.list_funding_sources(con)
            if not can_fund:
                st.caption("Only the business office (or an administrator) assigns funding sources.")
            elif not sources:
                empty_state("No funding sources yet.", next_step="Add one below (e.g. General fund).")
            else:
                lines = parts.funding_editor(result, sources, key=str(sid))
                if lines is not None:
                    try:
                        scenarios.set_funding(con, ctx.actor, sid, lines)
                    except DomainError as exc:
                        show_error(exc)
                    else:
                        flash("Funding saved.")
                        st.rerun()
            if can_fund:
                with st.expander("Add a funding source"), st.form(state_key(NS, "source_form")):
                    c1, c2, c3 = st.columns(3)
                    src_name = c1.text_input("Name", placeholder="e.g. Title IV-A FY2028")
                    kind = c2.selectbox(
                        "Kind", FundingKind.options(), format_func=lambda v: FundingKind(v).label
                    )
                    last = c3.number_input("Last fiscal year (empty if ongoing)", value=None, step=1)
                    if st.form_submit_button("Add source"):
                        try:
                            funding_sources.save_funding_source(
                                con,
                                ctx.actor,
                                name=src_name,
                                kind=FundingKind(kind),
                                last_fiscal_year=None if last is None else int(last),
                            )
                        except DomainError as exc:
                            show_error(exc)
                        else:
                            st.rerun()
