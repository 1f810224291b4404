//! Evaluation experts: the database (`database`), the verifiable draw with the supervisor's
//! contribution (`draws`), the panel a draw forms (`panels`) and the evaluation rooms. Uses `market`,
//! `reference` and `witness`.

pub(crate) mod database;
pub(crate) mod draws;
pub(crate) mod panels;
pub(crate) mod rooms;
