//! The progress bar of a measuring command: one tick per visit, on stderr.

use cryptobench::backend::Backend;
use cryptobench::measure::{Group, Progress};
use cryptobench::units;
use indicatif::{ProgressBar, ProgressStyle};

pub struct Bar(pub ProgressBar);

impl Bar {
    /// A bar of `visits` ticks drawn with `template` (an indicatif template).
    pub fn new(visits: usize, template: &str) -> Bar {
        let bar = ProgressBar::new(visits as u64);
        bar.set_style(ProgressStyle::with_template(template).expect("a valid template"));
        Bar(bar)
    }
}

impl Progress for Bar {
    fn visit(&self, group: &Group, backend: &Backend) {
        let s = group.shape;
        let size = units::format_size(s.size);
        let msg = format!(
            "{} {} {} {size}B ×{}",
            backend.name, s.algorithm, s.operation, group.threads
        );
        self.0.set_message(msg);
        self.0.inc(1);
    }
}
