//! Integration tests of the HTTP server: a real server on a free port over a fresh database with
//! the demo data, driven by an HTTP client.

mod access;
mod auctions;
mod bad_input;
mod browser;
mod entities;
mod expert_pages;
mod pages;
mod portal;
mod reference;
mod support;
mod tender_pages;
mod tendering;
