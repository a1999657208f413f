//! WhatsFlow's loopback HTTP server: the API table of `whatsflow-api` over HTTP on 127.0.0.1, the
//! server-sent event stream and the built UI. `whatsflow-server` runs it with the `Backend`; the
//! desktop app runs it as a library ([`DesktopRestApi`]) while the user has the REST API on.

pub mod desktop;
pub mod events;
pub mod rate_limit;
pub mod server;

pub use desktop::DesktopRestApi;
pub use server::{Server, ServerConfig};
