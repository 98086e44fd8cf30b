//! Which session `culprit report` is of: the one the user names, or the newest hunt (a
//! bisection of either kind: what people write reports about, even after a `culprit
//! run` or two), or the newest session at all.

use culprit_hunt::journal::{Journal, SessionRow};
use culprit_hunt::session_kind::SessionKind;
use culprit_hunt::HuntError;

/// Session `id`, or without one the newest hunt, else the newest session.
pub fn report_session(journal: &Journal, id: Option<i64>) -> Result<SessionRow, HuntError> {
    if let Some(id) = id {
        return journal.session(id)?.ok_or_else(|| {
            HuntError::BadInput(format!(
                "no session {id} in {}; `culprit log` shows the newest",
                journal.dir().display()
            ))
        });
    }
    let hunts = [
        journal.last_session(Some(SessionKind::Bisect))?,
        journal.last_session(Some(SessionKind::BisectConfig))?,
    ];
    let newest_hunt = hunts.into_iter().flatten().max_by_key(|s| s.id);
    match newest_hunt.or(journal.last_session(None)?) {
        Some(session) => Ok(session),
        None => Err(HuntError::BadInput(format!(
            "no sessions yet in {}; run `culprit bisect` or `culprit run` first",
            journal.dir().display()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_newest_hunt_is_chosen_over_a_later_run_and_a_named_session_over_both() {
        let dir = tempfile::tempdir().unwrap();
        let journal = Journal::open(dir.path()).unwrap();
        let none = report_session(&journal, None).unwrap_err();
        assert!(none.to_string().starts_with("no sessions yet in"), "{none}");
        let run = journal.start_session(SessionKind::Run, &json!({})).unwrap();
        assert_eq!(report_session(&journal, None).unwrap().id, run);
        let bisect = journal
            .start_session(SessionKind::Bisect, &json!({}))
            .unwrap();
        let config = journal
            .start_session(SessionKind::BisectConfig, &json!({}))
            .unwrap();
        journal.start_session(SessionKind::Run, &json!({})).unwrap();
        assert_eq!(report_session(&journal, None).unwrap().id, config);
        assert_eq!(report_session(&journal, Some(bisect)).unwrap().id, bisect);
        let missing = report_session(&journal, Some(99)).unwrap_err();
        assert!(missing.is_bad_input() && missing.to_string().starts_with("no session 99 in"));
    }
}
