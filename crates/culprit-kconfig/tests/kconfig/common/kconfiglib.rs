//! kconfiglib for the tests (and the benchmark) that compare culprit's evaluator with it.
//! Nothing at run time uses it, so no setup script installs it: python3's own is used
//! when it can import one, else it is installed once with pip into the build's scratch
//! directory, under a file lock so that tests running in parallel do not race.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

use nix::fcntl::{Flock, FlockArg};

/// A python3 that can import kconfiglib.
pub struct Kconfiglib {
    /// Where pip put it, for PYTHONPATH; `None` when python3 has its own.
    target: Option<PathBuf>,
}

impl Kconfiglib {
    /// kconfiglib, installed when python3 lacks it. Outside CI a failed install skips
    /// (`None`, with pip's message); under CI it fails the test with pip's message.
    pub fn get() -> Option<Kconfiglib> {
        if imports(None) {
            return Some(Kconfiglib { target: None });
        }
        let scratch = Path::new(env!("CARGO_TARGET_TMPDIR"));
        let target = scratch.join("kconfiglib");
        let lock = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(scratch.join("kconfiglib.lock"))
            .unwrap();
        // Held until this returns: the first test installs, the others wait and find it.
        let _installing = Flock::lock(lock, FlockArg::LockExclusive)
            .map_err(|(_, errno)| errno)
            .unwrap();
        if !imports(Some(&target)) {
            // What an interrupted install left is not kconfiglib.
            let _ = std::fs::remove_dir_all(&target);
            let out = Command::new("python3")
                .args(["-m", "pip", "install", "--quiet", "--target"])
                .arg(&target)
                .arg("kconfiglib")
                .output()
                .unwrap();
            if !out.status.success() || !imports(Some(&target)) {
                let message = format!(
                    "kconfiglib could not be installed with pip into {}: {}",
                    target.display(),
                    String::from_utf8_lossy(&out.stderr).trim()
                );
                assert!(std::env::var_os("CI").is_none(), "{message}");
                eprintln!("skipped: {message}");
                return None;
            }
        }
        Some(Kconfiglib {
            target: Some(target),
        })
    }

    /// `python3`, able to import kconfiglib.
    pub fn python3(&self) -> Command {
        let mut python3 = Command::new("python3");
        if let Some(target) = &self.target {
            python3.env("PYTHONPATH", pythonpath(target));
        }
        python3
    }
}

/// Whether python3 imports kconfiglib, with `target` first on its path when given.
fn imports(target: Option<&Path>) -> bool {
    let mut python3 = Command::new("python3");
    if let Some(target) = target {
        python3.env("PYTHONPATH", pythonpath(target));
    }
    python3
        .args(["-c", "import kconfiglib"])
        .output()
        .is_ok_and(|out| out.status.success())
}

/// `target` before whatever PYTHONPATH the tests were given.
fn pythonpath(target: &Path) -> OsString {
    let given = std::env::var_os("PYTHONPATH").unwrap_or_default();
    let paths = std::iter::once(target.to_owned()).chain(std::env::split_paths(&given));
    std::env::join_paths(paths).unwrap_or_else(|_| target.as_os_str().to_owned())
}
