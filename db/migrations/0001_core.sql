-- 0001: the whole SOP lifecycle, steps 1-10, plus people, imports and the audit trail.
-- Status and stage vocabularies are mirrored in models/enums.py (the one place code reads them);
-- tests/test_schema.py checks that the CHECK lists and the enums agree.

CREATE TABLE app_meta (
    key VARCHAR PRIMARY KEY,
    value VARCHAR
);

CREATE SEQUENCE seq_school START 1;
CREATE TABLE schools (
    school_id INTEGER PRIMARY KEY DEFAULT nextval('seq_school'),
    name VARCHAR NOT NULL UNIQUE,
    code VARCHAR,
    grade_low INTEGER CHECK (grade_low BETWEEN -1 AND 12),
    grade_high INTEGER CHECK (grade_high BETWEEN -1 AND 12)
);

-- People and roles -----------------------------------------------------------------------------
CREATE SEQUENCE seq_person START 1;
CREATE TABLE people (
    person_id INTEGER PRIMARY KEY DEFAULT nextval('seq_person'),
    email VARCHAR NOT NULL UNIQUE,
    full_name VARCHAR NOT NULL,
    title VARCHAR,
    school_id INTEGER,          -- no FK: DuckDB refuses updates of FK columns on referenced rows
    department VARCHAR,
    active BOOLEAN NOT NULL DEFAULT true,
    password_hash VARCHAR,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until TIMESTAMP,
    last_login_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    CHECK (email = lower(email) AND email LIKE '%_@_%')
);

CREATE TABLE person_roles (
    person_id INTEGER NOT NULL REFERENCES people (person_id),
    role VARCHAR NOT NULL CHECK (role IN ('requester', 'committee_reviewer', 'compliance_officer',
        'technology', 'business_office', 'approver', 'teacher', 'admin')),
    PRIMARY KEY (person_id, role)
);

-- Vendors and products --------------------------------------------------------------------------
CREATE SEQUENCE seq_vendor START 1;
CREATE TABLE vendors (
    vendor_id INTEGER PRIMARY KEY DEFAULT nextval('seq_vendor'),
    name VARCHAR NOT NULL UNIQUE,
    business_address VARCHAR,
    contact_name VARCHAR,
    contact_email VARCHAR,
    website VARCHAR,
    created_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);

CREATE SEQUENCE seq_product START 1;
CREATE TABLE products (
    product_id INTEGER PRIMARY KEY DEFAULT nextval('seq_product'),
    vendor_id INTEGER NOT NULL REFERENCES vendors (vendor_id),
    name VARCHAR NOT NULL,
    description VARCHAR,
    subjects VARCHAR,           -- "; "-separated, e.g. "Math; Science"
    grade_low INTEGER CHECK (grade_low BETWEEN -1 AND 12),
    grade_high INTEGER CHECK (grade_high BETWEEN -1 AND 12),
    website VARCHAR,
    collects_student_data BOOLEAN NOT NULL DEFAULT true,
    created_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    UNIQUE (vendor_id, name)
);

-- Step 1: needs assessment (the request is the unit of the product) ---------------------------
CREATE SEQUENCE seq_request START 1;
CREATE TABLE requests (
    request_id INTEGER PRIMARY KEY DEFAULT nextval('seq_request'),
    title VARCHAR NOT NULL,
    requester_id INTEGER NOT NULL REFERENCES people (person_id),
    school_id INTEGER,          -- mutable columns of a referenced table carry no FK (DuckDB
    department VARCHAR,         -- turns such updates into delete+insert); services check them
    stage VARCHAR NOT NULL DEFAULT 'needs_assessment' CHECK (stage IN ('needs_assessment',
        'criteria_soppa', 'budget', 'review', 'decision', 'purchase', 'catalog', 'contract',
        'goals', 'plan', 'monitoring', 'denied', 'withdrawn', 'closed')),
    stage_entered_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    problem VARCHAR,
    impact VARCHAR,
    desired_outcome VARCHAR,
    measures VARCHAR,
    existing_resources VARCHAR,
    look_fors VARCHAR,
    subject VARCHAR,
    grade_band VARCHAR,
    students_affected INTEGER CHECK (students_affected >= 0),
    leader_id INTEGER,
    stakeholders VARCHAR,
    selected_product_id INTEGER,
    alternative_of INTEGER,
    denial_reason VARCHAR,
    submitted_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    updated_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);

