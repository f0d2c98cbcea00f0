//! The node's network servers.

pub mod http;
