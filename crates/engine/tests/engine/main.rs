//! The engine's integration tests, one binary: each module drives one domain through the public
//! API against a fresh database (helpers in `whatsflow_engine::testing`).

mod analytics;
mod campaigns;
mod contacts;
mod data_safety;
mod inbox;
mod message_changes;
mod tidy;
mod webhooks;
