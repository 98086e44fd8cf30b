//! `culprit classify`: read console or build logs and say what happened.

use anyhow::{bail, Context, Result};
use culprit_console::{Classifier, Mode, Rules, StageMarker};
use culprit_hunt::log_file::classify_log;
use culprit_hunt::manifest::Manifest;
use culprit_hunt::results::RunView;
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
pub struct ClassifyArgs {
    /// Log files to read; `-` reads standard input.
    #[arg(required = true)]
    pub logs: Vec<String>,
    /// Print one JSON document (an object for one log, an array for several).
    #[arg(long)]
    pub json: bool,
    /// Exit 0 for pass, 1 for fail or hang, 125 for build or infra errors, so the
    /// command can serve inside `git bisect run`.
    #[arg(long)]
    pub exit_code: bool,
    /// A success marker (repeatable); without one, a log that ends quietly is a hang.
    #[arg(long = "success")]
    pub success: Vec<String>,
    /// An extra failure pattern, a regular expression (repeatable).
    #[arg(long = "failure")]
    pub failure: Vec<String>,
    /// A boot stage marker as NAME=TEXT (repeatable, in boot order).
    #[arg(long = "stage")]
    pub stages: Vec<String>,
    /// Read the logs as build logs (compiler and linker errors).
    #[arg(long)]
    pub build: bool,
    /// Classify even a file that looks binary rather than like console text.
    #[arg(long)]
    pub binary_ok: bool,
    /// Read with the markers of this test of ./culprit.toml (default: its first
    /// test, when no --success, --failure or --stage is given).
    #[arg(long)]
    pub test: Option<String>,
}

/// The markers of a test of `./culprit.toml`, when the command line gives none: a
/// log read in the tree it came from reads as the hunt read it.
fn tree_rules(args: &ClassifyArgs) -> Result<Option<Rules>> {
    let explicit = !args.success.is_empty() || !args.failure.is_empty() || !args.stages.is_empty();
    let path = PathBuf::from("culprit.toml");
    if args.build || (explicit && args.test.is_none()) || !path.is_file() {
        if let Some(test) = &args.test {
            bail!("--test {test}: there is no culprit.toml here to read its markers from");
        }
        return Ok(None);
    }
    let config = Manifest::load(&path, Path::new(".")).context(
        "cannot read ./culprit.toml for its markers; fix it, or give --success/--stage yourself",
    )?;
    let test = match &args.test {
        Some(name) => config.test(name).with_context(|| {
            format!(
                "--test {name}: culprit.toml has no such test (it has: {})",
                config.test_names()
            )
        })?,
        None => match config.tests.first() {
            Some(test) => test,
            None => return Ok(None),
        },
    };
    eprintln!(
        "reading with the markers of test `{}` from culprit.toml",
        test.name
    );
    Ok(Some(test.rules()))
}

pub fn run(args: ClassifyArgs) -> Result<u8> {
    if let Some(rules) = tree_rules(&args)? {
        return classify_all(&args, &rules);
    }
    let mut rules = if args.build {
        Rules::build()
    } else {
        Rules::boot()
    };
    rules.mode = if args.build { Mode::Build } else { Mode::Boot };
    rules.success = args.success.clone();
    rules.failure = args.failure.clone();
    for stage in &args.stages {
        let Some((name, marker)) = stage.split_once('=') else {
            bail!("--stage `{stage}`: write it as NAME=TEXT, e.g. --stage banner='Booting toyos'");
        };
        rules.stages.push(StageMarker {
            name: name.to_string(),
            marker: marker.to_string(),
        });
    }
    Classifier::new(&rules).context("invalid --failure or --stage pattern")?;
    classify_all(&args, &rules)
}

/// One log as `classify --json` shows it: the run, and what the console crate
/// says of the failure's identity (its other titles, and whether the report was
/// too damaged to name a function).
#[derive(serde::Serialize)]
struct LogView {
    #[serde(flatten)]
    run: RunView,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    alternatives: Vec<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    corrupted: bool,
}

fn classify_all(args: &ClassifyArgs, rules: &Rules) -> Result<u8> {
    let mut views = Vec::new();
    let mut code = 0u8;
    for log in &args.logs {
        let classification = classify_log(log, rules, args.binary_ok)?;
        let view = RunView {
            name: log.clone(),
            outcome: classification.outcome.word().to_string(),
            title: classification.outcome.title(),
            kind: classification
                .outcome
                .signature()
                .map(|s| s.kind.as_str().to_string()),
            stage: classification.stage.clone(),
            duration_s: None,
            log: log.clone(),
            cases: classification.cases.clone(),
            excerpt: None,
        };
        code = worse(code, classification.outcome.bisect_exit_code());
        let signature = classification.outcome.signature();
        let view = LogView {
            run: view,
            alternatives: signature.map_or_else(Vec::new, |s| s.alternatives.clone()),
            corrupted: signature.is_some_and(|s| s.corrupted),
        };
        if !args.json {
            let mut detail = view
                .run
                .title
                .clone()
                .unwrap_or_else(|| format!("stage {}", view.run.stage));
            if view.corrupted {
                detail.push_str("; corrupted report");
            }
            if !view.alternatives.is_empty() {
                detail.push_str(&format!("; also {}", view.alternatives.join(", ")));
            }
            println!("{}: {} ({detail})", log, view.run.outcome);
        }
        views.push(view);
    }
    if args.json {
        let doc = if views.len() == 1 {
            serde_json::to_string_pretty(&views[0])?
        } else {
            serde_json::to_string_pretty(&views)?
        };
        println!("{doc}");
    }
    Ok(if args.exit_code { code } else { 0 })
}

/// Combines exit codes as `git bisect run` would want: a failure anywhere is bad,
/// otherwise an untestable log makes the whole untestable.
fn worse(a: u8, b: i32) -> u8 {
    let b = u8::try_from(b).unwrap_or(1);
    match (a, b) {
        (1, _) | (_, 1) => 1,
        (125, _) | (_, 125) => 125,
        _ => 0,
    }
}
