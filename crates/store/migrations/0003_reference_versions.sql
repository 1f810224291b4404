-- Projection: every published version of the reference data (catalog, rules, calendar).
-- Rebuilt from catalog.published / rules.published / calendar.published events by `ggzy verify`.
CREATE TABLE reference_versions (
    kind TEXT NOT NULL,
    version BIGINT NOT NULL,
    content TEXT NOT NULL,
    reason TEXT NOT NULL,
    actor TEXT NOT NULL,
    published_at_ms BIGINT NOT NULL,
    seq BIGINT NOT NULL,
    PRIMARY KEY (kind, version)
);
