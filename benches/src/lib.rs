//! The benchmark harness as a library: the servers of a run, the shared data set, the
//! analytic-query comparison (`docfusion-bench`), the point-read load
//! (`docfusion-pointreads`), the single-document write load (`docfusion-writes`), bulk
//! ingest (`docfusion-ingest`), the JSONBench-shaped analytic benchmark
//! (`docfusion-jsonbench`) and vector search (`docfusion-vectors`).

pub mod cluster;
pub mod compare;
pub mod cpu;
pub mod dataset;
pub mod exit;
pub mod ingest;
pub mod jsonbench;
pub mod measure;
pub mod pointreads;
pub mod queries;
pub mod report;
pub mod setup;
pub mod timing;
pub mod vectors;
pub mod writes;
