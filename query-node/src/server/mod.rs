//! The node's network servers.

pub mod http;
pub mod pg;
