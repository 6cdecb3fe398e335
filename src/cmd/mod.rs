//! One file per subcommand: its clap arguments and its handler.

pub mod kat;
pub mod list;
pub mod run;
