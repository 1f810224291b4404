//! Online sales: creating and running sales (`auctions`), the in-memory sequencer that orders
//! bids and witnesses them in batches (`engine`), and sealed sales opened by the key holders
//! (`sealed`). Uses `market`, `reference`, `tendering` (the key holders' protocol) and `witness`.

pub(crate) mod auctions;
pub(crate) mod defaults;
pub(crate) mod engine;
pub(crate) mod sealed;