CREATE SEQUENCE seq_action_item START 1;
CREATE TABLE request_action_items (
    item_id INTEGER PRIMARY KEY DEFAULT nextval('seq_action_item'),
    request_id INTEGER NOT NULL REFERENCES requests (request_id),
    who VARCHAR NOT NULL,
    what VARCHAR NOT NULL,
    due_date DATE,
    done_date DATE
);

-- Step 2: vendor criteria and responses -----------------------------------------------------
CREATE SEQUENCE seq_criterion START 1;
CREATE TABLE criteria (
    criterion_id INTEGER PRIMARY KEY DEFAULT nextval('seq_criterion'),
    name VARCHAR NOT NULL UNIQUE,
    category VARCHAR NOT NULL,
    description VARCHAR,
    default_weight DOUBLE NOT NULL DEFAULT 1 CHECK (default_weight >= 0),
    is_gate BOOLEAN NOT NULL DEFAULT false,
    active BOOLEAN NOT NULL DEFAULT true
);

CREATE TABLE request_criteria (
    request_id INTEGER NOT NULL REFERENCES requests (request_id),
    criterion_id INTEGER NOT NULL REFERENCES criteria (criterion_id),
    weight DOUBLE NOT NULL CHECK (weight >= 0),
    PRIMARY KEY (request_id, criterion_id)
);

CREATE SEQUENCE seq_candidate START 1;
CREATE TABLE candidates (
    candidate_id INTEGER PRIMARY KEY DEFAULT nextval('seq_candidate'),
    request_id INTEGER NOT NULL REFERENCES requests (request_id),
    product_id INTEGER NOT NULL REFERENCES products (product_id),
    status VARCHAR NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'excluded', 'withdrawn')),
    pros VARCHAR,
    cons VARCHAR,
    gaps VARCHAR,
    added_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    UNIQUE (request_id, product_id)
);

CREATE SEQUENCE seq_vendor_response START 1;
CREATE TABLE vendor_responses (
    response_id INTEGER PRIMARY KEY DEFAULT nextval('seq_vendor_response'),
    candidate_id INTEGER NOT NULL REFERENCES candidates (candidate_id),
    criterion_id INTEGER NOT NULL REFERENCES criteria (criterion_id),
    meets VARCHAR CHECK (meets IN ('yes', 'partial', 'no', 'unknown')),
    response VARCHAR,
    evidence VARCHAR,
    received_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    UNIQUE (candidate_id, criterion_id)
);

-- Steps 2 and 5: SOPPA agreements and the compliance officer's decision -----------------------
CREATE SEQUENCE seq_agreement START 1;
CREATE TABLE agreements (
    agreement_id INTEGER PRIMARY KEY DEFAULT nextval('seq_agreement'),
    vendor_id INTEGER NOT NULL REFERENCES vendors (vendor_id),
    product_id INTEGER REFERENCES products (product_id),
    agreement_type VARCHAR NOT NULL CHECK (agreement_type IN ('IL-NDPA', 'Exhibit E adoption',
        'Vendor DPA', 'None')),
    signed_date DATE,
    expiry_date DATE,
    data_elements VARCHAR,
    subcontractors VARCHAR,
    business_address VARCHAR,
    states_data_categories BOOLEAN NOT NULL DEFAULT false,
    states_product BOOLEAN NOT NULL DEFAULT false,
    ferpa_school_official BOOLEAN NOT NULL DEFAULT false,
    breach_cost_allocation BOOLEAN NOT NULL DEFAULT false,
    deletion_terms BOOLEAN NOT NULL DEFAULT false,
    deletion_days INTEGER CHECK (deletion_days >= 0),
    public_posting_consent BOOLEAN NOT NULL DEFAULT false,
    document_url VARCHAR,
    redacted_url VARCHAR,
    posted_date DATE,
    created_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    CHECK (expiry_date IS NULL OR signed_date IS NULL OR expiry_date > signed_date)
);

