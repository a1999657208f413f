//! WhatsFlow's API, independent of any transport: the route table both the loopback HTTP server and
//! the desktop's IPC command dispatch through ([`Api`]), the OpenAPI document generated from it, and
//! the [`Backend`] every program starts (engine, outbox worker, WhatsApp link, and the simulator in
//! demo mode).

pub mod api;
pub mod backend;
pub mod logging;
pub mod openapi;
mod qr;
pub mod routes;

pub use api::{Api, ApiRequest, ApiResponse, Caller, IpcResponse};
pub use backend::{Backend, BackendConfig};
