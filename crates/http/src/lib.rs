//! WhatsFlow's loopback HTTP server: the API table of `whatsflow-api` over HTTP on 127.0.0.1, the
//! server-sent event stream and the built UI. `whatsflow-server` runs it with the `Backend`; the
//! desktop app can run it as a library when the user turns the REST API on.

pub mod events;
pub mod rate_limit;
pub mod server;

pub use server::{Server, ServerConfig};