CREATE SEQUENCE seq_soppa_decision START 1;
CREATE TABLE soppa_decisions (
    decision_id INTEGER PRIMARY KEY DEFAULT nextval('seq_soppa_decision'),
    request_id INTEGER REFERENCES requests (request_id),
    product_id INTEGER NOT NULL REFERENCES products (product_id),
    agreement_id INTEGER REFERENCES agreements (agreement_id),
    status VARCHAR NOT NULL CHECK (status IN ('compliant', 'staff_use_only', 'not_applicable',
        'unknown', 'pending_agreement', 'not_compliant', 'parent_consent_required')),
    note VARCHAR,
    decided_by INTEGER NOT NULL REFERENCES people (person_id),
    decided_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);

-- Step 4: pilots, committee scores, integration checks ------------------------------------
CREATE SEQUENCE seq_pilot START 1;
CREATE TABLE pilots (
    pilot_id INTEGER PRIMARY KEY DEFAULT nextval('seq_pilot'),
    candidate_id INTEGER NOT NULL REFERENCES candidates (candidate_id),
    participants VARCHAR,
    start_date DATE,
    end_date DATE,
    findings VARCHAR,
    CHECK (end_date IS NULL OR start_date IS NULL OR end_date >= start_date)
);

CREATE SEQUENCE seq_score START 1;
CREATE TABLE review_scores (
    score_id INTEGER PRIMARY KEY DEFAULT nextval('seq_score'),
    candidate_id INTEGER NOT NULL REFERENCES candidates (candidate_id),
    criterion_id INTEGER NOT NULL REFERENCES criteria (criterion_id),
    reviewer_id INTEGER NOT NULL REFERENCES people (person_id),
    score INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
    comment VARCHAR,
    scored_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    UNIQUE (candidate_id, criterion_id, reviewer_id)
);

CREATE SEQUENCE seq_integration_check START 1;
CREATE TABLE integration_checks (
    check_id INTEGER PRIMARY KEY DEFAULT nextval('seq_integration_check'),
    request_id INTEGER REFERENCES requests (request_id),
    product_id INTEGER NOT NULL REFERENCES products (product_id),
    integration VARCHAR NOT NULL CHECK (integration IN ('sis', 'rostering', 'sso', 'lti')),
    result VARCHAR NOT NULL CHECK (result IN ('verified', 'failed', 'not_applicable', 'pending')),
    evidence VARCHAR,
    checked_by INTEGER NOT NULL REFERENCES people (person_id),
    checked_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    UNIQUE (request_id, product_id, integration)
);

-- Step 3: quotes, cost scenarios and funding ---------------------------------------------
CREATE SEQUENCE seq_quote START 1;
CREATE TABLE quotes (
    quote_id INTEGER PRIMARY KEY DEFAULT nextval('seq_quote'),
    request_id INTEGER REFERENCES requests (request_id),
    product_id INTEGER NOT NULL REFERENCES products (product_id),
    pricing_unit VARCHAR NOT NULL CHECK (pricing_unit IN ('per_student', 'per_seat', 'per_teacher',
        'per_school', 'flat_district')),
    unit_price DECIMAL(14, 2) NOT NULL CHECK (unit_price >= 0),
    quantity INTEGER CHECK (quantity >= 0),
    coverage VARCHAR,
    minimum_quantity INTEGER CHECK (minimum_quantity >= 0),
    term_years INTEGER NOT NULL DEFAULT 1 CHECK (term_years BETWEEN 1 AND 10),
    escalator_pct DOUBLE NOT NULL DEFAULT 0 CHECK (escalator_pct BETWEEN 0 AND 100),
    price_lock_years INTEGER NOT NULL DEFAULT 0 CHECK (price_lock_years >= 0),
    multi_year_discount_pct DOUBLE NOT NULL DEFAULT 0 CHECK (multi_year_discount_pct BETWEEN 0 AND 100),
    one_time_costs JSON,
    recurring_costs JSON,
    document_url VARCHAR,
    valid_until DATE,
    created_by INTEGER REFERENCES people (person_id),
    created_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);

