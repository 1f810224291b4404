//! Reference data: publishing and reading the versioned catalog, rule book, calendar, trust roots
//! and CRLs; the rules in force for a procedure. Uses `witness`.

pub(crate) mod versions;
