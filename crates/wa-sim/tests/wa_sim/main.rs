//! The simulator's one integration-test binary: its control API and page transport over real HTTP.

mod control_api;
