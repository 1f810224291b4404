-- Federation (docs/federation.md): what a hub keeps of the nodes it follows. A mirror, not acts of
-- the hub: every row is proven by a node's own signatures and could be fetched again.

-- The nodes the hub follows, each with its pinned key, the last head it accepted (JSON, '' before
-- the first) and how far its entries are mirrored.
CREATE TABLE hub_nodes (
    origin TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    region TEXT NOT NULL,
    url TEXT NOT NULL,
    public_key TEXT NOT NULL,
    added_ms BIGINT NOT NULL,
    head TEXT NOT NULL,
    mirrored_size BIGINT NOT NULL,
    contacted_ms BIGINT NOT NULL,
    error TEXT NOT NULL,
    flagged TEXT NOT NULL
);

-- The nodes' entries: every header (so the hub rebuilds each node's tree), the payload and salt
-- only of public ones ('' and empty otherwise). `fetched_ms` measures timeliness.
CREATE TABLE hub_entries (
    origin TEXT NOT NULL,
    seq BIGINT NOT NULL,
    stream TEXT NOT NULL,
    kind TEXT NOT NULL,
    visibility TEXT NOT NULL,
    actor TEXT NOT NULL,
    at_ms BIGINT NOT NULL,
    commit_hash BYTEA NOT NULL,
    leaf_hash BYTEA NOT NULL,
    payload TEXT NOT NULL,
    salt BYTEA NOT NULL,
    masked SMALLINT NOT NULL,
    fetched_ms BIGINT NOT NULL,
    PRIMARY KEY (origin, seq)
);
CREATE INDEX hub_entries_kind ON hub_entries (kind, at_ms);

-- Complete subtree hashes of each node's tree, rebuilt by the hub from the mirrored leaves.
CREATE TABLE hub_tree (
    origin TEXT NOT NULL,
    level INTEGER NOT NULL,
    idx BIGINT NOT NULL,
    hash BYTEA NOT NULL,
    PRIMARY KEY (origin, level, idx)
);

-- Proven misbehaviour: the accepted head and the offending one (checkpoint notes signed by the
-- node), with what else shows it (JSON: the proof, the entry).
CREATE TABLE hub_flags (
    origin TEXT NOT NULL,
    detected_ms BIGINT NOT NULL,
    kind TEXT NOT NULL,
    accepted TEXT NOT NULL,
    offending TEXT NOT NULL,
    detail TEXT NOT NULL,
    PRIMARY KEY (origin, detected_ms, kind)
);
