//! The user's tree as culprit's worktrees see it: the `[tree]` section, the files it
//! copies into every worktree, and the untracked files a worktree would lack.
//!
//! A worktree holds only what git tracks at the candidate. A `.config` that was never
//! committed, a firmware blob the boot command names, a local settings file: each is
//! silently absent there, and every candidate fails the same way. `[tree] copy` names
//! such files; culprit copies them after every checkout (a reused worktree was cleaned
//! of them), and warns before the first step about the ones it can see are missing.

use crate::config::Config;
use crate::error::{Context, Result};
use culprit_exec::git::Repo;
use serde::{Deserialize, Deserializer};
use std::path::{Component, Path, PathBuf};

/// The most missing files one warning names.
const MAX_NAMED: usize = 8;

/// `tree`: a directory (`tree = "sub"`), or a `[tree]` table with `dir` and `copy`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TreeSection {
    /// The directory `{tree}` stands for, relative to culprit.toml's directory.
    pub dir: Option<PathBuf>,
    /// Files and directories (relative to the tree) copied into every worktree.
    pub copy: Vec<PathBuf>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TreeTable {
    dir: Option<PathBuf>,
    #[serde(default)]
    copy: Vec<PathBuf>,
}

impl<'de> Deserialize<'de> for TreeSection {
    fn deserialize<D: Deserializer<'de>>(de: D) -> Result<TreeSection, D::Error> {
        use serde::de::Error;
        match toml::Value::deserialize(de)? {
            toml::Value::String(dir) => Ok(TreeSection {
                dir: Some(PathBuf::from(dir)),
                copy: Vec::new(),
            }),
            table @ toml::Value::Table(_) => {
                let table: TreeTable = table.try_into().map_err(|err: toml::de::Error| {
                    D::Error::custom(format!(
                        "[tree]: {}; it takes `dir` (the tree's directory) and `copy` (files to copy into every worktree)",
                        err.message().trim()
                    ))
                })?;
                Ok(TreeSection {
                    dir: table.dir,
                    copy: table.copy,
                })
            }
            other => Err(D::Error::custom(format!(
                "`tree` is a {}; give a directory (`tree = \"sub\"`) or a [tree] table with `dir` and `copy`",
                other.type_str()
            ))),
        }
    }
}

/// Checks each `copy` entry: a relative path that stays inside the tree (each worker
/// writes its own copy in its worktree) and exists in `tree` now.
pub fn check_copies(copy: &[PathBuf], tree: &Path) -> std::result::Result<(), String> {
    for path in copy {
        let escapes = path.components().any(|c| {
            matches!(
                c,
                Component::RootDir | Component::Prefix(_) | Component::ParentDir
            )
        });
        if escapes || path.as_os_str().is_empty() {
            return Err(format!(
                "[tree] `copy` holds `{}`: give a path inside the tree, relative to it (like \".config\"), \
                 since every worktree gets its own copy there",
                path.display()
            ));
        }
        if std::fs::metadata(tree.join(path)).is_err() {
            return Err(format!(
                "[tree] `copy` holds `{}`, which does not exist in {}: create it, or take it out of the list",
                path.display(),
                tree.display()
            ));
        }
    }
    Ok(())
}

/// Copies the `[tree] copy` files from the user's tree (in `root`) into the worktree
/// at `checkout`, over whatever the candidate has there.
pub fn copy_into(config: &Config, root: &Path, checkout: &Path) -> Result<()> {
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
pub fn missing_in_worktrees(config: &Config, repo: &Repo, config_written: bool) -> Vec<String> {
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

    #[test]
    fn copies_stay_inside_the_tree_and_exist() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(".config"), "CONFIG_X=y\n").unwrap();
        assert!(check_copies(&[".config".into()], dir.path()).is_ok());
        for (bad, says) in [
            ("../.config", "inside the tree"),
            ("/etc/passwd", "inside the tree"),
            ("", "inside the tree"),
            ("fw.bin", "does not exist"),
        ] {
            let err = check_copies(&[PathBuf::from(bad)], dir.path()).unwrap_err();
            assert!(err.contains(says), "{bad}: {err}");
        }
    }
}
