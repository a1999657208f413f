//! WhatsFlow's Link over WhatsApp Web: Chromium via chromiumoxide, the injected script, the session vault.
//!
//! [`WhatsAppLink::start`] launches a managed Chromium on a private profile (restored from the
//! [`vault`]), opens WhatsApp Web with one injected script (`src/inject.js`, whose module map is
//! the only list of WhatsApp Web names used), and implements the engine's
//! [`Link`](whatsflow_engine::Link): statuses, inbound messages and acks flow into the engine;
//! sends, number checks and the rest flow into the page.

mod browser;
mod config;
mod inbound;
mod link;
mod media;
mod page;
mod phase;
mod sink;
mod status;
pub mod vault;
mod vault_jobs;
mod worker;

pub use config::{
    browser_args, find_chromium, find_headless_browser, is_headless_shell, ChromiumNotFound,
    LinkConfig, CHROMIUM_ENV, WHATSAPP_WEB_URL,
};
pub use link::WhatsAppLink;
