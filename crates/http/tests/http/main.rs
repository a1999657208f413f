//! The loopback server's integration tests, one binary: the real server on an ephemeral port
//! (`server`, `contacts`) and the `whatsflow-server` program itself, killed and restarted (`program`).

mod common;
mod contacts;
mod keepalive;
mod keys;
mod program;
mod server;
