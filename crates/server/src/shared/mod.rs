//! Helpers every context's handlers share, for the JSON API (`api`) and the pages (`page`).
//! They import no handler, so every context can use them without a circle.

pub(crate) mod api;
pub(crate) mod caller;
pub(crate) mod page;
