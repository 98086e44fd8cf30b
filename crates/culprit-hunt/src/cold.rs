//! One cold build at a time. Workers that all start from empty build directories would
//! each compile the whole tree at once, sharing the machine's cores, where one cold
//! build followed by builds that take its objects from a shared compiler cache (see
//! `culprit init`) costs about one. So a build in a directory that has never finished
//! a build waits until no other worker of any culprit on this state directory is
//! building cold; a build directory that has finished one builds at once.
//!
//! Whatever the cache, each build compiles its own candidate: the cache answers only
//! for the same compiler, arguments and preprocessed source.

use culprit_exec::StopFlag;
use nix::fcntl::{Flock, FlockArg};
use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::time::Duration;

/// Left in a build directory once a build there has finished.
const WARM_MARK: &str = ".culprit-warm";
/// Next to the workers' build directories.
const LOCK_FILE: &str = "cold-build.lock";
/// How often a waiting worker looks again (and at the stop flag).
const POLL: Duration = Duration::from_millis(200);

/// Held while a cold build runs; marks the directory warm when the build has ended.
pub struct ColdBuild {
    build: PathBuf,
    _lock: Option<Flock<File>>,
}

impl ColdBuild {
    /// Waits, when `build` is cold, until no other cold build runs; returns at once when
    /// it is warm, or when no lock can be had (the build then just runs).
    pub fn wait_turn(build: &Path, stop: &StopFlag) -> ColdBuild {
        let lock = (!build.join(WARM_MARK).exists())
            .then(|| lock_path(build))
            .flatten()
            .and_then(|path| {
                OpenOptions::new()
                    .write(true)
                    .create(true)
                    .truncate(false)
                    .open(path)
                    .ok()
            })
            .and_then(|file| take(file, stop));
        ColdBuild {
            build: build.to_path_buf(),
            _lock: lock,
        }
    }

    /// The build ended (whatever its outcome, it compiled what it could): the
    /// directory is warm from now on. Not called for an interrupted build.
    pub fn finished(self) {
        // Without the mark the next build only waits its turn again.
        let _ = std::fs::write(self.build.join(WARM_MARK), b"");
    }
}

/// `STATE/workers/cold-build.lock` for `STATE/workers/wN/build`.
fn lock_path(build: &Path) -> Option<PathBuf> {
    Some(build.parent()?.parent()?.join(LOCK_FILE))
}

fn take(mut file: File, stop: &StopFlag) -> Option<Flock<File>> {
    loop {
        match Flock::lock(file, FlockArg::LockExclusiveNonblock) {
            Ok(lock) => return Some(lock),
            Err((back, _)) if !stop.load(Ordering::SeqCst) => {
                file = back;
                std::thread::sleep(POLL);
            }
            Err(_) => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicBool;
    use std::sync::Arc;

    #[test]
    fn a_second_cold_build_waits_and_a_warm_one_does_not() {
        let state = tempfile::tempdir().unwrap();
        let build = |n: &str| {
            let dir = state.path().join("workers").join(n).join("build");
            std::fs::create_dir_all(&dir).unwrap();
            dir
        };
        let (w0, w1) = (build("w0"), build("w1"));
        let stop: StopFlag = Arc::new(AtomicBool::new(false));
        let first = ColdBuild::wait_turn(&w0, &stop);
        let waited = std::thread::scope(|scope| {
            let second = scope.spawn(|| {
                let started = std::time::Instant::now();
                let turn = ColdBuild::wait_turn(&w1, &stop);
                (started.elapsed(), turn)
            });
            std::thread::sleep(Duration::from_millis(600));
            first.finished();
            let (waited, turn) = second.join().unwrap();
            turn.finished();
            waited
        });
        assert!(waited >= Duration::from_millis(500), "{waited:?}");
        assert!(w0.join(WARM_MARK).exists() && w1.join(WARM_MARK).exists());
        // Both warm now: neither holds the lock, so two builds run at once.
        let a = ColdBuild::wait_turn(&w0, &stop);
        let b = ColdBuild::wait_turn(&w1, &stop);
        assert!(a._lock.is_none() && b._lock.is_none());
    }

    #[test]
    fn a_stop_ends_the_wait() {
        let state = tempfile::tempdir().unwrap();
        let dir = |n: &str| state.path().join("workers").join(n).join("build");
        std::fs::create_dir_all(dir("w0")).unwrap();
        let stop: StopFlag = Arc::new(AtomicBool::new(false));
        let _first = ColdBuild::wait_turn(&dir("w0"), &stop);
        stop.store(true, Ordering::SeqCst);
        let second = ColdBuild::wait_turn(&dir("w1"), &stop);
        assert!(second._lock.is_none());
    }
}
