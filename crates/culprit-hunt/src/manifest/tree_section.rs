//! The `[tree]` section of culprit.toml: which directory `{tree}` is, and the files every
//! worktree gets copied in, read and checked when culprit.toml is loaded.

use serde::{Deserialize, Deserializer};
use std::path::{Component, Path, PathBuf};

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

#[cfg(test)]
mod tests {
    use super::*;

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
