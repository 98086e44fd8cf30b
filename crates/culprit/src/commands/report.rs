//! `culprit report`: a finished session as Markdown, JSON, JUnit XML or an HTML page.

use crate::commands::output::print_all;
use anyhow::{Context, Result};
use culprit_hunt::workspace::Workspace;
use culprit_report::session_choice::report_session;
use culprit_report::{render, Format, Material};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct ReportArgs {
    /// The session (default: the newest bisection, or the newest session of any kind).
    pub session: Option<i64>,
    /// The configuration (default: ./culprit.toml).
    #[arg(short = 'f', long = "file")]
    pub file: Option<PathBuf>,
    /// What to write.
    #[arg(long, value_enum, default_value = "md")]
    pub format: Format,
    /// Write the report to FILE instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
}

pub fn run(args: ReportArgs) -> Result<u8> {
    let ws = Workspace::load(args.file.as_deref())?;
    let journal = ws.journal_read_only()?;
    let session = report_session(&journal, args.session)?;
    let material = Material {
        steps: journal.steps(session.id)?,
        session,
        base: std::env::current_dir().unwrap_or_default(),
    };
    let text = render(args.format, &material)?;
    match &args.output {
        Some(path) => std::fs::write(path, text)
            .with_context(|| format!("cannot write the report to {}", path.display()))?,
        None => print_all(text.as_bytes())?,
    }
    Ok(0)
}
