"""SOP step 4: the committee reviews each candidate (pilots, 1-5 scores per weighted criterion,
pros/cons/gaps) and the technology department checks integration with district systems."""

from __future__ import annotations

import streamlit as st
from pydantic import ValidationError

from models.enums import Integration, IntegrationResult, Stage
from models.errors import DomainError
from models.purchasing import SCORE_MAX, SCORE_MIN, IntegrationCheckInput, PilotInput, ProsCons, ScoreInput
from services import criteria, review
from services.permissions import Action, may_on_request
from ui.context import flash, page_context, show_error, state_key
from ui.forms import show_validation_errors
from ui.request_picker import pick_request
from ui.widgets import page_link

NS = "review"
STAGES = (Stage.CRITERIA_SOPPA, Stage.BUDGET, Stage.REVIEW, Stage.DECISION)

with page_context(Action.VIEW_PIPELINE) as ctx:
    request = pick_request(ctx.con, NS, STAGES, title="Vendor review")
    request_id = int(request["request_id"])
    # pilots and notes: the requester's own request, or a role that covers candidates
    may_edit_candidates = may_on_request(ctx.actor, Action.MANAGE_CANDIDATES, request["requester_id"])
    cands = criteria.candidates(ctx.con, request_id, include_excluded=False)
    crit = criteria.request_criteria(ctx.con, request_id)
    if cands.empty:
        st.info("No candidate products yet: add them on the Vendor criteria page.")
        page_link(
            "pages/criteria.py", "Vendor criteria", icon=":material/checklist:", query={"request": request_id}
        )
        st.stop()
    labels = {r["product"]: r for r in cands.to_dict("records")}
    choice = st.radio("Candidate", list(labels), horizontal=True, key=state_key(NS, f"cand{request_id}"))
    cand = labels[choice]
    candidate_id, product_id = int(cand["candidate_id"]), int(cand["product_id"])

    tab_scores, tab_pilots, tab_notes, tab_integration, tab_vendor = st.tabs(
        ["Scores", "Pilots", "Pros, cons & gaps", "Integration check", "Vendor answers"]
    )

    with tab_scores:
        if crit.empty:
            st.info("Choose and weight the criteria first (Vendor criteria page).")
        elif ctx.can(Action.SCORE_CANDIDATE):
            mine = review.my_scores(ctx.con, candidate_id, ctx.actor.person_id)
            st.caption(
                f"Score {choice} on each criterion from {SCORE_MIN} (poor) to {SCORE_MAX} (excellent). "
                "Saving again updates your earlier scores."
            )
            with st.form(state_key(NS, f"scores{candidate_id}")):
                entered = {}
                for row in crit.to_dict("records"):
                    cid = int(row["criterion_id"])
                    prior = mine.get(cid, {})
                    a, b = st.columns([1, 2])
                    value = a.number_input(
                        f"{row['name']} ({row['weight']:.0f}%)",
                        min_value=SCORE_MIN,
                        max_value=SCORE_MAX,
                        step=1,
                        value=prior.get("score"),
                        key=state_key(NS, f"s{candidate_id}_{cid}"),
                    )
                    comment = b.text_input(
                        f"Comment on {row['name']}",
                        value=prior.get("comment") or "",
                        key=state_key(NS, f"c{candidate_id}_{cid}"),
                    )
                    entered[cid] = (value, comment)
                save = st.form_submit_button("Save score", type="primary")
            if save:
                try:
                    inputs = [
                        ScoreInput(candidate_id=candidate_id, criterion_id=cid, score=int(v), comment=c)
                        for cid, (v, c) in entered.items()
                        if v is not None
                    ]
                    saved = review.save_scores(ctx.con, ctx.actor, inputs)
                except ValidationError as exc:
                    show_validation_errors(exc, {"score": "Score"})
                except DomainError as exc:
                    show_error(exc)
                else:
                    st.success(f"Saved {saved} score(s) for {choice}.")
        else:
            st.caption("Committee reviewers score candidates; you see the scores so far.")
        table = review.scores(ctx.con, request_id)
        table = table[table["candidate_id"] == candidate_id]
        if not table.empty:
            st.dataframe(
                table.pivot_table(index="criterion", columns="reviewer", values="score").rename_axis(
                    index="Criterion", columns="Reviewer"
                ),
                width="stretch",
            )

    with tab_pilots:
        pilots = review.pilots(ctx.con, request_id)
        shown = pilots[pilots["product"] == choice]
        if shown.empty:
            st.caption("No pilot recorded for this candidate.")
        else:
            st.dataframe(shown.drop(columns=["pilot_id"]), hide_index=True, width="stretch")
        if may_edit_candidates:
            with st.form(state_key(NS, f"pilot{candidate_id}")):
                who = st.text_input("Who piloted it", placeholder="e.g. Two grade 4 classes at Lincoln")
                d1, d2 = st.columns(2)
                start = d1.date_input("Start", value=None, format="MM/DD/YYYY")
                end = d2.date_input("End", value=None, format="MM/DD/YYYY")
                findings = st.text_area("Findings")
                add = st.form_submit_button("Add pilot")
            if add:
                try:
                    review.add_pilot(
                        ctx.con,
                        ctx.actor,
                        PilotInput(
                            candidate_id=candidate_id,
                            participants=who,
                            start_date=start,
                            end_date=end,
                            findings=findings,
                        ),
                    )
                except ValidationError as exc:
                    show_validation_errors(exc, {"participants": "Who piloted it"})
                except DomainError as exc:
                    show_error(exc)
                else:
                    flash("Pilot recorded.")
                    st.rerun()

    with tab_notes:
        with st.form(state_key(NS, f"notes{candidate_id}")):
            pros = st.text_area("Pros", value=cand["pros"] or "", disabled=not may_edit_candidates)
            cons = st.text_area("Cons", value=cand["cons"] or "", disabled=not may_edit_candidates)
            gaps = st.text_area(
                "Gaps (needs it does not meet)", value=cand["gaps"] or "", disabled=not may_edit_candidates
            )
            save_notes = st.form_submit_button("Save pros, cons and gaps", disabled=not may_edit_candidates)
        if save_notes:
            try:
                review.save_pros_cons(
                    ctx.con, ctx.actor, candidate_id, ProsCons(pros=pros, cons=cons, gaps=gaps)
                )
            except ValidationError as exc:
                show_validation_errors(exc)
            except DomainError as exc:
                show_error(exc)
            else:
                st.success("Saved.")

    with tab_integration:
        checks = review.integration_checks(ctx.con, request_id)
        mine = checks[checks["product_id"] == product_id]
        if mine.empty:
            st.caption("The technology department has not checked this product yet.")
        else:
            st.dataframe(
                mine.assign(
                    integration=mine["integration"].map(lambda v: Integration(v).label),
                    result=mine["result"].map(lambda v: IntegrationResult(v).label),
                )[["integration", "result", "evidence", "checked_by", "checked_at"]],
                hide_index=True,
                width="stretch",
                column_config={
                    "integration": "Integration",
                    "result": "Result",
                    "evidence": "Evidence",
                    "checked_by": "Checked by",
                    "checked_at": st.column_config.DatetimeColumn("Checked", format="MM/DD/YYYY"),
                },
            )
        if ctx.can(Action.VERIFY_INTEGRATION):
            with st.form(state_key(NS, f"integration{product_id}")):
                kind = st.selectbox("Integration", list(Integration), format_func=lambda i: i.label)
                result = st.selectbox("Result", list(IntegrationResult), format_func=lambda r: r.label)
                evidence = st.text_area(
                    "Evidence",
                    placeholder="What was tested, with which system (e.g. PowerSchool "
                    "sandbox, Clever test district, Google SSO)",
                )
                save_check = st.form_submit_button("Save integration check", type="primary")
            if save_check:
                try:
                    review.record_integration_check(
                        ctx.con,
                        ctx.actor,
                        IntegrationCheckInput(
                            request_id=request_id,
                            product_id=product_id,
                            integration=kind,
                            result=result,
                            evidence=evidence,
                        ),
                    )
                except ValidationError as exc:
                    show_validation_errors(exc)
                except DomainError as exc:
                    show_error(exc)
                else:
                    flash(f"{kind.label}: {result.label}.")
                    st.rerun()
        else:
            st.caption("Only the technology department records integration checks.")

    with tab_vendor:
        answers = criteria.vendor_responses(ctx.con, request_id)
        answers = answers[answers["product"] == choice]
        if answers.empty:
            st.caption("No vendor answers imported for this candidate.")
        else:
            st.dataframe(answers.drop(columns=["product"]), hide_index=True, width="stretch")

    page_link(
        "pages/compare.py",
        "Compare the candidates",
        icon=":material/compare_arrows:",
        query={"request": request_id},
    )
