//! Market participants: entities (市场主体) and their certificates, accounts, roles, and the
//! identifiers they are known by (USCC, ID numbers, region codes). Uses only the shared kernel
//! (`error`, `date`, `fields`).

pub(crate) mod account;
pub(crate) mod entity;
pub(crate) mod ids;
pub(crate) mod role;
