-- The trial store: a normalized schema modelled on TrialPanorama's database.
-- Child tables are keyed by study_id; uniqueness is kept by the store's delete-then-insert
-- upserts (no PRIMARY KEY constraints: DuckDB's index checks slow bulk loads and reject a key
-- deleted and re-inserted in one transaction).

CREATE TABLE IF NOT EXISTS studies (
    study_id VARCHAR NOT NULL,
    source VARCHAR NOT NULL,
    title VARCHAR,
    official_title VARCHAR,
    summary VARCHAR,
    detailed_description VARCHAR,
    study_type VARCHAR,
    phase VARCHAR,
    phases VARCHAR[],
    status VARCHAR,
    why_stopped VARCHAR,
    start_date DATE,
    primary_completion_date DATE,
    completion_date DATE,
    first_submitted DATE,
    enrollment INTEGER,
    enrollment_type VARCHAR,
    sponsor VARCHAR,
    sponsor_class VARCHAR,
    allocation VARCHAR,
    intervention_model VARCHAR,
    primary_purpose VARCHAR,
    observational_model VARCHAR,
    time_perspective VARCHAR,
    masking VARCHAR,
    keywords VARCHAR[],
    has_results BOOLEAN,
    -- CT.gov gives some dates to the month only ('2019-03' is stored as 2019-03-01): the
    -- precision says which ('day', 'month', 'year'); the type is 'ACTUAL' or 'ESTIMATED'.
    start_date_precision VARCHAR,
    start_date_type VARCHAR,
    primary_completion_date_precision VARCHAR,
    primary_completion_date_type VARCHAR,
    completion_date_precision VARCHAR,
    completion_date_type VARCHAR
);

-- origin: 'reported' (conditionsModule) or 'mesh' (derived MeSH term not among the reported ones)
CREATE TABLE IF NOT EXISTS conditions (
    study_id VARCHAR NOT NULL,
    position INTEGER NOT NULL,
    name VARCHAR,
    mesh_id VARCHAR,
    origin VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS interventions (
    study_id VARCHAR NOT NULL,
    position INTEGER NOT NULL,
    type VARCHAR,
    name VARCHAR,
    description VARCHAR,
    arm_group_labels VARCHAR[],
    drugbank_id VARCHAR,
    other_names VARCHAR[]
);

CREATE TABLE IF NOT EXISTS arm_groups (
    study_id VARCHAR NOT NULL,
    position INTEGER NOT NULL,
    label VARCHAR,
    type VARCHAR,
    description VARCHAR,
    intervention_names VARCHAR[]
);

CREATE TABLE IF NOT EXISTS eligibility (
    study_id VARCHAR NOT NULL,
    criteria VARCHAR,
    sex VARCHAR,
    minimum_age VARCHAR,
    maximum_age VARCHAR,
    healthy_volunteers BOOLEAN,
    study_population VARCHAR,
    sampling_method VARCHAR
);

-- kind: 'primary', 'secondary' or 'other'
CREATE TABLE IF NOT EXISTS outcomes (
    study_id VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    position INTEGER NOT NULL,
    measure VARCHAR,
    description VARCHAR,
    time_frame VARCHAR
);

CREATE TABLE IF NOT EXISTS collaborators (
    study_id VARCHAR NOT NULL,
    position INTEGER NOT NULL,
    name VARCHAR,
    class VARCHAR
);

CREATE TABLE IF NOT EXISTS locations (
    study_id VARCHAR NOT NULL,
    position INTEGER NOT NULL,
    facility VARCHAR,
    city VARCHAR,
    state VARCHAR,
    zip VARCHAR,
    country VARCHAR,
    status VARCHAR
);

-- The results section (studies with posted results). Participant flow: one row per period,
-- milestone and group; baseline: the analysed participants per group.
CREATE TABLE IF NOT EXISTS result_flow (
    study_id VARCHAR NOT NULL,
    period VARCHAR,
    milestone VARCHAR,
    group_id VARCHAR,
    group_title VARCHAR,
    participants INTEGER
);

CREATE TABLE IF NOT EXISTS result_baseline (
    study_id VARCHAR NOT NULL,
    group_id VARCHAR,
    group_title VARCHAR,
    units VARCHAR,
    participants INTEGER
);

-- One row per reported outcome measure; its statistical analyses are in result_analyses.
CREATE TABLE IF NOT EXISTS result_outcomes (
    study_id VARCHAR NOT NULL,
    position INTEGER NOT NULL,
    type VARCHAR,
    title VARCHAR,
    description VARCHAR,
    population VARCHAR,
    time_frame VARCHAR,
    param_type VARCHAR,
    dispersion_type VARCHAR,
    unit VARCHAR,
    group_titles VARCHAR[],
    group_participants INTEGER[]
);

CREATE TABLE IF NOT EXISTS result_analyses (
    study_id VARCHAR NOT NULL,
    outcome_position INTEGER NOT NULL,
    position INTEGER NOT NULL,
    group_ids VARCHAR[],
    non_inferiority_type VARCHAR,
    p_value VARCHAR,
    statistical_method VARCHAR,
    param_type VARCHAR,
    param_value VARCHAR,
    ci_percent VARCHAR,
    ci_lower VARCHAR,
    ci_upper VARCHAR
);

-- The adverse-events summary per event group: how many were affected of how many at risk.
CREATE TABLE IF NOT EXISTS result_adverse_events (
    study_id VARCHAR NOT NULL,
    group_id VARCHAR,
    group_title VARCHAR,
    deaths_affected INTEGER,
    deaths_at_risk INTEGER,
    serious_affected INTEGER,
    serious_at_risk INTEGER,
    other_affected INTEGER,
    other_at_risk INTEGER
);

CREATE TABLE IF NOT EXISTS study_references (
    study_id VARCHAR NOT NULL,
    position INTEGER NOT NULL,
    pmid VARCHAR,
    type VARCHAR,
    citation VARCHAR
);

CREATE TABLE IF NOT EXISTS publications (
    pmid VARCHAR NOT NULL,
    title VARCHAR,
    abstract VARCHAR,
    year INTEGER,
    nct_id VARCHAR,
    publication_type VARCHAR
);

CREATE TABLE IF NOT EXISTS reviews (
    review_id VARCHAR NOT NULL,
    pmid VARCHAR,
    title VARCHAR,
    background VARCHAR,
    objectives VARCHAR,
    selection_criteria VARCHAR,
    search_date DATE,
    conclusion VARCHAR
);

-- review -> publication ('included' / 'excluded'); study -> publication (the CT.gov reference
-- type lower-cased, e.g. 'result', 'background', or 'reported_in' from a publication's nct_id)
CREATE TABLE IF NOT EXISTS relations (
    subject_type VARCHAR NOT NULL,
    subject_id VARCHAR NOT NULL,
    object_type VARCHAR NOT NULL,
    object_id VARCHAR NOT NULL,
    label VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS store_meta (
    key VARCHAR NOT NULL,
    value VARCHAR
);
