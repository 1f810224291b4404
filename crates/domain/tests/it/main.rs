//! Integration tests of the domain crate: identifiers, and the entity and account deciders as
//! tables of cases.

mod accounts;
mod entities;
mod ids;
mod repo_rules;
