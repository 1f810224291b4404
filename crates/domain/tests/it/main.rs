//! Integration tests of the domain crate: identifiers, and the entity and account deciders as
//! tables of cases.

mod accounts;
mod auction;
mod calendar;
mod credit;
mod draw;
mod entities;
mod evaluation;
mod experts;
mod ids;
mod monitoring;
mod panel;
mod reference;
mod repo_rules;
mod rooms;
mod statistics;
mod supervision;
mod tender;
