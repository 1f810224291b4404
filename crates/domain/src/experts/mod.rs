//! Evaluation experts (评标专家): the database, the verifiable draw, the panel a draw forms, and
//! the evaluation rooms. Uses `market`, `reference` and the shared kernel.

pub(crate) mod draw;
pub(crate) mod expert;
pub(crate) mod panel;
pub(crate) mod room;
