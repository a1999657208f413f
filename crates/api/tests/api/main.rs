//! The API table's integration tests, one binary: the desktop's IPC transport (`ipc`), the
//! data-safety routes (`data`), API key scopes over the route table, unknown fields and idempotent
//! sends (`scopes`), and webhook delivery to a receiver that verifies signatures with the public
//! `standardwebhooks` package (`webhooks`), and answers to what a fuzzer sends (`faults`).

mod data;
mod faults;
mod ipc;
mod scopes;
mod webhooks;
