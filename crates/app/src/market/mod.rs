//! Market participants: registration and review of entities (市场主体), their certificates,
//! qualifications and bank accounts, sanctions, and accounts — passwords (argon2id), sessions, API
//! tokens and the throttle (`auth`). Uses `witness` and `reference`.

pub(crate) mod auth;
pub(crate) mod claims;
pub(crate) mod entities;
