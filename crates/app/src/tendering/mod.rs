//! Electronic tendering and procurement: procedures and lots (`tender`), bids and the opening,
//! bonds, the opening-key ceremony (`keys`) and the key holders' protocol (`holder`), the
//! evaluation and the award. Uses `market`, `reference`, `experts` (the panel) and `witness`.

pub(crate) mod awards;
pub(crate) mod bonds;
pub(crate) mod evaluations;
pub(crate) mod holder;
pub(crate) mod keys;
pub(crate) mod tender;
