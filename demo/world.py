"""What the core demo seed created, handed to each area's demo module (`demo/<area>.py: seed(con, world)`).

Area modules add their own demo content (scores, quotes, agreements, posting, ...) using these ids,
deterministically (use `world.rng`, never the global random state).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from models.people import Actor
from settings import Settings


@dataclass
class DemoWorld:
    settings: Settings
    today: dt.date
    rng: np.random.Generator
    school_year_start: dt.date
    school_year_end: dt.date
    schools: dict[str, int] = field(default_factory=dict)  # name -> school_id
    people: dict[str, Actor] = field(
        default_factory=dict
    )  # short handle -> Actor ("requester", "approver", ...)
    vendors: dict[str, int] = field(default_factory=dict)  # vendor name -> vendor_id
    products: dict[str, int] = field(default_factory=dict)  # product name -> product_id
    requests: dict[str, int] = field(default_factory=dict)  # product or title -> request_id
    request_stage: dict[int, str] = field(default_factory=dict)  # request_id -> stage value
    criteria: dict[str, int] = field(default_factory=dict)  # criterion name -> criterion_id
    contracts: dict[str, int] = field(default_factory=dict)  # product name -> contract_id
    agreements: dict[str, int] = field(default_factory=dict)  # product name -> agreement_id
    student_count: int = 0
    # product name -> true effect (in SD units) built into the generated assessments
    true_effects: dict[str, float] = field(default_factory=dict)
