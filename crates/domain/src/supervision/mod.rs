//! Supervision: who supervises what (`departments.rs`, a reference kind), the statutory clocks
//! of a complaint (`clocks.rs`), and the case — a complaint or a report from filing to the
//! published decision (`case.rs`). Uses `market`, `reference`, `tendering` (objection subjects,
//! documents) and the shared kernel.

pub(crate) mod case;
pub(crate) mod clocks;
pub(crate) mod departments;
