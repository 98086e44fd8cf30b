//! `culprit demo`: the bundled example, end to end, in a scratch repository.

use crate::history;
use anyhow::Result;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct DemoArgs {
    /// Where to create the scratch repository (default: a new directory under /tmp).
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// Commits in the generated history.
    #[arg(long, default_value_t = 200)]
    pub commits: usize,
    /// Only create the repository and print what was planted in it, as JSON.
    #[arg(long)]
    pub prepare_only: bool,
}

pub fn run(args: DemoArgs) -> Result<u8> {
    let dir = match &args.dir {
        Some(dir) => dir.clone(),
        None => std::env::temp_dir().join(format!("culprit-demo-{}", std::process::id())),
    };
    let planted = history::generate(&dir, args.commits)?;
    if args.prepare_only {
        println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "dir": dir,
                "good": planted.good,
                "bad": planted.bad,
                "culprit": planted.culprit,
                "unbuildable": planted.unbuildable,
                "crashing": planted.crashing,
                "commits": planted.commits,
            }))?
        );
    }
    Ok(0)
}
