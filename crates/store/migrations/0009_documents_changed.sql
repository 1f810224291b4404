-- Followers that keep a view of the documents (the statistics, the signing-period watch) read
-- what changed after the last ledger place they saw.
CREATE INDEX documents_kind_seq ON documents (kind, last_seq);
