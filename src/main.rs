//! The `cryptobench` binary: the library's command line over the built-in backends.

fn main() -> std::process::ExitCode {
    cryptobench::cli::main()
}
