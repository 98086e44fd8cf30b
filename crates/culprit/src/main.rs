//! `culprit`: finds the commit, configuration option or artifact that broke a kernel or
//! firmware build or boot.

mod commands;
mod progress;
mod story;
mod view;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "culprit", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Keep the journal, logs, worktrees and build directories in DIR instead of
    /// `.culprit/` next to culprit.toml (the same as CULPRIT_STATE=DIR).
    #[arg(long, global = true, value_name = "DIR")]
    state: Option<std::path::PathBuf>,
}

#[derive(Subcommand)]
enum Command {
    /// Write a culprit.toml for this tree (Linux, Zephyr or a skeleton) and say what it guessed.
    Init(commands::init::InitArgs),
    /// Run one step (build, then every test) on the working tree or at --rev.
    Run(commands::run::RunArgs),
    /// Find the commit (or artifact) that introduced a failure.
    Bisect(commands::bisect::BisectArgs),
    /// Show the steps of a session (default: the newest) from the journal.
    Log(commands::log::LogArgs),
    /// Find which configuration options make each test fail.
    BisectConfig(commands::bisect_config::BisectConfigArgs),
    /// Write a session's report: Markdown, JSON, JUnit XML or a self-contained HTML page.
    Report(commands::report::ReportArgs),
    /// Read console or build logs and say what happened.
    Classify(commands::classify::ClassifyArgs),
    /// Run the bundled example end to end: a commit hunt, then a configuration hunt.
    Demo(commands::demo::DemoArgs),
    /// Inspect object files and images: sections, relocations, globals, duplicates, diffs.
    #[command(subcommand)]
    Elf(commands::elf::ElfCommand),
    /// Evaluate Kconfig trees natively: check fragments, explain a value, normalize, diff.
    #[command(subcommand)]
    Kconfig(commands::kconfig::KconfigCommand),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            return ExitCode::from(if err.use_stderr() { 2 } else { 0 });
        }
    };
    if let Some(dir) = &cli.state {
        // Read back by every command that opens a workspace; set before any thread starts.
        std::env::set_var(culprit_hunt::workspace::STATE_ENV, dir);
    }
    let result = match cli.command {
        Command::Init(args) => commands::init::run(args),
        Command::Run(args) => commands::run::run(args),
        Command::Bisect(args) => commands::bisect::run(args),
        Command::Log(args) => commands::log::run(args),
        Command::BisectConfig(args) => commands::bisect_config::run(args),
        Command::Report(args) => commands::report::run(args),
        Command::Classify(args) => commands::classify::run(args),
        Command::Demo(args) => commands::demo::run(args),
        Command::Elf(cmd) => commands::elf::run(cmd),
        Command::Kconfig(cmd) => commands::kconfig::run(cmd),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            eprintln!("culprit: {err:#}");
            ExitCode::from(2)
        }
    }
}
