//! The files `culprit init` makes besides `culprit.toml` for a Linux tree: the boot
//! test's initramfs, the base configuration, and the repository's `info/exclude` line
//! that keeps the generated initramfs from making the tree dirty.

use crate::initramfs;
use crate::plan::{BaseConfig, LinuxPlan, BASE_CONFIG_FILE, INITRAMFS_FILE};
use std::path::Path;
use std::process::Command;

/// What went wrong while making a file, with what to do about it.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct InitError(pub(crate) String);

type Result<T> = std::result::Result<T, InitError>;

/// `what` failed with `err`: the message names both.
pub(crate) fn failed(what: impl std::fmt::Display) -> impl FnOnce(std::io::Error) -> InitError {
    move |err| InitError(format!("{what}: {err}"))
}

/// Makes the initramfs and the base configuration of a Linux tree; returns notes to
/// show (an option the tree's Kconfig did not keep).
pub fn make_linux_files(
    linux: &LinuxPlan,
    home: &Path,
    dot_config: Option<&str>,
) -> Result<Vec<String>> {
    make_initramfs(linux, home)?;
    let out = home.join(BASE_CONFIG_FILE);
    let mut notes = Vec::new();
    let text = match (&linux.base, dot_config) {
        (BaseConfig::TreeConfig, Some(text)) => text.to_string(),
        (BaseConfig::TreeConfig, None) => {
            return Err(InitError(
                "the tree's .config vanished while culprit init ran".into(),
            ))
        }
        (BaseConfig::Tiny(options), _) => tiny_config(linux, home, options, &mut notes)?,
    };
    std::fs::write(&out, text).map_err(failed(format!("cannot write {}", out.display())))?;
    Ok(notes)
}

/// Lists `home/file` in the repository's `info/exclude` (local to this clone, unlike a
/// `.gitignore`), once.
pub fn exclude_generated(home: &Path, root: &Path, file: &str) -> Result<()> {
    let out = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["rev-parse", "--git-path", "info/exclude"])
        .output()
        .map_err(failed(
            "cannot run git to find the repository's info/exclude",
        ))?;
    if !out.status.success() {
        return Err(InitError(format!(
            "git cannot find the info/exclude of {}: {}",
            root.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    let exclude = root.join(String::from_utf8_lossy(&out.stdout).trim());
    let relative = home.strip_prefix(root).unwrap_or(Path::new("")).join(file);
    let pattern = format!("/{}", relative.display());
    let text = std::fs::read_to_string(&exclude).unwrap_or_default();
    if text.lines().any(|line| line == pattern) {
        return Ok(());
    }
    if let Some(dir) = exclude.parent() {
        std::fs::create_dir_all(dir).map_err(failed(format!("cannot create {}", dir.display())))?;
    }
    let separator = if text.is_empty() || text.ends_with('\n') {
        ""
    } else {
        "\n"
    };
    std::fs::write(&exclude, format!("{text}{separator}{pattern}\n"))
        .map_err(failed(format!("cannot write {}", exclude.display())))
}

/// Builds the static `/init` for the target and writes the initramfs.
fn make_initramfs(linux: &LinuxPlan, home: &Path) -> Result<()> {
    let scratch = tempfile::tempdir().map_err(failed("cannot create a temporary directory"))?;
    let source = scratch.path().join("init.c");
    let program = scratch.path().join("init");
    std::fs::write(&source, initramfs::INIT_SOURCE)
        .map_err(failed(format!("cannot write {}", source.display())))?;
    let (cc, cc_args) = linux
        .init_cc
        .split_first()
        .ok_or_else(|| InitError("no compiler for the init program".into()))?;
    let mut command = Command::new(cc);
    command
        .args(cc_args)
        .args(initramfs::INIT_CFLAGS)
        .arg(initramfs::marker_define())
        .arg("-o")
        .arg(&program)
        .arg(&source);
    checked(
        &mut command,
        &format!("compiling the initramfs' /init with {cc}"),
        &format!(
            "install a compiler for {} (Debian: gcc-{}), or set CROSS_COMPILE or LLVM=1",
            linux.arch.name,
            linux.arch.cross_compile.trim_end_matches('-')
        ),
    )?;
    let init = std::fs::read(&program).map_err(failed(format!(
        "cannot read the compiled {}",
        program.display()
    )))?;
    let out = home.join(INITRAMFS_FILE);
    std::fs::write(&out, initramfs::archive(&init))
        .map_err(failed(format!("cannot write {}", out.display())))
}

/// tinyconfig plus the boot options, normalized by the tree's Kconfig.
fn tiny_config(
    linux: &LinuxPlan,
    home: &Path,
    options: &[String],
    notes: &mut Vec<String>,
) -> Result<String> {
    let build = tempfile::tempdir().map_err(failed("cannot create a temporary directory"))?;
    let make = |target: &str| {
        let mut command = Command::new("make");
        command
            .arg("-C")
            .arg(home)
            .arg(format!("O={}", build.path().display()))
            .args(&linux.make_vars)
            .arg("-s")
            .arg(target);
        command
    };
    let fix = "run `make mrproper` if the source tree was configured or built in place";
    checked(&mut make("tinyconfig"), "make tinyconfig", fix)?;
    let config = build.path().join(".config");
    let mut text = std::fs::read_to_string(&config).map_err(failed(format!(
        "make tinyconfig left no {}",
        config.display()
    )))?;
    text.push_str("\n# culprit init: what the initramfs boot needs\n");
    for option in options {
        text.push_str(option);
        text.push('\n');
    }
    std::fs::write(&config, text).map_err(failed(format!("cannot write {}", config.display())))?;
    checked(&mut make("olddefconfig"), "make olddefconfig", fix)?;
    let effective = std::fs::read_to_string(&config)
        .map_err(failed(format!("cannot read {}", config.display())))?;
    let missing: Vec<&str> = options
        .iter()
        .filter(|o| !effective.lines().any(|l| l == o.as_str()))
        .map(String::as_str)
        .collect();
    if !missing.is_empty() {
        notes.push(format!(
            "this kernel's Kconfig did not keep {} in {BASE_CONFIG_FILE}; the boot may print nothing",
            missing.join(", ")
        ));
    }
    Ok(effective)
}

/// Runs a setup command, and on failure says what it was, its output and what to do.
fn checked(command: &mut Command, what: &str, fix: &str) -> Result<()> {
    let output = command
        .output()
        .map_err(failed(format!("{what}: cannot start it; {fix}")))?;
    if output.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    let tail: Vec<&str> = stderr.lines().rev().take(20).collect();
    let tail: Vec<&str> = tail.into_iter().rev().collect();
    Err(InitError(format!(
        "{what} failed ({}):\n{}\n{fix}",
        output.status,
        tail.join("\n")
    )))
}
