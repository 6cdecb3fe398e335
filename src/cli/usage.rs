//! The command line's usage errors in one line each (exit 2), and the
//! process setup before a command runs.

use std::process::ExitCode;

use clap::{CommandFactory, Parser};

use super::Cli;

/// Bad usage or bad input: one line on stderr, exit 2. Line breaks that a
/// file's value carried into the message are shown escaped, never printed.
pub(crate) fn usage_error(msg: impl std::fmt::Display) -> ExitCode {
    let msg = msg.to_string().replace('\r', "\\r").replace('\n', "\\n");
    eprintln!("error: {msg}");
    ExitCode::from(2)
}

/// clap's usage errors in the same one-line form: its first line, then where
/// to look (clap prints a usage block and a hint on four more lines).
pub(super) fn parse_cli() -> Cli {
    Cli::try_parse().unwrap_or_else(|e| {
        use clap::error::ErrorKind::{DisplayHelp, DisplayHelpOnMissingArgumentOrSubcommand, DisplayVersion};
        if e.kind() == DisplayHelpOnMissingArgumentOrSubcommand {
            missing_subcommand();
        }
        if matches!(e.kind(), DisplayHelp | DisplayVersion) {
            e.exit();
        }
        let text = e.render().to_string();
        let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
        let mut first = lines.next().unwrap_or("error: bad usage").to_string();
        // "the following required arguments were not provided:" lists them below.
        if first.ends_with(':') {
            first = format!("{first} {}", lines.next().unwrap_or(""));
        }
        let first = first.strip_prefix("error: ").unwrap_or(&first);
        // "Usage: cryptobench run [OPTIONS]" names the command whose help to read.
        let cmd = text
            .lines()
            .find_map(|l| l.trim().strip_prefix("Usage: "))
            .map(|u| {
                u.split([' '])
                    .take_while(|w| !w.starts_with(['[', '<', '-']))
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .unwrap_or_else(|| "cryptobench".into());
        eprintln!("error: {first} (see {cmd} --help)");
        std::process::exit(2);
    })
}

/// A closed pipe (`cryptobench kat | head`) ends the process quietly, as it
/// ends any Unix filter, instead of a panic in `print!` (Rust ignores SIGPIPE
/// by default). Not for `ab`: it writes to its children's pipes and must see a
/// child that died as an error it reports, not die itself.
pub(super) fn quiet_on_closed_pipe() {
    #[cfg(unix)]
    // SAFETY: setting a signal's disposition to its default, before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

/// `cryptobench audit` without `diff` or `ct`: clap would print the whole
/// help; the promise is one line naming what is missing and the choices.
fn missing_subcommand() -> ! {
    let mut cmd = Cli::command();
    let mut path = vec![cmd.get_name().to_string()];
    for arg in std::env::args().skip(1).filter(|a| !a.starts_with('-')) {
        let Some(sub) = cmd.find_subcommand(&arg).cloned() else {
            break;
        };
        path.push(sub.get_name().to_string());
        cmd = sub;
    }
    let choices: Vec<&str> = cmd
        .get_subcommands()
        .filter(|s| !s.is_hide_set() && s.get_name() != "help")
        .map(|s| s.get_name())
        .collect();
    let path = path.join(" ");
    eprintln!(
        "error: '{path}' needs a subcommand: one of {} (see {path} --help)",
        choices.join(", ")
    );
    std::process::exit(2);
}
