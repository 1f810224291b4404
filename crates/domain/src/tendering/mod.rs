//! Tendering and procurement (招标投标、政府采购): procedures and lots, bids, bonds, the opening-key
//! ceremony, the evaluation and the award, and the announcements they publish. Uses `market`,
//! `reference` and the shared kernel.

pub(crate) mod announcement;
pub(crate) mod bid;
pub(crate) mod bond;
pub(crate) mod ceremony;
pub(crate) mod evaluation;
pub(crate) mod tender;
