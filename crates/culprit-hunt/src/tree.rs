//! The user's tree as culprit's worktrees see it: the files the `[tree]` section
//! copies into every worktree, and the untracked files a worktree would lack.
//!
//! A worktree holds only what git tracks at the candidate. A `.config` that was never
//! committed, a firmware blob the boot command names, a local settings file: each is
//! silently absent there, and every candidate fails the same way. `[tree] copy` names
//! such files; culprit copies them after every checkout (a reused worktree was cleaned
//! of them), and warns before the first step about the ones it can see are missing.

use crate::error::{Context, Result};
use crate::manifest::Manifest;
use culprit_exec::git::Repo;
use std::path::{Path, PathBuf};

/// The most missing files one warning names.
const MAX_NAMED: usize = 8;

/// Copies the `[tree] copy` files from the user's tree (in `root`) into the worktree
/// at `checkout`, over whatever the candidate has there.
pub fn copy_into(config: &Manifest, root: &Path, checkout: &Path) -> Result<()> {
    let from = config.tree_in(root);
    let to = config.tree_in(checkout);
    for path in &config.copy {
        copy_path(&from.join(path), &to.join(path)).with_context(|| {
            format!(
                "cannot copy {} into the worktree {} ([tree] copy); check that it is readable",
                from.join(path).display(),
                checkout.display()
            )
        })?;
    }
    Ok(())
}

/// What the `[tree] copy` files in the user's tree (in `root`) are now: each file's path,
/// size and modification time. A worker's kept build (see `crate::kept_build`) is of
/// the copies its checkout got, so it holds only while this stays the same.
pub fn copy_stamp(config: &Manifest, root: &Path) -> String {
    let from = config.tree_in(root);
    let mut stamp = String::new();
    for path in &config.copy {
        stamp_path(&from.join(path), &mut stamp);
    }
    stamp
}

fn stamp_path(path: &Path, stamp: &mut String) {
    let Ok(meta) = std::fs::metadata(path) else {
        stamp.push_str(&format!("{} missing;", path.display()));
        return;
    };
    if meta.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
            .map(|dir| dir.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        entries.sort();
        for entry in entries {
            stamp_path(&entry, stamp);
        }
        return;
    }
    let modified = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    stamp.push_str(&format!("{} {} {modified};", path.display(), meta.len()));
}

fn copy_path(from: &Path, to: &Path) -> std::io::Result<()> {
    if let Some(parent) = to.parent() {
        std::fs::create_dir_all(parent)?;
    }
    if from.is_dir() {
        std::fs::create_dir_all(to)?;
        for entry in std::fs::read_dir(from)? {
            let entry = entry?;
            copy_path(&entry.path(), &to.join(entry.file_name()))?;
        }
        return Ok(());
    }
    if std::fs::symlink_metadata(to).is_ok_and(|m| m.is_dir()) {
        std::fs::remove_dir_all(to)?;
    }
    std::fs::copy(from, to).map(|_| ())
}

/// Files the worktrees will lack: present in the user's tree, untracked there, not in
/// `[tree] copy`, and named by a command or as the `[config] file` (unless the hunt
/// writes that itself: `config_written`). Each with who needs it, at most a few.
pub fn missing_in_worktrees(config: &Manifest, repo: &Repo, config_written: bool) -> Vec<String> {
    let tree = config.tree_in(repo.root());
    let mut wanted: Vec<(PathBuf, String)> = Vec::new();
    if let Some(section) = config.config.as_ref().filter(|_| !config_written) {
        wanted.push((section.file.clone(), "the [config] file".into()));
    }
    let commands = config
        .build
        .iter()
        .map(|b| ("the build".to_string(), &b.command))
        .chain(
            config
                .config
                .iter()
                .filter_map(|c| c.normalize.as_ref())
                .map(|n| ("the normalizer".to_string(), n)),
        )
        .chain(
            config
                .tests
                .iter()
                .map(|t| (format!("test `{}`", t.name), &t.command)),
        );
    for (owner, command) in commands {
        for path in named_paths(command) {
            if !wanted.iter().any(|(p, _)| *p == path) {
                wanted.push((path, format!("named by {owner}")));
            }
        }
    }
    let mut missing = Vec::new();
    for (path, why) in wanted {
        let copied = config.copy.iter().any(|c| path.starts_with(c));
        if copied || !tree.join(&path).is_file() || tracked(repo, &tree.join(&path)) {
            continue;
        }
        missing.push(format!("{} ({why})", path.display()));
        if missing.len() == MAX_NAMED {
            break;
        }
    }
    missing
}

/// Words of a command that look like paths relative to the tree: `{tree}/x`, `./x`,
/// or a word with a slash or a dot that is not an option or a variable.
fn named_paths(command: &str) -> Vec<PathBuf> {
    command
        .split(|c: char| c.is_whitespace() || ";|&<>()'\"`=,".contains(c))
        .filter_map(|word| {
            let word = word
                .strip_prefix("{tree}/")
                .or_else(|| word.strip_prefix("./"))
                .unwrap_or(word);
            let plausible = !word.is_empty()
                && !word.starts_with(['-', '$', '{', '/'])
                && !word.contains("..")
                && (word.contains('/') || word.contains('.'));
            plausible.then(|| PathBuf::from(word))
        })
        .collect()
}

fn tracked(repo: &Repo, path: &Path) -> bool {
    let path = path.to_string_lossy();
    repo.git(&["ls-files", "--error-unmatch", "--", &path])
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_name_the_paths_a_user_would_see_in_them() {
        let paths = named_paths(
            "make -C {tree} O=build; qemu -kernel {tree}/build/vmlinuz -initrd ./rootfs.cpio \
             -append 'console=ttyS0' -drive file=fw/board.bin,if=pflash -m 512 $HOME/x /usr/bin/y ../z",
        );
        let paths: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        assert_eq!(
            paths,
            ["build/vmlinuz", "rootfs.cpio", "fw/board.bin"],
            "{paths:?}"
        );
    }
}
