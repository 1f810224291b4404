//! Integration tests of the crypto crate: standard test vectors, round trips and canonical JSON.

mod canonical;
mod certs;
mod envelope;
mod threshold;
mod vectors;
