//! The crate's one integration-test binary: the link end to end against the simulator in real
//! Chromium (`link`, and `site` for what the real site insists on), and the session vault on real
//! files and keychains (`vault`).

mod link;
mod site;
mod vault;
