//! The store's conformance suite: every test runs on SQLite and, when `GGZY_TEST_DATABASE_URL`
//! is set, on PostgreSQL, each on a database of its own.

mod conformance;
