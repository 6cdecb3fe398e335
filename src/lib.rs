//! cryptobench: a benchmark and audit harness for AEAD and key-exchange backends.
//!
//! Data flows one way: CLI → plan → backend registry → measure / kat → results → report.

pub mod algorithm;
pub mod audit;
pub mod backend;
pub mod baseline;
pub mod capabilities;
pub mod compare;
pub mod cost_model;
pub mod cpu_mask;
pub mod crosscheck;
pub mod env;
pub mod kat;
pub mod measure;
pub mod policy;
pub mod recommend;
pub mod report;
pub mod results;
pub mod select;
pub mod units;
pub mod winners;