CREATE SEQUENCE seq_scenario START 1;
CREATE TABLE cost_scenarios (
    scenario_id INTEGER PRIMARY KEY DEFAULT nextval('seq_scenario'),
    request_id INTEGER REFERENCES requests (request_id),
    product_id INTEGER REFERENCES products (product_id),
    quote_id INTEGER REFERENCES quotes (quote_id),
    name VARCHAR NOT NULL,
    params JSON NOT NULL,
    created_by INTEGER REFERENCES people (person_id),
    created_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    updated_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);

CREATE SEQUENCE seq_funding_source START 1;
CREATE TABLE funding_sources (
    source_id INTEGER PRIMARY KEY DEFAULT nextval('seq_funding_source'),
    name VARCHAR NOT NULL UNIQUE,
    kind VARCHAR NOT NULL CHECK (kind IN ('general_fund', 'title_i_a', 'title_ii_a', 'title_iv_a',
        'idea', 'e_rate', 'state_grant', 'private_grant', 'local_foundation', 'esser', 'other')),
    last_fiscal_year INTEGER,
    note VARCHAR
);

CREATE TABLE enrollment (
    school_id INTEGER NOT NULL REFERENCES schools (school_id),
    fiscal_year INTEGER NOT NULL,
    grade INTEGER NOT NULL CHECK (grade BETWEEN -1 AND 12),
    students INTEGER NOT NULL CHECK (students >= 0),
    source VARCHAR NOT NULL DEFAULT 'entered' CHECK (source IN ('entered', 'roster')),
    PRIMARY KEY (school_id, fiscal_year, grade)
);

-- Step 5: the decision and purchase coordination ------------------------------------------
CREATE SEQUENCE seq_decision START 1;
CREATE TABLE decisions (
    decision_id INTEGER PRIMARY KEY DEFAULT nextval('seq_decision'),
    request_id INTEGER NOT NULL REFERENCES requests (request_id),
    product_id INTEGER REFERENCES products (product_id),
    decision VARCHAR NOT NULL CHECK (decision IN ('approved', 'denied', 'sent_back')),
    reason VARCHAR,
    decided_by INTEGER NOT NULL REFERENCES people (person_id),
    decided_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);

CREATE SEQUENCE seq_purchase_task START 1;
CREATE TABLE purchase_tasks (
    task_id INTEGER PRIMARY KEY DEFAULT nextval('seq_purchase_task'),
    request_id INTEGER NOT NULL REFERENCES requests (request_id),
    task VARCHAR NOT NULL CHECK (task IN ('it_notified', 'funding_confirmed', 'purchase_order',
        'accounts_provisioned', 'contract_signed')),
    owner_id INTEGER REFERENCES people (person_id),
    due_date DATE,
    done_date DATE,
    reference VARCHAR,
    note VARCHAR,
    UNIQUE (request_id, task)
);

-- Step 6: catalog -------------------------------------------------------------------------
CREATE SEQUENCE seq_catalog START 1;
CREATE TABLE catalog_entries (
    entry_id INTEGER PRIMARY KEY DEFAULT nextval('seq_catalog'),
    product_id INTEGER NOT NULL UNIQUE REFERENCES products (product_id),
    tool_status VARCHAR NOT NULL DEFAULT 'pending' CHECK (tool_status IN ('pending', 'approved',
        'core', 'supplemental', 'use_alternative', 'not_supported', 'denied')),
    privacy_status VARCHAR NOT NULL DEFAULT 'unknown' CHECK (privacy_status IN ('compliant',
        'staff_use_only', 'not_applicable', 'unknown', 'pending_agreement', 'not_compliant',
        'parent_consent_required')),
    purpose VARCHAR,
    audience VARCHAR,
    subjects VARCHAR,
    grade_band VARCHAR,
    schools VARCHAR,
    access_instructions VARCHAR,
    sso_url VARCHAR,
    training_url VARCHAR,
    contact VARCHAR,
    visibility VARCHAR NOT NULL DEFAULT 'educator' CHECK (visibility IN ('admin', 'educator', 'public')),
    vetted BOOLEAN NOT NULL DEFAULT true,
    updated_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);

