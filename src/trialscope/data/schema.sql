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
    has_results BOOLEAN
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
    drugbank_id VARCHAR
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
    healthy_volunteers BOOLEAN
);

-- kind: 'primary' or 'secondary'
CREATE TABLE IF NOT EXISTS outcomes (
    study_id VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    position INTEGER NOT NULL,
    measure VARCHAR,
    description VARCHAR,
    time_frame VARCHAR
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
