//! The parent's view of one worker process (`child`) and of the private
//! copies (`copies`): refusals of children that are not workers, a worker that
//! hangs or dies, quit and renew, and copies on both sides or neither. The
//! scripted children come from `workers_tests`.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::child::{Side, Worker};
use super::copies::Copies;
use super::protocol::{line, Hello, Request, Response, PROTOCOL};
use super::workers_tests::{
    cell, fake, fake_speaking, hello_offering_chacha, options, prepared, run_collecting, samples, script,
};

#[test]
fn a_worker_that_hangs_or_dies_is_marked_dead_and_revived() {
    let dir = tempfile::tempdir().unwrap();
    let h = line(&Response::Hello(Box::new(hello_offering_chacha())));
    let silent = script(dir.path(), "silent", &format!("read l; printf '%s' '{h}'; sleep 30"));
    let mut w = Worker::start(Side::New, &silent).unwrap();
    assert_eq!(w.hello, hello_offering_chacha());
    let prepare = Request::Prepare {
        cell: cell(),
        target_us: 100,
    };
    let e = w.ask(&prepare, Duration::from_millis(200)).unwrap_err();
    assert_eq!(e, "no answer within 0 s (killed)");
    assert_eq!(w.dead.as_deref(), Some(e.as_str()));
    assert_eq!(
        w.ask(&Request::Quit, Duration::from_secs(5)).unwrap_err(),
        e,
        "dead stays dead"
    );
    w.revive().unwrap();
    assert_eq!(w.dead, None);
    w.quit();
    let crashing = script(
        dir.path(),
        "crashing",
        &format!("read l; printf '%s' '{h}'; read l; exit 3"),
    );
    let mut w = Worker::start(Side::Base, &crashing).unwrap();
    let e = w.ask(&prepare, Duration::from_secs(20)).unwrap_err();
    assert_eq!(e, "closed its output: it exited (exit status: 3)");
}

#[test]
fn children_that_are_not_workers_are_refused_in_one_line_naming_the_side() {
    let dir = tempfile::tempdir().unwrap();
    let start = |name: &str, body: &str| {
        let p = script(dir.path(), name, body);
        let e = Worker::start(Side::New, &p).err().unwrap();
        assert!(e.starts_with(&format!("NEW: {}: ", p.display())), "{e}");
        assert_eq!(e.lines().count(), 1, "{e}");
        e
    };
    let e = start("garbage", "echo 'this is not JSON'; sleep 5");
    assert!(
        e.contains("not a cryptobench worker") && e.contains("printed garbage: 'this is not JSON'"),
        "{e}"
    );
    let other = line(&Response::Hello(Box::new(Hello {
        protocol: PROTOCOL + 98,
        ..Hello::default()
    })));
    let e = start("future", &format!("read l; printf '%s' '{other}'; sleep 5"));
    assert!(
        e.contains(&format!(
            "speaks worker protocol {}, this cryptobench 1 to {PROTOCOL}",
            PROTOCOL + 98
        )),
        "{e}"
    );
    let e = start(
        "rude",
        &format!("read l; printf '%s' '{}'; sleep 5", line(&prepared(1))),
    );
    assert!(e.contains("answered the handshake with Prepared"), "{e}");
    let e = start("old", "echo 'error: unrecognized subcommand' >&2; exit 2");
    assert!(e.contains("too old for `ab`") && e.contains("it exited"), "{e}");
    // The child's first stderr line, held back during the handshake, is quoted.
    assert!(e.ends_with("; it said: error: unrecognized subcommand)"), "{e}");
    // A directory is a side's layouts (ci/layouts.sh): an empty one is refused.
    let empty = tempfile::tempdir().unwrap();
    let e = Worker::start(Side::Base, empty.path()).err().unwrap();
    assert!(
        e.starts_with("BASE: ") && e.contains("holds 0 executables; a directory of layouts needs 8 to 64"),
        "{e}"
    );
    let e = Worker::start(Side::Base, &dir.path().join("absent")).err().unwrap();
    assert!(e.contains("absent: No such file"), "{e}");
}

/// A scripted worker that greets, then waits; each start appends its PID
/// (the script's own, kept by `exec`: the child the parent holds) to the
/// returned file.
fn pid_logging_worker(dir: &Path) -> (PathBuf, PathBuf) {
    let pids = dir.join("pids");
    let h = line(&Response::Hello(Box::new(hello_offering_chacha())));
    let body = format!(
        "echo $$ >> '{}'; read l; printf '%s' '{h}'; exec cat > /dev/null",
        pids.display()
    );
    (script(dir, "quiet", &body), pids)
}

