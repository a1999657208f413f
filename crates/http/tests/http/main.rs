//! The loopback server's integration tests, one binary: the real server on an ephemeral port
//! (`server`, `contacts`, `keys`, the desktop's switchable server `desktop`, the event stream's
//! type filter `events`; `keepalive` and `connections` for how it treats sockets) and the
//! `whatsflow-server` program itself, killed and restarted (`program`), and a campaign it sends
//! through being killed (`campaign_crash`).

mod campaign_crash;
mod common;
mod connections;
mod contacts;
mod desktop;
mod events;
mod keepalive;
mod keys;
mod program;
mod server;
