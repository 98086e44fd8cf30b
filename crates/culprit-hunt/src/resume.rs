//! `--resume`: which unfinished session of a kind continues, refused when culprit.toml
//! changed what decides a step's result, and owned by this process while it runs.

use crate::error::{Context, HuntError, Result};
use crate::journal::{Journal, SessionLock};
use crate::manifest::Manifest;
use crate::session_kind::SessionKind;
use serde::de::DeserializeOwned;

fn bad_input(message: String) -> HuntError {
    HuntError::BadInput(message)
}

/// The plan of the hunt `--resume` names (a session id, or `latest`: the newest unfinished
/// one of `kind`), with its session id and the lock that makes this process its owner.
pub fn resumable<P: DeserializeOwned>(
    journal: &Journal,
    kind: SessionKind,
    what: &str,
    which: &str,
    config: &Manifest,
) -> Result<(i64, P, SessionLock)> {
    let session = if which == "latest" {
        journal.last_unfinished_session(kind)?.ok_or_else(|| {
            bad_input(format!(
                "no {what} to resume in {} (none is unfinished); start a new one",
                journal.dir().display()
            ))
        })?
    } else {
        let id: i64 = which.parse().map_err(|_| {
            bad_input(format!("--resume {which}: give a session number (see `culprit log`), or no value for the newest"))
        })?;
        let session = journal.session(id)?.ok_or_else(|| {
            bad_input(format!(
                "--resume {id}: no session {id} in {}",
                journal.dir().display()
            ))
        })?;
        if session.session_kind() != Some(kind) {
            return Err(bad_input(format!(
                "--resume {id}: session {id} is a {}, not a {what}",
                session.kind
            )));
        }
        if !["running", "interrupted", "error"].contains(&session.status.as_str()) {
            return Err(bad_input(format!(
                "--resume {id}: session {id} already finished ({}); start a new one",
                session.status
            )));
        }
        session
    };
    if let Some(refusal) = config.recipe.refuse_resume(session.id, &session.args) {
        return Err(bad_input(format!("--resume: {refusal}")));
    }
    let lock = journal.own_session(session.id)?;
    let plan = serde_json::from_value(session.args["plan"].clone()).with_context(|| {
        format!(
            "the journal's {what} {} cannot be resumed by this version of culprit",
            session.id
        )
    })?;
    Ok((session.id, plan, lock))
}