-- Step 7: contracts -----------------------------------------------------------------------
CREATE SEQUENCE seq_contract START 1;
CREATE TABLE contracts (
    contract_id INTEGER PRIMARY KEY DEFAULT nextval('seq_contract'),
    product_id INTEGER NOT NULL REFERENCES products (product_id),
    vendor_id INTEGER NOT NULL REFERENCES vendors (vendor_id),
    request_id INTEGER REFERENCES requests (request_id),
    start_date DATE NOT NULL,
    end_date DATE NOT NULL,
    auto_renew BOOLEAN NOT NULL DEFAULT false,
    notice_days INTEGER NOT NULL DEFAULT 0 CHECK (notice_days >= 0),
    annual_cost DECIMAL(14, 2) NOT NULL CHECK (annual_cost >= 0),
    quantity INTEGER CHECK (quantity >= 0),
    pricing_unit VARCHAR CHECK (pricing_unit IN ('per_student', 'per_seat', 'per_teacher',
        'per_school', 'flat_district')),
    funding_source VARCHAR,
    po_number VARCHAR,
    agreement_id INTEGER REFERENCES agreements (agreement_id),
    document_url VARCHAR,
    renewal_owner_id INTEGER REFERENCES people (person_id),
    status VARCHAR NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'renewed', 'ended', 'cancelled')),
    created_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    CHECK (end_date > start_date)
);

-- Step 8: goals ---------------------------------------------------------------------------
CREATE SEQUENCE seq_goal START 1;
CREATE TABLE goals (
    goal_id INTEGER PRIMARY KEY DEFAULT nextval('seq_goal'),
    product_id INTEGER NOT NULL REFERENCES products (product_id),
    request_id INTEGER REFERENCES requests (request_id),
    horizon VARCHAR NOT NULL CHECK (horizon IN ('short', 'long')),
    description VARCHAR NOT NULL,
    measure VARCHAR NOT NULL,
    data_source_kind VARCHAR NOT NULL CHECK (data_source_kind IN ('usage', 'assessment', 'survey', 'manual')),
    data_source_ref VARCHAR,
    baseline DOUBLE,
    target DOUBLE NOT NULL,
    current_value DOUBLE,
    due_date DATE,
    owner_id INTEGER NOT NULL REFERENCES people (person_id),
    stakeholders VARCHAR,
    created_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);

-- Step 9: implementation and monitoring plan -----------------------------------------------
CREATE SEQUENCE seq_plan START 1;
CREATE TABLE implementation_plans (
    plan_id INTEGER PRIMARY KEY DEFAULT nextval('seq_plan'),
    product_id INTEGER NOT NULL UNIQUE REFERENCES products (product_id),
    request_id INTEGER REFERENCES requests (request_id),
    participant_schools VARCHAR,   -- "; "-separated school names
    participant_grades VARCHAR,    -- "; "-separated grades, e.g. "3; 4; 5"
    participant_teachers VARCHAR,
    starting_group VARCHAR,
    extent VARCHAR NOT NULL CHECK (extent IN ('pilot', 'phased', 'full')),
    expectations VARCHAR,
    recommended_minutes_per_week DOUBLE CHECK (recommended_minutes_per_week >= 0),
    recommended_weeks INTEGER CHECK (recommended_weeks >= 0),
    fidelity_share_of_weeks DOUBLE NOT NULL DEFAULT 0.8 CHECK (fidelity_share_of_weeks BETWEEN 0 AND 1),
    active_user_min_minutes DOUBLE NOT NULL DEFAULT 0 CHECK (active_user_min_minutes >= 0),
    review_frequency VARCHAR,
    measurement_timeline VARCHAR,
    feedback_plan VARCHAR,
    meaningful_effect DOUBLE CHECK (meaningful_effect >= 0),
    decision_probability DOUBLE CHECK (decision_probability BETWEEN 0 AND 1),
    preregistered_at TIMESTAMP,
    next_review_date DATE,
    created_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);

