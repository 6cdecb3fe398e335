//! Each command as one library call: a plan of plain values in, an outcome
//! out. The plan is what the command line parsed; `execute` sequences the
//! library (measure, kat, audit, policy → results → analysis → report),
//! prints results on stdout and progress, notes and warnings on stderr, and
//! returns the outcome the command line maps to an exit code (0 all good, 1
//! a check failed). An `Err` is bad usage or bad input: one line naming the
//! flag or file and the fix (exit 2).
//!
//! An outside crate gets the same pipelines with its own backends through
//! [`crate::cli::main_with`].

pub mod ab;
pub mod audit;
pub mod compare;
pub mod compliance;
pub mod kat;
pub mod list;
mod messaging;
pub mod recommend;
pub mod report;
pub mod run;
