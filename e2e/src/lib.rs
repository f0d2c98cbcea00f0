//! End-to-end tests of DocFusionDB live in `tests/`: each starts real Postgres shards and a
//! query node from a rendered config file, and talks to it with real clients.
