//! Where `culprit run` keeps its one step: a session of the journal, or, when the
//! journal's file is damaged, a directory of its own, so that one step still tells the
//! user something (a hunt refuses the file, with the way out).

use crate::error::{Context, Result};
use crate::journal::{now, Journal};
use crate::record::StepResult;
use crate::session_kind::SessionKind;
use crate::workspace::Workspace;
use serde_json::Value;
use std::path::PathBuf;

/// A `culprit run` step's place in the journal, from before it runs until it is recorded.
pub struct RunSession {
    recorded: Option<(Journal, i64)>,
    /// Where the step's logs go.
    pub logs: PathBuf,
    /// Why the step runs without the journal, when it does.
    pub damaged_journal: Option<String>,
    started: f64,
}

impl RunSession {
    /// Starts a session whose arguments the journal keeps as `args`.
    pub fn start(ws: &Workspace, args: &Value) -> Result<RunSession> {
        let started = now();
        let journal = match ws.journal() {
            Ok(journal) => journal,
            Err(err) if err.is_damaged_journal() => {
                let logs = ws
                    .state
                    .join("unrecorded")
                    .join(std::process::id().to_string());
                std::fs::create_dir_all(&logs)
                    .with_context(|| format!("cannot create {}", logs.display()))?;
                return Ok(RunSession {
                    recorded: None,
                    logs,
                    damaged_journal: Some(err.to_string()),
                    started,
                });
            }
            Err(err) => return Err(err),
        };
        let session = journal.start_session(SessionKind::Run, args)?;
        Ok(RunSession {
            logs: journal.step_dir(session, 1)?,
            recorded: Some((journal, session)),
            damaged_journal: None,
            started,
        })
    }

    /// Records the step (`candidate`: what it tested) and ends the session with its
    /// status and `view`, the document the user was shown.
    pub fn finish(self, candidate: &Value, result: &StepResult, view: &Value) -> Result<()> {
        let Some((mut journal, session)) = self.recorded else {
            return Ok(());
        };
        journal.record_step(session, 1, candidate, None, result, self.started)?;
        journal.finish_session(session, status(result), view)
    }
}

/// A step's session status: interrupted, or whether every run passed.
fn status(result: &StepResult) -> &'static str {
    match (result.interrupted(), result.all_passed()) {
        (true, _) => "interrupted",
        (false, true) => "pass",
        (false, false) => "fail",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::test_tree::workspace;

    #[test]
    fn a_step_is_recorded_in_its_own_session_with_the_view_it_showed() {
        let dir = tempfile::tempdir().unwrap();
        let ws = workspace(dir.path(), "");
        let run = RunSession::start(&ws, &serde_json::json!({ "rev": null })).unwrap();
        assert_eq!(run.damaged_journal, None);
        assert!(run.logs.starts_with(&ws.state), "{}", run.logs.display());
        let view = serde_json::json!({ "tests": [] });
        run.finish(&serde_json::json!({}), &StepResult::default(), &view)
            .unwrap();
        let journal = ws.journal().unwrap();
        let session = journal
            .last_session(Some(SessionKind::Run))
            .unwrap()
            .unwrap();
        assert_eq!(
            (session.status.as_str(), session.result),
            ("pass", Some(view))
        );
        assert_eq!(journal.steps(session.id).unwrap().len(), 1);
    }

    #[test]
    fn a_damaged_journal_leaves_the_step_its_own_directory_and_says_why() {
        let dir = tempfile::tempdir().unwrap();
        let ws = workspace(dir.path(), "");
        std::fs::create_dir_all(&ws.state).unwrap();
        let file = ws.journal().unwrap().path();
        std::fs::write(&file, vec![b'x'; 4096]).unwrap();
        let run = RunSession::start(&ws, &serde_json::json!({})).unwrap();
        assert!(run.damaged_journal.is_some());
        assert!(run.logs.starts_with(ws.state.join("unrecorded")) && run.logs.is_dir());
        run.finish(&serde_json::json!({}), &StepResult::default(), &Value::Null)
            .unwrap();
    }
}
