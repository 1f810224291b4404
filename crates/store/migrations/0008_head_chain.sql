-- Each signed head records the size of the head signed before it (0 for the first), so that
-- `ggzy verify` notices a head deleted from the middle and names it. Heads stored before this
-- migration keep -1 (unknown): the ledger tables are append-only, so they are not rewritten.
ALTER TABLE ledger_heads ADD COLUMN prev_size BIGINT NOT NULL DEFAULT -1;
