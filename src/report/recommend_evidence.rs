//! `recommend`'s module caveat and open `audit diff` findings (beside the
//! ranking, kept apart from its layout in recommend.rs).

use super::doc::Doc;
use crate::analysis::recommend::Recommendation;
use crate::audit::open::{CASES, SEED};

/// No validated module in this build: said before the recommendation, not after it.
pub(super) fn caveat(out: &mut Doc, r: &Recommendation) {
    if let Some(c) = &r.module_caveat {
        out.note(format!("NO VALIDATED MODULE: {c}"));
    }
}

/// The unexplained disagreements of the ranked backends with the algorithms they are ranked on.
pub(super) fn findings(out: &mut Doc, r: &Recommendation) {
    if r.ranking.is_empty() {
        return;
    }
    out.heading(3, "Open audit diff findings");
    if r.findings.0.is_empty() {
        out.note(format!(
            "None: a seeded diff ({CASES} cases per algorithm, seed {SEED}) found no unexplained disagreement for the ranked backends and algorithms."
        ));
        return;
    }
    out.list(r.findings.0.iter().map(|f| f.line()));
}
