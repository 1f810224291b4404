//! Monitoring (智慧监管): the warning engine. `engine.rs` follows the ledger as the search index
//! does — each pass reads the entries after the place it has looked at, finds the lots they
//! concern, gathers each lot's facts and runs the signals of the rules in force, and across
//! lots when a lot is awarded or fails — and writes every new finding as a warning
//! (`warning/{id}`, supervision-only entries) or more evidence for a known one. `warnings.rs`:
//! who may see them (supervisors and auditors with jurisdiction, the committee of the lot) and
//! the supervisor's acts (排除 with a reason, 立案 as a case of supervision). `statistics.rs`:
//! 交易数据统计汇总 from a book of facts kept up to date by ledger place, the red flags over the
//! selection's open data, and the signing-period watch.
//!
//! Uses `reference`, `tendering` (lots, bids, bonds), `market` (entities), `experts` (the
//! committee), `supervision` (jurisdiction, cases) and `witness`.

pub(crate) mod engine;
pub(crate) mod statistics;
pub(crate) mod warnings;
