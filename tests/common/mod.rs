//! What every bad-input CLI test checks, in one place: the command failed as
//! bad usage (exit 2) with exactly one line on stderr (the README's promise).

/// Asserts exit code 2 and a one-line stderr; returns that stderr.
pub fn usage_error(run: assert_cmd::assert::Assert) -> String {
    let out = run.code(2).get_output().clone();
    let err = String::from_utf8(out.stderr).expect("stderr is UTF-8");
    assert_eq!(err.trim_end().lines().count(), 1, "not one line: {err}");
    err
}
