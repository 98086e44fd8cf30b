//! `culprit classify`: read console or build logs and say what happened.

use anyhow::Result;
use culprit_console::Rules;
use culprit_hunt::log_file::classify_log;
use culprit_hunt::log_reading::{rules_for, worse, LogView, Markers};
use culprit_hunt::workspace::CONFIG_FILE;
use std::path::Path;

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

pub fn run(args: ClassifyArgs) -> Result<u8> {
    let markers = Markers {
        success: args.success.clone(),
        failure: args.failure.clone(),
        stages: args.stages.clone(),
        build: args.build,
        test: args.test.clone(),
    };
    let (rules, test) = rules_for(&markers, Path::new(CONFIG_FILE), Path::new("."))?;
    if let Some(test) = test {
        eprintln!("reading with the markers of test `{test}` from culprit.toml");
    }
    classify_all(&args, &rules)
}

fn classify_all(args: &ClassifyArgs, rules: &Rules) -> Result<u8> {
    let mut views = Vec::new();
    let mut code = 0u8;
    for log in &args.logs {
        let classification = classify_log(log, rules, args.binary_ok)?;
        code = worse(code, classification.outcome.bisect_exit_code());
        let view = LogView::of(log, &classification);
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
