//! Credit: each subject's credit file (`credit/{entity id or expert pseudonym}`) with records
//! derived in the transaction of the act that causes them, the evaluation under the standard in
//! force, the gates where measures bite, 信用修复 (`records`), and the external lists the trading
//! center imports (`lists`). Uses `reference` (the standards), `market` (entities, certificates)
//! and `witness`; the other contexts call `credit_record_in` and `require_credit`.

pub(crate) mod lists;
pub(crate) mod records;
