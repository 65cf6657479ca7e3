"""A saved quote as people read it: terms in one line, the cost lines in a table, the document link."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from models.costs import QuoteInput
from ui.plain import link


def quote_summary(quote: QuoteInput) -> None:
    amount = quote.coverage_text or (
        f"{quote.quantity:,} units" if quote.quantity is not None else "1 license"
    )
    terms = [
        f"**{quote.pricing_unit.label}** at **\\${quote.unit_price:,.2f}** a year",
        amount,
        f"minimum {quote.minimum_quantity:,}" if quote.minimum_quantity else "",
        f"cap {quote.seat_cap:,}" if quote.seat_cap else "",
        f"{quote.term_years}-year term",
        quote.escalator_text,
        "tiers " + ", ".join(f"{t.min_units:,}+ at \\${t.unit_price:,.2f}" for t in quote.tiers)
        if quote.tiers
        else "",
        f"price lock {quote.price_lock_years} years" if quote.price_lock_years else "",
        f"multi-year discount {quote.multi_year_discount_pct:g}%" if quote.multi_year_discount_pct else "",
        f"valid until {quote.valid_until:%B %d, %Y}" if quote.valid_until else "",
    ]
    st.markdown(" · ".join(t for t in terms if t))
    lines = [
        {
            "When": "One-time" if kind == "one" else "Every year",
            "Cost": ln.name,
            "Category": ln.category.label,
            "Amount": ln.amount,
            "Staff hours": ln.hours,
            "Hourly rate": ln.hourly_rate,
        }
        for kind, group in (("one", quote.one_time_costs), ("every", quote.recurring_costs))
        for ln in group
    ]
    if lines:
        st.dataframe(
            pd.DataFrame(lines).astype({"Staff hours": "float64", "Hourly rate": "float64"}),
            placeholder="—",
            hide_index=True,
            width="stretch",
            column_config={
                "Amount": st.column_config.NumberColumn("Amount", format="dollar"),
                "Hourly rate": st.column_config.NumberColumn("Hourly rate", format="dollar"),
            },
        )
    else:
        st.caption("No one-time or recurring costs beyond the licenses were entered.")
    if quote.document_url:
        st.markdown(link(quote.document_url, "Open the quote document"))
