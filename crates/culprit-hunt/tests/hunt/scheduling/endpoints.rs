//! Endpoints that do not behave as stated: told apart by the kind of error.

use super::{hunt, id, verdict};
use culprit_console::Outcome;
use culprit_hunt::executor::fake::{step_showing, Scripted};
use culprit_hunt::HuntError;
use std::sync::Arc;

/// Endpoints that do not behave as stated are told apart by kind, not by wording: a bad
/// endpoint without the failure, a good endpoint that shows it.
#[test]
fn endpoints_that_do_not_behave_as_stated_are_typed_errors() {
    let dir = tempfile::tempdir().unwrap();
    let passing = hunt(dir.path(), 40, 2, Arc::default(), |_, _, _| Scripted {
        seconds: 1.0,
        result: step_showing(&[("boot", Outcome::Pass)]),
    });
    assert!(
        matches!(
            &passing.error,
            Some(HuntError::NothingToHunt { revision, explicit_target: false, .. }) if revision == &id(39)
        ),
        "{:?}",
        passing.error
    );
    let dir = tempfile::tempdir().unwrap();
    let failing = hunt(dir.path(), 40, 2, Arc::default(), |_, job, _| Scripted {
        seconds: 1.0,
        result: step_showing(&[("boot", verdict(0, job))]),
    });
    assert!(
        matches!(&failing.error, Some(HuntError::GoodFails { revision, verdict }) if revision == &id(0) && verdict == "bad"),
        "{:?}",
        failing.error
    );
    assert!(failing.error.as_ref().is_some_and(HuntError::is_bad_input));
}
