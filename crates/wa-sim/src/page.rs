//! The page served at `/`: HTML and script, embedded in the binary.

/// The page's HTML; it loads [`SCRIPT`] from `/sim/page.js`.
pub(crate) const HTML: &str = include_str!("page.html");
/// The script that plays WhatsApp Web's modules in the browser.
pub(crate) const SCRIPT: &str = include_str!("page.js");
