//! Monitoring (智慧监管): the warning engine's signals as versioned rule data (`rules.rs`), the
//! pure signal functions over one lot's facts and over the history of many lots (`signals.rs`),
//! and the `Warning` decider — a 预警线索 raised with its evidence, extended when more evidence
//! comes, closed by a supervisor with a reason or turned into a case (`warning.rs`).
//!
//! A warning is a lead, never a finding: only the committee or the supervising department
//! decides (`rules-cn.md` §4, "encoding advice").

pub(crate) mod rules;
pub(crate) mod signals;
pub(crate) mod statistics;
pub(crate) mod warning;
