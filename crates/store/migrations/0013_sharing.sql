-- Two-way sharing (docs/federation.md § Sharing): the province registry's acts relayed into this
-- node's own ledger. How far each followed log has been relayed, and which of its entries became
-- an entry here (so that a relay interrupted by a crash is never applied twice).
ALTER TABLE hub_nodes ADD COLUMN relayed_size BIGINT NOT NULL DEFAULT 0;

-- 1 for a log followed as this node's registry (`--follow`: the province's hub, or another
-- province's), whose trust store this node recognises too; 0 for a node a hub follows.
ALTER TABLE hub_nodes ADD COLUMN registry SMALLINT NOT NULL DEFAULT 0;

-- The node where an entity recognised from the province registry registered ('' when here).
ALTER TABLE entities ADD COLUMN home TEXT NOT NULL DEFAULT '';

CREATE TABLE relays (
    origin TEXT NOT NULL,
    seq BIGINT NOT NULL,
    local_seq BIGINT NOT NULL,
    PRIMARY KEY (origin, seq)
);
