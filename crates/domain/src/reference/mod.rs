//! Reference data every context reads: the trading catalog, the rule book (periods, thresholds,
//! formulas with their sources), the working-day calendar, periods, and the versioned reference
//! aggregate that publishes them. Uses `market` identifiers and the shared kernel.

pub(crate) mod aggregate;
pub(crate) mod calendar;
pub(crate) mod catalog;
pub(crate) mod period;
pub(crate) mod rules;
