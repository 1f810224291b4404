//! Disclosure: what becomes public when (confidential payloads and the moment the rules make
//! them public). Uses the shared kernel.

pub(crate) mod moments;
