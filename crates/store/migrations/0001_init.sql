-- GGZY schema, portable across SQLite and PostgreSQL (see ../shared/design/stack.md §4):
-- ids TEXT or app-made BIGINT, instants BIGINT unix ms, flags SMALLINT, JSON TEXT, binary BYTEA.

-- The witness ledger: append-only. Nothing here is ever updated or deleted.
CREATE TABLE ledger_entries (
    seq BIGINT PRIMARY KEY,
    stream TEXT NOT NULL,
    kind TEXT NOT NULL,
    visibility TEXT NOT NULL,
    actor TEXT NOT NULL,
    at_ms BIGINT NOT NULL,
    payload TEXT NOT NULL,
    salt BYTEA NOT NULL,
    leaf_hash BYTEA NOT NULL
);
CREATE INDEX ledger_entries_stream ON ledger_entries (stream, seq);

-- Complete subtree hashes of the Merkle tree: node (level, idx) covers leaves
-- [idx * 2^level, (idx + 1) * 2^level).
CREATE TABLE ledger_nodes (
    level INTEGER NOT NULL,
    idx BIGINT NOT NULL,
    hash BYTEA NOT NULL,
    PRIMARY KEY (level, idx)
);

-- Signed tree heads, one per committed batch.
CREATE TABLE ledger_heads (
    size BIGINT PRIMARY KEY,
    root BYTEA NOT NULL,
    at_ms BIGINT NOT NULL,
    signature BYTEA NOT NULL
);

-- One row whose update serialises writers on both backends, and which holds the ledger size.
CREATE TABLE ledger_tip (
    id INTEGER PRIMARY KEY,
    size BIGINT NOT NULL,
    locked_at_ms BIGINT NOT NULL
);
INSERT INTO ledger_tip (id, size, locked_at_ms) VALUES (1, 0, 0);

-- Projection: market entities (市场主体). Rebuilt from entity.* events by `ggzy verify`.
CREATE TABLE entities (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    region TEXT NOT NULL,
    legal_representative TEXT NOT NULL,
    address TEXT NOT NULL,
    contact_name TEXT NOT NULL,
    contact_phone TEXT NOT NULL,
    contact_email TEXT NOT NULL,
    roles TEXT NOT NULL,
    status TEXT NOT NULL,
    reject_reason TEXT NOT NULL,
    registered_at_ms BIGINT NOT NULL,
    reviewed_at_ms BIGINT NOT NULL,
    reviewed_by TEXT NOT NULL,
    last_seq BIGINT NOT NULL
);
CREATE INDEX entities_status ON entities (status, registered_at_ms);

-- Projection: user accounts. Rebuilt from account.* events by `ggzy verify`.
CREATE TABLE accounts (
    username TEXT PRIMARY KEY,
    display_name TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    roles TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at_ms BIGINT NOT NULL,
    last_seq BIGINT NOT NULL
);
CREATE INDEX accounts_entity ON accounts (entity_id);

-- Secrets, deliberately outside the ledger: argon2id password hashes.
CREATE TABLE credentials (
    username TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    updated_at_ms BIGINT NOT NULL
);

-- Browser sessions; id is SM3 of the cookie token, so a copy of this table opens no session.
CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL,
    csrf TEXT NOT NULL,
    created_at_ms BIGINT NOT NULL,
    expires_at_ms BIGINT NOT NULL
);

-- API tokens for machine clients; id is SM3 of the token.
CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL,
    name TEXT NOT NULL,
    created_at_ms BIGINT NOT NULL,
    expires_at_ms BIGINT NOT NULL,
    revoked SMALLINT NOT NULL
);

-- Documents, addressed by their SM3 hash.
CREATE TABLE blobs (
    hash TEXT PRIMARY KEY,
    size BIGINT NOT NULL,
    content BYTEA NOT NULL,
    created_at_ms BIGINT NOT NULL
);
