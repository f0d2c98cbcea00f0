//! PostgreSQL 15 semantics for `jsonb` and `json` values, `jsonpath`, and `float4`/`float8`
//! text output, in pure Rust, so query-engine functions can answer exactly as PostgreSQL does.
//!
//! SQL NULL is modelled as `Option::None` in arguments and results; JSON `null` is
//! [`Jsonb::Null`]. Text-array arguments (`text[]`) are `&[Option<&str>]` so NULL elements can
//! be expressed. Every error is a [`PgError`] carrying PostgreSQL's SQLSTATE and wording.

pub mod build;
pub mod error;
pub mod float_text;
pub mod functions;
pub mod json_text;
pub mod jsonb;
pub mod jsonb_scan;
pub mod jsonpath;
pub mod numeric;
pub mod operators;
pub mod outline;
pub mod output;
mod parser;
pub mod path_update;
#[cfg(test)]
mod psql_render;

pub use error::PgError;
pub use jsonb::{Jsonb, JsonbObject};
pub use numeric::{Numeric, numeric_normalize};
