//! Integration tests of the application layer on both backends: receipts and proofs, the
//! verifier against every kind of tampering, refused commands that change nothing, and sessions.

mod auctions;
mod auth;
mod certificates;
mod commands;
mod evaluation;
mod experts;
mod monitoring;
mod panels;
mod portal;
mod reference;
mod supervision;
mod support;
mod tamper;
mod tendering;
mod witness;