#[test]
fn quit_ends_the_child_and_renew_replaces_it() {
    let dir = tempfile::tempdir().unwrap();
    let (exe, pids) = pid_logging_worker(dir.path());
    let h = line(&Response::Hello(Box::new(hello_offering_chacha())));
    let alive = |i: usize| {
        let all = std::fs::read_to_string(&pids).unwrap();
        let pid = all.lines().nth(i).unwrap().to_string();
        Path::new(&format!("/proc/{pid}")).exists()
    };
    let mut w = Worker::start(Side::Base, &exe).unwrap();
    let mut rng = fastrand::Rng::with_seed(1);
    w.renew(&mut rng, None).unwrap();
    assert!(!alive(0) && alive(1), "renew kills and reaps the old child");
    assert_eq!((w.copies(), w.path.as_path()), (1, exe.as_path()));
    w.spread(3, &mut rng).unwrap();
    assert_eq!(w.copies(), 3);
    w.quit();
    assert!(!alive(2), "quit reaps the child");
    // A worker asked to quit exits by itself, not killed by the grace timer.
    let bye = dir.path().join("bye");
    let body = format!(
        "read l; printf '%s' '{h}'; while read l; do case \"$l\" in *quit*) touch '{}'; exit 0 ;; esac; done",
        bye.display()
    );
    Worker::start(Side::New, &script(dir.path(), "polite", &body))
        .unwrap()
        .quit();
    assert!(bye.exists(), "quit was not sent");
    let mut w = Worker::start(Side::Base, &exe).unwrap();
    w.spread(2, &mut rng).unwrap();
    let last = std::fs::read_to_string(&pids).unwrap().lines().count() - 1;
    drop(w);
    assert!(!alive(last), "dropping a worker reaps it");
}

/// When one side's copies do not start, neither side uses copies: one side on
/// copies and the other on its original is the bias the copies remove.
#[test]
fn copies_are_used_on_both_sides_or_on_neither() {
    let dir = tempfile::tempdir().unwrap();
    let h = hello_offering_chacha();
    let base = fake(dir.path(), "base", &h, &prepared(40), &[samples(&[1000.0], [2e9, 2e9])]);
    let picky = fake_speaking(
        dir.path(),
        "picky",
        "case \"$0\" in *cryptobench-ab-*) exit 1 ;; esac",
        &h,
        &prepared(40),
        &[samples(&[1000.0], [2e9, 2e9])],
    );
    let mut opts = options(&base, &picky, &[64], 8);
    opts.copies = 3;
    let report = run_collecting(&opts).0.unwrap();
    assert_eq!(report.settings.copies, [1, 1], "{:?}", report.settings);
    assert!(report.cells[0].failed.is_empty(), "{:?}", report.cells[0]);
}

#[test]
fn copies_are_private_files_picked_at_random_and_removed_at_the_end() {
    let dir = tempfile::tempdir().unwrap();
    let exe = script(dir.path(), "exe", "exit 0");
    let one = Copies::original(&exe);
    assert_eq!((one.count(), one.pick(&mut fastrand::Rng::new())), (1, exe.as_path()));
    let copies = Copies::make(&exe, 3, "NEW").unwrap();
    assert_eq!(copies.count(), 3);
    let mut rng = fastrand::Rng::with_seed(3);
    let picked: std::collections::BTreeSet<PathBuf> = (0..60).map(|_| copies.pick(&mut rng).to_path_buf()).collect();
    let names: Vec<String> = picked
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into())
        .collect();
    assert_eq!(names, ["NEW-0", "NEW-1", "NEW-2"]);
    let home = picked.first().unwrap().parent().unwrap().to_path_buf();
    assert_ne!(home, dir.path());
    assert_eq!(std::fs::metadata(&home).unwrap().permissions().mode() & 0o777, 0o700);
    for p in &picked {
        assert_eq!(std::fs::read(p).unwrap(), std::fs::read(&exe).unwrap());
        assert_eq!(std::fs::metadata(p).unwrap().permissions().mode() & 0o111, 0o111);
    }
    drop(copies);
    assert!(!home.exists(), "the copies outlived their owner");
    let e = Copies::make(&dir.path().join("absent"), 2, "BASE")
        .err()
        .unwrap()
        .to_string();
    assert!(e.starts_with("cannot copy ") && e.contains("absent"), "{e}");
}

/// The CPUs process `pid` may run on, from /proc.
fn cpus_of(pid: &str) -> String {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find_map(|l| l.strip_prefix("Cpus_allowed_list:"));
    line.unwrap().trim().to_string()
}

/// A child started ahead starts on the spare CPU, and the renewal that takes
/// it moves it onto the parent's CPU and starts no other.
#[test]
fn a_prestarted_child_starts_on_the_spare_cpu_and_is_moved_when_taken() {
    let cpus = super::pin::allowed();
    let (Some(&spare), Some(&timed)) = (cpus.first(), cpus.last()) else {
        return eprintln!("skipped: no CPU affinity on this system");
    };
    if spare == timed {
        return eprintln!("skipped: needs two CPUs, this process may use {cpus:?}");
    }
    // Affinity is per thread: pin a thread of our own, not the test harness's.
    std::thread::spawn(move || {
        super::pin::pin(&[timed]).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let (exe, pids) = pid_logging_worker(dir.path());
        let mut w = Worker::start(Side::Base, &exe).unwrap();
        let mut rng = fastrand::Rng::with_seed(1);
        w.set_spare(vec![spare]);
        w.prestart(&mut rng, None, None);
        let started = || {
            std::fs::read_to_string(&pids)
                .unwrap()
                .lines()
                .map(String::from)
                .collect::<Vec<_>>()
        };
        for _ in 0..200 {
            if started().len() == 2 {
                break;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        let ahead = started()[1].clone();
        assert_eq!(cpus_of(&ahead), spare.to_string());
        w.renew(&mut rng, None).unwrap();
        assert_eq!(w.pid().to_string(), ahead);
        assert_eq!(cpus_of(&ahead), timed.to_string());
        assert_eq!(started().len(), 2, "the renewal started no other child");
        w.quit();
    })
    .join()
    .unwrap();
}
