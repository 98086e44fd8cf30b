//! `culprit kconfig`: culprit's own Kconfig evaluator on a tree (Linux, Zephyr-style,
//! toyos), before any build: which requested values will not apply and why, where a
//! value comes from, the effective configuration, and the effective difference between
//! two configurations.
//!
//! Exit codes: 0 when the command did its job (`check`: everything applies), 1 when
//! `check` found requests that will not apply, 2 for bad input (a malformed Kconfig
//! file or configuration, with file:line).

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::commands::output::{json_line, print_document};
use anyhow::Context;
use culprit_kconfig::kconfig::{effective_diff, open_tree, Input, OpenTree, PROBE_CACHE_DIR};
use serde::Serialize;

#[derive(clap::Args)]
pub struct TreeArgs {
    /// The tree's top directory (the one with the top `Kconfig`).
    #[arg(long, default_value = ".")]
    tree: PathBuf,
    /// Linux trees only: the `ARCH` to configure for (default: this machine's).
    /// `CROSS_COMPILE` and `CC` come from the environment, as with make.
    #[arg(long)]
    arch: Option<String>,
}

#[derive(clap::Subcommand)]
pub enum KconfigCommand {
    /// Every assignment of the fragments that will not apply, and why (exit 1 if any).
    Check {
        /// `.config` files or fragments, merged in order (later ones win).
        #[arg(required = true)]
        fragments: Vec<PathBuf>,
        #[command(flatten)]
        tree: TreeArgs,
        #[arg(long)]
        json: bool,
    },
    /// The value of one option and the chain that gave it.
    Why {
        /// `CONFIG_X` or `X`.
        option: String,
        /// The configuration to evaluate (default: `.config` in the tree, if any).
        #[arg(long)]
        config: Vec<PathBuf>,
        #[command(flatten)]
        tree: TreeArgs,
        #[arg(long)]
        json: bool,
    },
    /// The effective configuration, written as `make olddefconfig` writes `.config`.
    Normalize {
        /// `.config` files or fragments, merged in order.
        #[arg(required = true)]
        configs: Vec<PathBuf>,
        #[arg(short = 'o', long)]
        output: PathBuf,
        #[command(flatten)]
        tree: TreeArgs,
    },
    /// The effective difference from A to B, with which requested change caused which
    /// dependent change.
    Diff {
        a: PathBuf,
        b: PathBuf,
        #[command(flatten)]
        tree: TreeArgs,
        #[arg(long)]
        json: bool,
    },
}

pub fn run(cmd: KconfigCommand) -> anyhow::Result<u8> {
    print_document(|out| match cmd {
        KconfigCommand::Check {
            fragments,
            tree,
            json,
        } => check(&fragments, &tree, json, out),
        KconfigCommand::Why {
            option,
            config,
            tree,
            json,
        } => why(&option, &config, &tree, json, out),
        KconfigCommand::Normalize {
            configs,
            output,
            tree,
        } => normalize(&configs, &output, &tree),
        KconfigCommand::Diff { a, b, tree, json } => diff(&a, &b, &tree, json, out),
    })
}

/// The tree's Kconfig, then the configurations at `paths` merged in order (later ones
/// win).
fn open(args: &TreeArgs, paths: &[PathBuf]) -> anyhow::Result<(OpenTree, Input)> {
    let env: HashMap<String, String> = std::env::vars().collect();
    let probes = culprit_hunt::workspace::state_dir_of(&args.tree).join(PROBE_CACHE_DIR);
    let tree = open_tree(&args.tree, args.arch.as_deref(), &env, Some(&probes))
        .with_context(|| format!("reading the Kconfig tree in {}", args.tree.display()))?;
    Ok((tree, read_input(paths)?))
}

fn read_input(paths: &[PathBuf]) -> anyhow::Result<Input> {
    let mut input = Input::default();
    for path in paths {
        input.read(path, true)?;
    }
    Ok(input)
}

fn check(
    fragments: &[PathBuf],
    args: &TreeArgs,
    json: bool,
    out: &mut Vec<u8>,
) -> anyhow::Result<u8> {
    let (tree, input) = open(args, fragments)?;
    let mut evaluation = tree.kconfig.olddefconfig_as(&input, tree.semantics);
    let unapplied = evaluation.unapplied();
    if json {
        #[derive(Serialize)]
        struct Check<'a> {
            requested: usize,
            unapplied: &'a [culprit_kconfig::kconfig::Unapplied],
        }
        json_line(
            out,
            &Check {
                requested: input.assignments.len(),
                unapplied: &unapplied,
            },
        )?;
    } else if unapplied.is_empty() {
        writeln!(out, "all {} assignments apply", input.assignments.len())?;
    } else {
        for u in &unapplied {
            writeln!(out, "{u}")?;
        }
    }
    Ok(u8::from(!unapplied.is_empty()))
}

fn why(
    option: &str,
    configs: &[PathBuf],
    args: &TreeArgs,
    json: bool,
    out: &mut Vec<u8>,
) -> anyhow::Result<u8> {
    let default = args.tree.join(".config");
    let configs: Vec<PathBuf> = if configs.is_empty() && default.is_file() {
        vec![default]
    } else {
        configs.to_vec()
    };
    let (tree, input) = open(args, &configs)?;
    let mut evaluation = tree.kconfig.olddefconfig_as(&input, tree.semantics);
    let name = option.strip_prefix("CONFIG_").unwrap_or(option);
    let Some(explanation) = evaluation.explain(name) else {
        anyhow::bail!(
            "no Kconfig file of {} defines {option}",
            args.tree.display()
        );
    };
    if json {
        json_line(out, &explanation)?;
    } else {
        writeln!(out, "{explanation}")?;
    }
    Ok(0)
}

fn normalize(configs: &[PathBuf], output: &Path, args: &TreeArgs) -> anyhow::Result<u8> {
    let (tree, input) = open(args, configs)?;
    let evaluation = tree.kconfig.olddefconfig_as(&input, tree.semantics);
    std::fs::write(output, evaluation.dot_config())
        .with_context(|| format!("writing {}", output.display()))?;
    Ok(0)
}

fn diff(a: &Path, b: &Path, args: &TreeArgs, json: bool, out: &mut Vec<u8>) -> anyhow::Result<u8> {
    let (tree, input_a) = open(args, &[a.to_owned()])?;
    let input_b = read_input(&[b.to_owned()])?;
    let mut ea = tree.kconfig.olddefconfig_as(&input_a, tree.semantics);
    let mut eb = tree.kconfig.olddefconfig_as(&input_b, tree.semantics);
    let changes = effective_diff(&mut ea, &mut eb);
    if json {
        json_line(out, &changes)?;
        return Ok(0);
    }
    for c in &changes {
        let why = match (&c.requested_at, &c.dropped_at, c.caused_by.is_empty()) {
            (Some(at), _, _) => format!("requested at {at}"),
            (None, Some(at), _) => format!("no longer requested as at {at}"),
            (None, None, false) => format!("follows from {}", c.caused_by.join(", ")),
            (None, None, true) => "follows from the other changes".to_owned(),
        };
        writeln!(out, "{}: {} -> {} ({why})", c.option, c.before, c.after)?;
    }
    if changes.is_empty() {
        writeln!(out, "no effective difference")?;
    }
    Ok(0)
}
