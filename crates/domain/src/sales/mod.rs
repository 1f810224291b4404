//! Online sales (网上竞价): English, listing, quota and sealed sales of land, mining rights,
//! state-owned property and emission rights, and their allocation. Uses the shared kernel.

pub(crate) mod auction;
