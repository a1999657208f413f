//! WhatsFlow's loopback HTTP server: REST v1 (the API table), the OpenAPI document, the event stream
//! and the built UI. The same API table serves the desktop shell's IPC.

pub mod api;
pub mod backend;
pub mod events;
pub mod openapi;
pub mod qr;
pub mod routes;
pub mod server;

pub use api::{Api, ApiRequest, ApiResponse, Caller, IpcResponse};
pub use backend::{Backend, BackendConfig};
pub use server::{Server, ServerConfig};
