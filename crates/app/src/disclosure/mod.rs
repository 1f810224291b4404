//! Disclosure: the public portal's reads and search follower (`portal`) and open data — OCDS
//! releases, records and the national export (`ocds`). Reads every context; writes nothing.

pub(crate) mod ocds;
pub(crate) mod portal;
