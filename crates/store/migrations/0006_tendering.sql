-- Tendering: aggregates kept as JSON documents (procedures, bids, key ceremonies) with a few
-- indexed columns for lists; published announcements; and blobs stored in parts, so a large
-- file (a sealed bid of up to 50 MB) is streamed in without being held in memory.
CREATE TABLE documents (
    stream TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    key1 TEXT NOT NULL DEFAULT '',
    key2 TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT '',
    sort_ms BIGINT NOT NULL DEFAULT 0,
    state TEXT NOT NULL,
    last_seq BIGINT NOT NULL
);
CREATE INDEX documents_kind_sort ON documents (kind, sort_ms);
CREATE INDEX documents_kind_key1 ON documents (kind, key1);
CREATE INDEX documents_kind_key2 ON documents (kind, key2);

CREATE TABLE announcements (
    id TEXT PRIMARY KEY,
    procedure_id TEXT NOT NULL,
    lot TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL,
    category TEXT NOT NULL,
    region TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    published_at_ms BIGINT NOT NULL,
    seq BIGINT NOT NULL
);
CREATE INDEX announcements_published ON announcements (published_at_ms);
CREATE INDEX announcements_procedure ON announcements (procedure_id);

-- A blob whose bytes are in blob_parts has parts > 0 and an empty content; one kept as a file
-- beside an SQLite database has parts = -1 and its path in upload. A keyed blob (keyed = 1) is
-- filed under a digest its owner computes and checks (a sealed bid: the SM3 of its signed
-- header), not under the SM3 of all its bytes.
ALTER TABLE blobs ADD COLUMN parts BIGINT NOT NULL DEFAULT 0;
ALTER TABLE blobs ADD COLUMN upload TEXT NOT NULL DEFAULT '';
ALTER TABLE blobs ADD COLUMN keyed BIGINT NOT NULL DEFAULT 0;
CREATE TABLE blob_parts (
    upload TEXT NOT NULL,
    part BIGINT NOT NULL,
    content BYTEA NOT NULL,
    PRIMARY KEY (upload, part)
);