CREATE SEQUENCE seq_milestone START 1;
CREATE TABLE plan_milestones (
    milestone_id INTEGER PRIMARY KEY DEFAULT nextval('seq_milestone'),
    plan_id INTEGER NOT NULL REFERENCES implementation_plans (plan_id),
    kind VARCHAR NOT NULL DEFAULT 'milestone' CHECK (kind IN ('milestone', 'training', 'survey', 'review')),
    name VARCHAR NOT NULL,
    audience VARCHAR,
    start_date DATE NOT NULL,
    end_date DATE,
    completed_on DATE,
    CHECK (end_date IS NULL OR end_date >= start_date)
);

-- Step 10: imported evidence (student keys are HMAC hashes; no names, no birth dates) --------
CREATE SEQUENCE seq_import START 1;
CREATE TABLE import_log (
    import_id INTEGER PRIMARY KEY DEFAULT nextval('seq_import'),
    kind VARCHAR NOT NULL CHECK (kind IN ('roster', 'usage', 'assessments', 'feedback')),
    format VARCHAR NOT NULL,
    file_name VARCHAR NOT NULL,
    file_sha256 VARCHAR NOT NULL,
    tool VARCHAR,
    subject VARCHAR,
    rows_read BIGINT NOT NULL DEFAULT 0,
    rows_imported BIGINT NOT NULL DEFAULT 0,
    rows_rejected BIGINT NOT NULL DEFAULT 0,
    status VARCHAR NOT NULL DEFAULT 'imported' CHECK (status IN ('imported', 'undone')),
    imported_by VARCHAR,
    started_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    finished_at TIMESTAMP,
    undone_at TIMESTAMP
);

CREATE TABLE import_rejects (
    import_id INTEGER NOT NULL REFERENCES import_log (import_id),
    line_number BIGINT,
    column_name VARCHAR,
    reason VARCHAR NOT NULL,
    value_masked VARCHAR
);

CREATE TABLE roster_students (
    student_key VARCHAR PRIMARY KEY,
    school VARCHAR,
    grade INTEGER CHECK (grade BETWEEN -1 AND 13),
    ell BOOLEAN,
    iep BOOLEAN,
    frl BOOLEAN,
    active BOOLEAN NOT NULL DEFAULT true,
    import_id INTEGER,
    updated_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);

CREATE TABLE roster_teachers (
    teacher_key VARCHAR PRIMARY KEY,
    school VARCHAR,
    import_id INTEGER
);

-- No primary key on the large fact tables: uniqueness on the natural key is kept by the importer's
-- set-wise upsert, which is far cheaper than a 10M-row index.
CREATE TABLE usage_daily (
    student_key VARCHAR NOT NULL,
    tool VARCHAR NOT NULL,
    usage_date DATE NOT NULL,
    minutes DOUBLE CHECK (minutes BETWEEN 0 AND 1440),
    sessions INTEGER CHECK (sessions >= 0),
    school VARCHAR,
    grade INTEGER,
    import_id INTEGER
);

CREATE TABLE assessment_results (
    student_key VARCHAR NOT NULL,
    assessment VARCHAR NOT NULL,
    subject VARCHAR NOT NULL,
    term VARCHAR,
    test_date DATE NOT NULL,
    scale_score DOUBLE,
    percentile DOUBLE CHECK (percentile BETWEEN 0 AND 100),
    grade INTEGER,
    school VARCHAR,
    import_id INTEGER
);

