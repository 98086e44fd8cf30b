//! How a hunt's session opens and closes, whatever the hunt: the session `--resume`
//! names or a new one, the tree checked for what its worktrees will lack, the session
//! running on its executor, and the end of a hunt that failed. Both hunt commands go
//! through here, so that they resume, warn and record failures the same way.

use crate::error::{HuntError, Result};
use crate::executor::open;
use crate::journal::{Journal, SessionLock};
use crate::manifest::ExecutorKind;
use crate::observe::Observer;
use crate::resume::resumable;
use crate::session::Session;
use crate::session_kind::SessionKind;
use crate::workspace::{stop_flag, Workspace};
use culprit_exec::git::Repo;
use serde::de::DeserializeOwned;
use std::sync::Arc;

/// A hunt's session, opened for this process.
pub struct Opened<P> {
    pub id: i64,
    pub plan: P,
    /// Says this process owns the session until it ends.
    pub owner: SessionLock,
    /// Whether `--resume` continued an unfinished session rather than starting one.
    pub resumed: bool,
}

/// The session `resume` names (a session number, or `latest`: the newest unfinished one
/// of `kind`; `what` is the kind as people say it), or a new one whose plan `start`
/// makes, with the record the journal keeps of it.
pub fn open_session<P: DeserializeOwned, E: From<HuntError>>(
    ws: &Workspace,
    journal: &Journal,
    resume: Option<&str>,
    (kind, what): (SessionKind, &str),
    start: impl FnOnce() -> std::result::Result<(P, serde_json::Value), E>,
) -> std::result::Result<Opened<P>, E> {
    if let Some(which) = resume {
        let (id, plan, owner) = resumable(journal, kind, what, which, &ws.manifest)?;
        return Ok(Opened {
            id,
            plan,
            owner,
            resumed: true,
        });
    }
    let (plan, record) = start()?;
    let id = journal.start_session(kind, &record).map_err(E::from)?;
    let owner = journal.own_session(id).map_err(E::from)?;
    Ok(Opened {
        id,
        plan,
        owner,
        resumed: false,
    })
}

/// Before a hunt's first step: refuses submodules the worktrees cannot get without the
/// network, and returns a warning naming the untracked files they will lack
/// (`config_written`: the hunt writes the `[config] file` itself).
pub fn check_tree(
    ws: &Workspace,
    repo: &Repo,
    commits: &[&str],
    config_written: bool,
) -> Result<Option<String>> {
    repo.check_submodules_offline(commits)?;
    let missing = crate::tree::missing_in_worktrees(&ws.manifest, repo, config_written);
    Ok((!missing.is_empty()).then(|| {
        format!(
            "untracked in {}, so absent from the worktrees candidates are checked out in: {}; \
             name them in `[tree] copy` in {} to copy them into every worktree",
            repo.root().display(),
            missing.join(", "),
            ws.manifest.path.display()
        )
    }))
}

/// Session `id`, marked running, with its steps on `workers` workers of the executor
/// `kind` (default: culprit.toml's) and its events told to `observer`.
pub fn running_session<'a>(
    ws: &'a Workspace,
    repo: Option<&Repo>,
    journal: Journal,
    (id, workers): (i64, usize),
    kind: Option<ExecutorKind>,
    observer: Arc<dyn Observer>,
) -> Result<Session<'a>> {
    let executor = open(ws, repo, kind, workers, observer.clone(), stop_flag())?;
    journal.finish_session(id, "running", &serde_json::json!(null))?;
    Session::new(id, journal, executor, &ws.manifest, stop_flag(), observer)
}

/// Records how a hunt that failed with `err` ended: interrupted (`--resume` continues
/// it), refused as bad input, or an error, with the message and every cause.
pub fn record_failure(journal: &Journal, session: i64, err: &HuntError) -> Result<()> {
    journal.finish_session(
        session,
        failure_status(err),
        &serde_json::json!({ "error": with_causes(err) }),
    )
}

/// The journal's status for a session that ended with `err`.
fn failure_status(err: &HuntError) -> &'static str {
    if err.is_interrupted() {
        "interrupted"
    } else if err.is_bad_input() {
        "bad-input"
    } else {
        "error"
    }
}

/// The message and each of its causes after a `: `, as the command line prints them.
fn with_causes(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut cause = err.source();
    while let Some(inner) = cause {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        cause = inner.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Context;

    #[test]
    fn a_failure_is_recorded_with_every_cause_and_the_status_that_resumes_it() {
        let denied = std::io::Error::new(std::io::ErrorKind::PermissionDenied, "denied");
        let err = Err::<(), _>(HuntError::from(denied))
            .context("step 3")
            .context("bisecting")
            .unwrap_err();
        assert_eq!(with_causes(&err), "bisecting: step 3: denied");
        assert_eq!(failure_status(&err), "error");
        let stopped = Err::<(), _>(HuntError::Interrupted)
            .context("step 3")
            .unwrap_err();
        assert_eq!(failure_status(&stopped), "interrupted");
        assert_eq!(
            failure_status(&HuntError::BadInput("give --bad".into())),
            "bad-input"
        );
    }

    #[test]
    fn a_new_session_is_started_from_the_plan_and_a_resumed_one_from_the_journal() {
        let dir = tempfile::tempdir().unwrap();
        let ws = crate::test_tree::workspace(dir.path(), "");
        let journal = ws.journal().unwrap();
        let kind = (SessionKind::Bisect, "bisection");
        let plan = serde_json::json!({ "recipe": ws.manifest.recipe.digest });
        let record = serde_json::json!({ "plan": plan });
        let opened: Opened<serde_json::Value> = open_session(&ws, &journal, None, kind, || {
            Ok::<_, HuntError>((plan.clone(), record))
        })
        .unwrap();
        assert!(!opened.resumed);
        drop(opened.owner);
        let again = Some("latest");
        record_failure(&journal, opened.id, &HuntError::Interrupted).unwrap();
        let resumed: Opened<serde_json::Value> =
            open_session(&ws, &journal, again, kind, || -> Result<_> {
                unreachable!("a resumed session makes no new plan")
            })
            .unwrap();
        assert_eq!((resumed.id, &resumed.plan), (opened.id, &plan));
        assert!(resumed.resumed);
        drop(resumed.owner);
        record_failure(&journal, opened.id, &HuntError::BadInput("no".into())).unwrap();
        let finished = Some(opened.id.to_string());
        let refused = open_session::<serde_json::Value, HuntError>(
            &ws,
            &journal,
            finished.as_deref(),
            kind,
            || unreachable!("a resumed session makes no new plan"),
        );
        assert!(refused.is_err_and(|e| e.is_bad_input()));
    }
}
