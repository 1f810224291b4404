//! The demo: accounts, entities and documents (`seed`), and the simulated parties that carry the
//! demo through ceremonies, openings and draws (`simulated`). Uses every context.

pub(crate) mod seed;
pub(crate) mod simulated;
