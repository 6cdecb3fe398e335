//! `compliance --verify DIR`: every hash and verdict, recorded beside now.

use super::doc::{Doc, Table};
use super::{json, Export, Format};
use crate::evidence::verify::{Line, Verification};

/// The verification of a bundle; JSON is every line of it.
impl Export for Verification {
    fn document(&self, _: Format) -> Doc {
        document(self)
    }

    fn json(&self) -> Option<String> {
        Some(json(self))
    }
}

fn table(lines: &[Line], short: bool) -> Table {
    let cut = |s: &str| {
        if short && s.len() > 16 {
            format!("{}…", &s[..16])
        } else {
            s.to_string()
        }
    };
    let mut t = Table::new(&["item", "recorded", "now", "result"]);
    if !short {
        t = t.records();
    }
    for l in lines {
        t.row([
            l.item.clone(),
            cut(&l.recorded),
            cut(&l.now),
            if l.same() { "same" } else { "DIFFERS" }.to_string(),
        ]);
    }
    t
}

fn document(v: &Verification) -> Doc {
    let mut d = Doc::new();
    d.heading(2, "Evidence bundle: verification");
    d.heading(3, "Hashes (SHA-256)").table(table(&v.hashes, true));
    d.heading(3, "Verdicts, recorded and re-run here")
        .table(table(&v.verdicts, false));
    let differ = v.hashes.iter().chain(&v.verdicts).filter(|l| !l.same()).count();
    d.note(if differ == 0 {
        "Verified: every hash and every verdict is as recorded.".to_string()
    } else {
        format!("NOT VERIFIED: {differ} item(s) differ from the bundle.")
    });
    d
}
