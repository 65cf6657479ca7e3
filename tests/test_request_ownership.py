"""A requester works on their own request: a colleague who is only a requester cannot change its
criteria, candidates, pilots, notes, vendor answers, quotes or scenarios (and nothing is written when
they try), while the requester and the roles whose work it is (committee, business office, approver)
can."""

from __future__ import annotations

import pytest

from models.costs import QuoteInput
from models.enums import PricingUnit
from models.errors import PermissionDenied
from models.purchasing import PilotInput, ProductCreate, ProsCons
from services import criteria, decision, review, scenarios, vendor_form
from tests import purchasing_factory as pf
from tests.test_costs_scenarios_db import PARAMS


@pytest.fixture
def setup(con, people):
    request_id, cands, prods = pf.request_in_review(con, people)
    quote_id = scenarios.save_quote(
        con,
        people["requester"],
        QuoteInput(
            product_id=prods["Alpha Math"],
            request_id=request_id,
            pricing_unit=PricingUnit.FLAT_DISTRICT,
            unit_price=9000,
        ),
    )
    scenario_id = scenarios.save_scenario(
        con, people["requester"], quote_id=quote_id, name="Base", params=PARAMS
    )
    other = pf.product(con, people["admin"], "Gamma Inc.", "Gamma Math")
    return {
        "request": request_id,
        "cands": cands,
        "prods": prods,
        "quote": quote_id,
        "scenario": scenario_id,
        "other": other,
        "vendor": con.execute("SELECT vendor_id FROM vendors WHERE name = 'Gamma Inc.'").fetchone()[0],
    }


def _quote(s, request_id):
    return QuoteInput(
        product_id=s["prods"]["Alpha Math"],
        request_id=request_id,
        pricing_unit=PricingUnit.FLAT_DISTRICT,
        unit_price=1,
    )


# what a colleague tries, with the role whose work it also is
ACTIONS = {
    "weight criteria": (
        "reviewer",
        lambda con, a, s: criteria.set_request_criteria(
            con, a, s["request"], {pf.library_ids(con, "Price")[0]: 100}
        ),
    ),
    "add a candidate": (
        "reviewer",
        lambda con, a, s: criteria.add_candidate(con, a, s["request"], s["other"]),
    ),
    "add a new product": (
        "reviewer",
        lambda con, a, s: criteria.add_new_product(
            con, a, s["request"], ProductCreate(vendor_id=s["vendor"], name="Delta Math")
        ),
    ),
    "exclude a candidate": (
        "reviewer",
        lambda con, a, s: criteria.set_candidate_status(con, a, s["cands"]["Beta Math"], "excluded"),
    ),
    "select the product": (
        "approver",
        lambda con, a, s: decision.select_product(con, a, s["request"], s["prods"]["Alpha Math"]),
    ),
    "record a pilot": (
        "reviewer",
        lambda con, a, s: review.add_pilot(
            con, a, PilotInput(candidate_id=s["cands"]["Alpha Math"], participants="Grade 4")
        ),
    ),
    "write pros and cons": (
        "reviewer",
        lambda con, a, s: review.save_pros_cons(
            con, a, s["cands"]["Alpha Math"], ProsCons(pros="Fast", cons="", gaps="")
        ),
    ),
    "add a quote": ("business", lambda con, a, s: scenarios.save_quote(con, a, _quote(s, s["request"]))),
    "edit a quote": (
        "business",
        lambda con, a, s: scenarios.save_quote(con, a, _quote(s, s["request"]), quote_id=s["quote"]),
    ),
    "save a scenario": (
        "business",
        lambda con, a, s: scenarios.save_scenario(con, a, quote_id=s["quote"], name="Lean", params=PARAMS),
    ),
    "copy a scenario": (
        "business",
        lambda con, a, s: scenarios.duplicate_scenario(con, a, s["scenario"], "Copy"),
    ),
    "delete a scenario": ("business", lambda con, a, s: scenarios.delete_scenario(con, a, s["scenario"])),
}

WRITTEN = ["request_criteria", "candidates", "products", "pilots", "quotes", "cost_scenarios", "requests"]


def _tables(con):
    return {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in WRITTEN}


@pytest.mark.parametrize("action", list(ACTIONS))
def test_a_colleague_who_is_only_a_requester_is_refused_and_nothing_changes(con, people, setup, action):
    before = _tables(con)
    with pytest.raises(PermissionDenied, match="colleague's request"):
        ACTIONS[action][1](con, people["requester2"], setup)
    assert _tables(con) == before


@pytest.mark.parametrize("action", list(ACTIONS))
@pytest.mark.parametrize("who", ["requester", "role"])
def test_the_requester_and_the_role_whose_work_it_is_can(con, people, setup, action, who):
    role, act = ACTIONS[action]
    before = _tables(con)
    act(con, people["requester" if who == "requester" else role], setup)
    assert _tables(con) != before


def test_a_colleagues_vendor_answers_are_refused_before_the_file_is_read(con, people, setup):
    with pytest.raises(PermissionDenied, match="colleague's request"):
        vendor_form.import_form(con, people["requester2"], setup["request"], b"not a workbook")


def test_a_colleagues_quote_cannot_be_taken_off_their_request(con, people, setup):
    """The stored quote's request counts, not only the one the edit names."""
    quote = scenarios.get_quote(con, setup["quote"])
    with pytest.raises(PermissionDenied, match="colleague's request"):
        scenarios.save_quote(
            con, people["requester2"], quote.model_copy(update={"request_id": None}), quote_id=setup["quote"]
        )
    assert scenarios.get_quote(con, setup["quote"]) == quote
