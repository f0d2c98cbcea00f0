//! The `docfusiondb` command line: serve, sql, load, demo, generate.

pub mod client;
pub mod demo;
pub mod demo_embeddings;
pub mod load;
pub mod serve;
pub mod table;
