//! cryptobench: a benchmark and audit harness for AEAD and key-exchange backends.
//!
//! Data flows one way: CLI → plan → backend registry → measure / kat → results → report.

pub mod ab;
#[warn(missing_docs)]
pub mod algorithm;
pub mod analysis;
pub mod atomic_file;
pub mod audit;
#[warn(missing_docs)]
pub mod backend;
pub mod baseline;
pub mod capabilities;
#[warn(missing_docs)]
pub mod cli;
pub mod crosscheck;
pub mod env;
pub mod error;
pub mod evidence;
pub mod input;
pub mod kat;
pub mod keyschedule;
pub mod limits;
pub mod measure;
pub mod pipeline;
pub mod policy;
pub mod preflight;
pub mod report;
pub mod results;
pub mod select;
pub mod stats;
pub mod units;
pub mod workload_model;

pub use error::{Error, Result};
