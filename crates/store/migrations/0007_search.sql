-- The search index follows the ledger: each node reads what changed after the last ledger
-- place its index includes.
CREATE INDEX announcements_seq ON announcements (seq);
CREATE INDEX entities_last_seq ON entities (last_seq);
