//! The one integration-test binary: every test starts the real application
//! on 127.0.0.1:0 with a fresh database — SQLite in a temporary directory, or
//! a new PostgreSQL database when `JIANGUAN_TEST_DATABASE_URL` points at a
//! server (CI runs the whole suite both ways).

#![allow(clippy::unwrap_used, clippy::field_reassign_with_default)]

mod harness;

mod admin_pages;
mod api_basics;
mod audit_chain;
mod auth_flow;
mod bad_input;
mod calendar;
mod clocks;
mod doc_catalogue;
mod doc_flow;
mod documents;
mod i18n;
mod matrix;
mod multi_server;
mod subjects;
