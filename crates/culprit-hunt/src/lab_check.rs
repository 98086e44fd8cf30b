//! `culprit init --lab labgrid --check`: one step of the tree as it is, its boots on the
//! labgrid lab (`culprit run` boots on a LAVA lab by itself, so `--lab lava` checks with
//! it), on the same executor a hunt would use.

use crate::error::{Context, HuntError, Result};
use crate::executor::{open, Job, Work};
use crate::manifest::ExecutorKind;
use crate::observe::Unobserved;
use crate::record::StepResult;
use crate::workspace::{stop_flag, Workspace};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The step of the working tree that the culprit.toml at `file` describes, its boots on
/// the labgrid place; with the directory its logs went to.
pub fn step_on_labgrid(file: &Path) -> Result<(StepResult, PathBuf)> {
    let ws = Workspace::load(Some(file))?;
    let logs = ws.state.join("init-check");
    std::fs::create_dir_all(&logs).with_context(|| format!("cannot create {}", logs.display()))?;
    let kind = Some(ExecutorKind::Labgrid);
    let mut executor = open(&ws, None, kind, 1, Arc::new(Unobserved), stop_flag())?;
    executor.start(
        0,
        Job {
            work: Work::in_place(),
            seq: 0,
            logs: logs.clone(),
            label: "the working tree".into(),
            artifact_cache: None,
            pace: None,
        },
    )?;
    let Some(finished) = executor.wait() else {
        return Err(HuntError::Message(
            "the check's step never ended; this is a bug in culprit".into(),
        ));
    };
    Ok((finished.result?, logs))
}
