//! The API table's integration tests, one binary: the desktop's IPC transport (`ipc`) and the
//! data-safety routes (`data`).

mod data;
mod ipc;
