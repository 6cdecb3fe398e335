//! One file per subcommand: its clap arguments and its handler.

pub mod ab;
pub mod audit;
pub mod compare;
pub mod compliance;
pub mod kat;
pub mod list;
pub mod messaging;
pub mod output;
pub mod progress;
pub mod recommend;
pub mod report;
pub mod run;
