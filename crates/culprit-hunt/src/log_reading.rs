//! `culprit classify`'s decisions: which markers a log is read with (a test of the
//! tree's culprit.toml, so that a log reads as the hunt read it, or the ones given on the
//! command line), what one log's verdict looks like as a document, and the exit code of
//! several logs for `git bisect run`.

use crate::error::{Context, HuntError, Result};
use crate::manifest::Manifest;
use crate::results::RunView;
use culprit_console::{Classification, Classifier, Rules, StageMarker};
use serde::Serialize;
use std::path::Path;

/// The markers given on the command line.
#[derive(Clone, Debug, Default)]
pub struct Markers {
    pub success: Vec<String>,
    pub failure: Vec<String>,
    /// `NAME=TEXT`, in boot order.
    pub stages: Vec<String>,
    /// Read build logs (compiler and linker errors) rather than consoles.
    pub build: bool,
    /// The test of culprit.toml whose markers to read with.
    pub test: Option<String>,
}

/// The rules to read logs with, and the test of the culprit.toml at `manifest` (in the
/// tree `root`) they came from: none when the command line's markers are used.
pub fn rules_for(
    markers: &Markers,
    manifest: &Path,
    root: &Path,
) -> Result<(Rules, Option<String>)> {
    if let Some((rules, test)) = tree_rules(markers, manifest, root)? {
        return Ok((rules, Some(test)));
    }
    let mut rules = if markers.build {
        Rules::build()
    } else {
        Rules::boot()
    };
    rules.success = markers.success.clone();
    rules.failure = markers.failure.clone();
    for stage in &markers.stages {
        let Some((name, marker)) = stage.split_once('=') else {
            return Err(HuntError::BadInput(format!(
                "--stage `{stage}`: write it as NAME=TEXT, e.g. --stage banner='Booting toyos'"
            )));
        };
        rules.stages.push(StageMarker {
            name: name.to_string(),
            marker: marker.to_string(),
        });
    }
    Classifier::new(&rules).context("invalid --failure or --stage pattern")?;
    Ok((rules, None))
}

/// The markers of a test of the culprit.toml at `path`, when the command line gives none
/// (or names the test).
fn tree_rules(markers: &Markers, path: &Path, root: &Path) -> Result<Option<(Rules, String)>> {
    let explicit =
        !markers.success.is_empty() || !markers.failure.is_empty() || !markers.stages.is_empty();
    if markers.build || (explicit && markers.test.is_none()) || !path.is_file() {
        if let Some(test) = &markers.test {
            return Err(HuntError::BadInput(format!(
                "--test {test}: there is no culprit.toml here to read its markers from"
            )));
        }
        return Ok(None);
    }
    let manifest = Manifest::load(path, root).context(
        "cannot read ./culprit.toml for its markers; fix it, or give --success/--stage yourself",
    )?;
    let test = match &markers.test {
        Some(name) => manifest.test(name).with_context(|| {
            format!(
                "--test {name}: culprit.toml has no such test (it has: {})",
                manifest.test_names()
            )
        })?,
        None => match manifest.tests.first() {
            Some(test) => test,
            None => return Ok(None),
        },
    };
    Ok(Some((test.rules(), test.name.clone())))
}

/// One log as `classify --json` shows it: the run, and what the console crate says of
/// the failure's identity (its other titles, and whether the report was too damaged to
/// name a function).
#[derive(Clone, Debug, Serialize)]
pub struct LogView {
    #[serde(flatten)]
    pub run: RunView,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub alternatives: Vec<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub corrupted: bool,
}

impl LogView {
    /// The view of the log `name`, read as `classification`.
    pub fn of(name: &str, classification: &Classification) -> LogView {
        let signature = classification.outcome.signature();
        LogView {
            run: RunView {
                name: name.to_string(),
                outcome: classification.outcome.word().to_string(),
                title: classification.outcome.title(),
                kind: signature.map(|s| s.kind.as_str().to_string()),
                stage: classification.stage.clone(),
                duration_s: None,
                log: name.to_string(),
                cases: classification.cases.clone(),
                excerpt: None,
            },
            alternatives: signature.map_or_else(Vec::new, |s| s.alternatives.clone()),
            corrupted: signature.is_some_and(|s| s.corrupted),
        }
    }
}

/// Combines exit codes as `git bisect run` would want: a failure anywhere is bad,
/// otherwise an untestable log makes the whole untestable.
pub fn worse(a: u8, b: i32) -> u8 {
    let b = u8::try_from(b).unwrap_or(1);
    match (a, b) {
        (1, _) | (_, 1) => 1,
        (125, _) | (_, 125) => 125,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workspace::CONFIG_FILE;

    #[test]
    fn a_failure_anywhere_is_bad_and_an_untestable_log_is_untestable_otherwise() {
        assert_eq!(worse(0, 0), 0);
        assert_eq!(worse(0, 125), 125);
        assert_eq!(worse(125, 1), 1);
        assert_eq!(worse(1, 125), 1);
        assert_eq!(worse(0, 300), 1);
    }

    #[test]
    fn the_command_lines_markers_make_the_rules_outside_a_tree() {
        let dir = tempfile::tempdir().unwrap();
        let markers = Markers {
            success: vec!["DONE".into()],
            stages: vec!["banner=Booting toyos".into()],
            ..Markers::default()
        };
        let toml = dir.path().join(CONFIG_FILE);
        let (rules, test) = rules_for(&markers, &toml, dir.path()).unwrap();
        assert_eq!(test, None);
        assert_eq!(rules.success, vec!["DONE".to_string()]);
        assert_eq!(rules.stages[0].name, "banner");
        assert_eq!(rules.stages[0].marker, "Booting toyos");
        let bad = Markers {
            stages: vec!["banner".into()],
            ..Markers::default()
        };
        let err = rules_for(&bad, &toml, dir.path()).unwrap_err();
        assert!(
            err.is_bad_input() && err.to_string().contains("NAME=TEXT"),
            "{err}"
        );
        let named = Markers {
            test: Some("boot".into()),
            ..Markers::default()
        };
        assert!(rules_for(&named, &toml, dir.path()).is_err_and(|e| e.is_bad_input()));
    }

    #[test]
    fn a_trees_test_gives_its_markers_unless_the_command_line_gives_others() {
        let dir = tempfile::tempdir().unwrap();
        let toml = dir.path().join(CONFIG_FILE);
        std::fs::write(
            &toml,
            "[[test]]\nname = \"boot\"\ncommand = \"true\"\nsuccess = [\"ALL TESTS PASSED\"]\n",
        )
        .unwrap();
        let (rules, test) = rules_for(&Markers::default(), &toml, dir.path()).unwrap();
        assert_eq!(test.as_deref(), Some("boot"));
        assert_eq!(rules.success, vec!["ALL TESTS PASSED".to_string()]);
        let own = Markers {
            success: vec!["DONE".into()],
            ..Markers::default()
        };
        let (rules, test) = rules_for(&own, &toml, dir.path()).unwrap();
        assert_eq!((test, rules.success), (None, vec!["DONE".to_string()]));
        let missing = Markers {
            test: Some("smp".into()),
            ..Markers::default()
        };
        let err = rules_for(&missing, &toml, dir.path()).unwrap_err();
        assert!(
            err.to_string().contains("no such test (it has: boot)"),
            "{err}"
        );
    }
}
