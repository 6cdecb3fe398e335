//! What makes two result files not comparable (machine, methodology,
//! versions, metric, dispatch environment, CPU profile), and how disturbed
//! each run was.

use crate::results::ResultFile;
use crate::Error;

/// The disturbance record of both files, for the report.
pub(super) fn disturbance(base: &ResultFile, new: &ResultFile) -> Vec<String> {
    [("BASE", base), ("NEW", new)]
        .iter()
        .filter_map(|(w, f)| {
            let d = f.disturbance.as_ref()?;
            let busy = f.cells.iter().filter(|c| c.busy()).count();
            Some(format!(
                "{w}: {}; {busy} cell(s) busy",
                crate::results::disturbance::describe(d)
            ))
        })
        .collect()
}

/// "BASE"/"NEW" files that are not complete (an interrupted run): findings.
pub(super) fn incomplete(base: &ResultFile, new: &ResultFile) -> Vec<String> {
    [("BASE", base), ("NEW", new)]
        .iter()
        .filter(|(_, f)| !f.header.complete)
        .map(|(w, _)| format!("{w} is incomplete (an interrupted or failed run; rerun it)"))
        .collect()
}

/// Everything that makes two result files not comparable.
pub fn differences(base: &ResultFile, new: &ResultFile) -> Vec<String> {
    let mut out = Vec::new();
    let (a, b) = (&base.header.machine, &new.header.machine);
    if base.header.methodology_version != new.header.methodology_version {
        out.push(format!(
            "methodology {} vs {}",
            base.header.methodology_version, new.header.methodology_version
        ));
    }
    if a.cpu_model != b.cpu_model || a.cpu_flags != b.cpu_flags || a.cores != b.cores || a.target != b.target {
        out.push(format!(
            "machine '{}' ({} cores, flags {}) vs '{}' ({} cores, flags {})",
            a.cpu_model,
            a.cores,
            a.cpu_flags.join(" "),
            b.cpu_model,
            b.cores,
            b.cpu_flags.join(" ")
        ));
    }
    for (name, v) in &a.backends {
        if let Some((_, w)) = b.backends.iter().find(|(n, _)| n == name) {
            if v != w {
                out.push(format!("{name} version '{v}' vs '{w}'"));
            }
        }
    }
    if base.settings.metric != new.settings.metric {
        out.push(format!("metric {} vs {}", base.settings.metric, new.settings.metric));
    }
    if a.dispatch_env != b.dispatch_env {
        let show = |e: &[(String, String)]| match e {
            [] => "none".to_string(),
            e => e
                .iter()
                .map(|(k, v)| format!("{k}='{v}'"))
                .collect::<Vec<_>>()
                .join(" "),
        };
        out.push(format!(
            "dispatch environment {} vs {}",
            show(&a.dispatch_env),
            show(&b.dispatch_env)
        ));
    }
    out
}

/// `run --baseline`: a baseline from another machine or build is refused
/// before measuring (not after), unless `force`.
pub fn refuse_incomparable(base: Option<&ResultFile>, new: &ResultFile, force: bool) -> Result<(), Error> {
    let diff = base.map(|b| differences(b, new)).unwrap_or_default();
    if diff.is_empty() || force {
        return Ok(());
    }
    Err(Error::flag(
        "--baseline",
        format!("not comparable: {}; pass --force to compare anyway", diff.join("; ")),
    ))
}

/// The CPU profile a file was measured under ("full" without `--cpu-features`).
pub(super) fn cpu_profile(f: &ResultFile) -> String {
    f.settings
        .cpu_mask
        .as_ref()
        .map_or("full".into(), |m| m.profile.clone())
}