CREATE SEQUENCE seq_feedback START 1;
CREATE TABLE feedback_responses (
    response_id BIGINT PRIMARY KEY DEFAULT nextval('seq_feedback'),
    tool VARCHAR NOT NULL,
    submitted_at TIMESTAMP,
    respondent_key VARCHAR,
    question VARCHAR NOT NULL,
    answer VARCHAR,
    score DOUBLE CHECK (score BETWEEN 1 AND 5),
    import_id INTEGER
);

CREATE SEQUENCE seq_practice_note START 1;
CREATE TABLE practice_notes (
    note_id INTEGER PRIMARY KEY DEFAULT nextval('seq_practice_note'),
    product_id INTEGER NOT NULL REFERENCES products (product_id),
    note VARCHAR NOT NULL,
    author_id INTEGER REFERENCES people (person_id),
    created_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);

CREATE SEQUENCE seq_evaluation START 1;
CREATE TABLE evaluation_decisions (
    decision_id INTEGER PRIMARY KEY DEFAULT nextval('seq_evaluation'),
    product_id INTEGER NOT NULL REFERENCES products (product_id),
    review_cycle VARCHAR NOT NULL,
    decision VARCHAR NOT NULL CHECK (decision IN ('renew', 'expand', 'modify', 'discontinue')),
    rationale VARCHAR NOT NULL,
    evidence_snapshot JSON NOT NULL,
    decided_by INTEGER NOT NULL REFERENCES people (person_id),
    decided_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);

-- SOPPA registers ------------------------------------------------------------------------
CREATE SEQUENCE seq_breach START 1;
CREATE TABLE breaches (
    breach_id INTEGER PRIMARY KEY DEFAULT nextval('seq_breach'),
    vendor_id INTEGER REFERENCES vendors (vendor_id),
    learned_on DATE NOT NULL,
    occurred_from DATE,
    occurred_to DATE,
    students_affected INTEGER NOT NULL CHECK (students_affected >= 0),
    data_exposed VARCHAR,
    parents_notified_on DATE,
    law_enforcement_delay BOOLEAN NOT NULL DEFAULT false,
    note VARCHAR
);

CREATE SEQUENCE seq_parent_request START 1;
CREATE TABLE parent_requests (
    parent_request_id INTEGER PRIMARY KEY DEFAULT nextval('seq_parent_request'),
    received_on DATE NOT NULL,
    kind VARCHAR NOT NULL CHECK (kind IN ('inspect', 'correct', 'delete')),
    student_ref VARCHAR,
    vendor_id INTEGER REFERENCES vendors (vendor_id),
    completed_on DATE,
    note VARCHAR
);

-- Audit trail: every write through db/repo.py lands here ----------------------------------
CREATE SEQUENCE seq_audit START 1;
CREATE TABLE audit_log (
    audit_id BIGINT PRIMARY KEY DEFAULT nextval('seq_audit'),
    logged_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    actor_id INTEGER,
    actor_email VARCHAR,
    table_name VARCHAR NOT NULL,
    record_id VARCHAR NOT NULL,
    action VARCHAR NOT NULL CHECK (action IN ('insert', 'update', 'delete', 'transition', 'login', 'import')),
    request_id INTEGER,
    before JSON,
    after JSON,
    note VARCHAR
);

-- Stable reporting interface for BI tools ---------------------------------------------------
CREATE SCHEMA reporting;
CREATE VIEW reporting.students AS
    SELECT student_key, school, grade FROM main.roster_students WHERE active;
CREATE VIEW reporting.usage_daily AS
    SELECT student_key, tool, usage_date, minutes, sessions FROM main.usage_daily;
CREATE VIEW reporting.assessment_results AS
    SELECT student_key, assessment, subject, term, test_date, scale_score, percentile
    FROM main.assessment_results;
CREATE VIEW reporting.feedback_responses AS
    SELECT tool, submitted_at, question, answer, score FROM main.feedback_responses;
