//! The engine's integration tests, one binary: each module drives one domain through the public
//! API against a fresh database (helpers in `whatsflow_engine::testing`).

mod contacts;
mod inbox;
mod tidy;
