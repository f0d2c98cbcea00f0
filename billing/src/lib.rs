//! DocFusionDB billing: usage ledger in PostgreSQL, plans and quotas, invoice preview, export.
//!
//! Without the default `server` feature only [`gate`] (the query node's quota client) is
//! compiled, so that the query node does not pull in the service.

pub mod gate;

#[cfg(feature = "server")]
pub mod clock;
#[cfg(feature = "server")]
pub mod invoice;
#[cfg(feature = "server")]
pub mod ledger;
#[cfg(feature = "server")]
pub mod metrics;
#[cfg(feature = "server")]
pub mod period;
#[cfg(feature = "server")]
pub mod plans;
#[cfg(feature = "server")]
pub mod pricing;
#[cfg(feature = "server")]
pub mod service;
#[cfg(feature = "server")]
pub mod stripe;
