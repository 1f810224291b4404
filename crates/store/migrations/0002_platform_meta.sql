-- Facts about the platform instance that every node and the verifier must agree on:
-- `origin` (the name in signed tree heads) and `public_key` (the SM2 witness key, SEC1 hex).
CREATE TABLE platform_meta (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
