//! The API table's integration tests, one binary: the desktop's IPC transport (`ipc`).

mod ipc;
