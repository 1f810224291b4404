//! Credit (信用): the credit standards as versioned rule data (`standard.rs`), each subject's
//! credit file of records with their provenance, withdrawals and repairs (`record.rs`), the pure
//! evaluation with its explanation and the measures it triggers at each gate (`evaluate.rs`), and
//! the external lists the trading center imports (`lists.rs`).

pub(crate) mod evaluate;
pub(crate) mod lists;
pub(crate) mod record;
pub(crate) mod standard;
