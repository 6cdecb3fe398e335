//! A start barrier that can be broken. `std::sync::Barrier` waits forever for
//! a thread that never arrives: a worker that failed to spawn or panicked left
//! the others blocked and the run hung. Here the first
//! failure breaks the barrier and every waiter returns `false` instead.

use std::sync::{Condvar, Mutex};

pub struct Latch {
    state: Mutex<State>,
    cv: Condvar,
}

struct State {
    parties: usize,
    waiting: usize,
    generation: u64,
    broken: bool,
}

impl Latch {
    pub fn new(parties: usize) -> Latch {
        Latch {
            state: Mutex::new(State {
                parties,
                waiting: 0,
                generation: 0,
                broken: false,
            }),
            cv: Condvar::new(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A panicking holder cannot leave the counters half-updated: each
        // critical section below is a few plain assignments.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Waits until all parties arrive; `false` when the latch is broken.
    pub fn wait(&self) -> bool {
        let mut s = self.lock();
        if s.broken {
            return false;
        }
        s.waiting += 1;
        if s.waiting == s.parties {
            s.waiting = 0;
            s.generation += 1;
            self.cv.notify_all();
            return true;
        }
        let gen = s.generation;
        while s.generation == gen && !s.broken {
            s = self.cv.wait(s).unwrap_or_else(|p| p.into_inner());
        }
        !s.broken || s.generation != gen
    }

    /// Releases every waiter for good.
    pub fn break_all(&self) {
        self.lock().broken = true;
        self.cv.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn releases_together_and_breaks() {
        let l = Latch::new(3);
        std::thread::scope(|s| {
            let hs: Vec<_> = (0..3).map(|_| s.spawn(|| (0..5).all(|_| l.wait()))).collect();
            assert!(hs.into_iter().all(|h| h.join().unwrap()));
        });
        let l = Latch::new(3);
        std::thread::scope(|s| {
            let h = s.spawn(|| l.wait());
            std::thread::sleep(std::time::Duration::from_millis(20));
            l.break_all();
            assert!(!h.join().unwrap());
        });
        assert!(!l.wait());
    }

    /// The barrier holds: nobody passes before the last party arrives.
    #[test]
    fn holds_until_the_last_party_arrives() {
        let l = Latch::new(2);
        std::thread::scope(|s| {
            let h = s.spawn(|| l.wait());
            std::thread::sleep(std::time::Duration::from_millis(50));
            assert!(!h.is_finished(), "released before the second party arrived");
            assert!(l.wait());
            assert!(h.join().unwrap());
        });
    }

    /// A waiter already released stays released when the latch breaks before
    /// it wakes (the breaker usually wins the lock right after the release).
    #[test]
    fn a_release_is_kept_when_the_latch_breaks_next() {
        for _ in 0..20 {
            let l = Latch::new(2);
            std::thread::scope(|s| {
                let h = s.spawn(|| l.wait());
                while !h.is_finished() && l.lock().waiting == 0 {
                    std::thread::yield_now();
                }
                assert!(l.wait());
                l.break_all();
                assert!(h.join().unwrap(), "a released waiter reported a broken latch");
            });
        }
    }
}
