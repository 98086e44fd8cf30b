//! A toyos history whose failure is intermittent: `FLAKY_IPI` loses a thread-start kick
//! on about half the boots under TCG, so `smp_threads` fails its join assertion now and
//! then. Either one commit turns it on (a flaky culprit) or it is on from the first
//! commit (a flake with no culprit in the range). The end-to-end test and benchmark of
//! flaky hunts use it.

use crate::history::{Writer, SUBJECTS};
use crate::{failed, Result};
use std::path::Path;

/// The planted history, oldest commit first (the first is the good endpoint, `main` the
/// last), and the commit that turned the flakiness on (`None`: it was on throughout).
#[derive(Clone, Debug)]
pub struct FlakyHistory {
    pub commits: Vec<String>,
    pub culprit: Option<String>,
}

/// How long a boot may stay silent in the generated `culprit.toml`: longer than the
/// example's 2 s, because these hunts are measured on shared machines where a loaded
/// boot pauses, and a hang is not what they are about.
const SILENCE: &str = "10s";

/// Creates `dir` (which must not exist or be empty) as a linear toyos history of
/// `size` commits (at least 2), each adding a changelog entry to the kernel image, with
/// `FLAKY_IPI` on from commit `plant` (counted from 0, the good endpoint; `None` or 0:
/// on throughout).
pub fn generate(dir: &Path, size: usize, plant: Option<usize>) -> Result<FlakyHistory> {
    let size = size.max(2);
    crate::start_repository(dir)?;
    let config = dir.join("culprit.toml");
    let text = std::fs::read_to_string(&config)
        .map_err(failed(format!("cannot read {}", config.display())))?;
    std::fs::write(
        &config,
        text.replace("silence = \"2s\"", &format!("silence = \"{SILENCE}\"")),
    )
    .map_err(failed(format!("cannot write {}", config.display())))?;
    let plant = plant.unwrap_or(0);
    let mut w = Writer { dir, clock: 0 };
    w.git(&["init", "-q", "-b", "main"])?;
    let mut log = Vec::new();
    let mut history = FlakyHistory {
        commits: Vec::new(),
        culprit: None,
    };
    for i in 0..size {
        let subject = if i == plant {
            w.set_options(&["FLAKY_IPI"], &[])?;
            "defconfig: enable IPI fault injection"
        } else {
            SUBJECTS[i % SUBJECTS.len()]
        };
        let id = w.main_commit(&mut log, subject, false)?;
        if i == plant && i > 0 {
            history.culprit = Some(id.clone());
        }
        history.commits.push(id);
    }
    Ok(history)
}
