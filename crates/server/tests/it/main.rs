//! Integration tests of the HTTP server: a real server on a free port over a fresh database with
//! the demo data, driven by an HTTP client.

// By context, like the server's folders: `market`, `reference`, `tendering` (and its pages),
// `experts`, `sales`, `disclosure`; beside them the cross-cutting ones (`access`: every route with
// every role; `bad_input`; `pages`: home, log-in, ledger pages; `browser`: a real Chromium).
mod access;
mod bad_input;
mod browser;
mod credit;
mod disclosure;
mod experts;
mod federation;
mod market;
mod monitoring;
mod pages;
mod reference;
mod sales;
mod statistics;
mod supervision;
mod support;
mod tender_pages;
mod tendering;
