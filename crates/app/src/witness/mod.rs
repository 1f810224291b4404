//! The witness ledger as the application uses it: appending entries with signed heads
//! (`append`), loading an aggregate's events (`replay`), deciding and projecting document
//! aggregates (`documents`), read tables rebuilt from the ledger (`projection`), proofs and
//! ledger views (`views`) and the full verifier (`verify`). Uses no other context.

pub(crate) mod append;
pub(crate) mod documents;
pub(crate) mod projection;
pub(crate) mod replay;
pub(crate) mod verify;
pub(crate) mod views;
