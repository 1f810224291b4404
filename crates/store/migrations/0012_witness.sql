-- Witnesses (docs/witness.md). As a witness, the newest head this node cosigned for each log it
-- knows: it cosigns only a head consistent with that one.
CREATE TABLE witness_state (
    origin TEXT PRIMARY KEY,
    size BIGINT NOT NULL,
    root BYTEA NOT NULL,
    cosigned_ms BIGINT NOT NULL
);

-- As a witnessed log, the cosignatures this node gathered on its own checkpoints: one line per
-- witness and size, as the witness answered it.
CREATE TABLE checkpoint_cosignatures (
    size BIGINT NOT NULL,
    witness TEXT NOT NULL,
    line TEXT NOT NULL,
    received_ms BIGINT NOT NULL,
    PRIMARY KEY (size, witness)
);
CREATE INDEX checkpoint_cosignatures_witness ON checkpoint_cosignatures (witness, size);
