//! cryptobench: a benchmark and audit harness for AEAD and key-exchange backends.
//!
//! Data flows one way: CLI → plan → backend registry → measure / kat → results → report.

pub mod algorithm;
pub mod backend;
pub mod capabilities;
pub mod crosscheck;
pub mod kat;
pub mod report;
pub mod select;
