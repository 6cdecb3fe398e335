//! The thread that starts `ab`'s next children ahead, on the spare CPUs, and
//! reaps the old ones there. The timed thread only hands it the work: when
//! it started a child itself it first had to run on the spare CPU, and there
//! it waited for the other side's child, starting up on that CPU, in about
//! half the rounds (4–8 ms each; docs/ab.md, "Overhead per round").

use std::sync::mpsc::{self, Receiver, Sender};

use super::pin;

type Job = Box<dyn FnOnce() + Send>;

/// A thread pinned to the spare CPUs that runs the jobs it is handed, in order.
pub struct Starter {
    jobs: Sender<Job>,
    /// The CPUs it runs on.
    pub cpus: Vec<usize>,
}

impl Starter {
    /// The thread, pinned to `cpus`; None without spare CPUs, or when it
    /// cannot start or be pinned (children then start when they are needed).
    pub fn on(cpus: Vec<usize>) -> Option<Starter> {
        if cpus.is_empty() {
            return None;
        }
        let (jobs, todo) = mpsc::channel::<Job>();
        let (pinned, answer) = mpsc::channel();
        let home = cpus.clone();
        std::thread::Builder::new()
            .name("ab-starter".into())
            .spawn(move || {
                let ok = pin::pin(&home).is_ok();
                let _ = pinned.send(ok);
                if ok {
                    // Ends when the `Starter` is dropped.
                    todo.into_iter().for_each(|job| job());
                }
            })
            .ok()?;
        answer.recv().ok()?.then_some(Starter { jobs, cpus })
    }

    /// Runs `make` on the starter's thread; its result arrives on the receiver.
    pub fn start<T: Send + 'static>(&self, make: impl FnOnce() -> T + Send + 'static) -> Option<Receiver<T>> {
        let (done, result) = mpsc::channel();
        let job = move || {
            // A receiver already gone drops the result here, off the timed CPU.
            let _ = done.send(make());
        };
        self.jobs.send(Box::new(job)).ok()?;
        Some(result)
    }

    /// Drops `x` on the starter's thread (a child's drop waits for its exit).
    pub fn drop_later<T: Send + 'static>(&self, x: T) {
        let _ = self.jobs.send(Box::new(move || drop(x)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jobs_run_in_order_on_the_spare_cpus() {
        let cpus = pin::allowed();
        let Some(&spare) = cpus.first() else {
            return eprintln!("skipped: no CPU affinity on this system");
        };
        let s = Starter::on(vec![spare]).expect("a starter on an allowed CPU");
        let first = s.start(pin::allowed).unwrap();
        let second = s.start(|| 2).unwrap();
        assert_eq!(first.recv().unwrap(), vec![spare]);
        assert_eq!(second.recv().unwrap(), 2);
        assert!(Starter::on(Vec::new()).is_none());
    }
}
