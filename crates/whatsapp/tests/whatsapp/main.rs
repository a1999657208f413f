//! The crate's one integration-test binary: the link end to end against the simulator in real
//! Chromium (`link`), and the session vault on real files and keychains (`vault`).

mod link;
mod vault;
