//! Submodules in worktrees, at each candidate's recorded commits, without the network.
//!
//! A fresh worktree has empty submodule directories: a build that needs their content
//! fails on every candidate, and the hunt blames the good endpoint. So after each
//! checkout the submodules are brought to the commits the candidate records, cloned
//! from what this machine already has: the superproject's own `.git/modules/NAME` (the
//! user's checkout initialized it), else a URL that names a local repository. When
//! neither exists, culprit says so before the first step rather than guessing.

use super::{GitError, Repo};
use std::path::{Path, PathBuf};

/// One submodule as a commit's `.gitmodules` records it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Submodule {
    pub name: String,
    pub path: String,
    pub url: String,
}

impl Repo {
    /// The submodules `commit` records (none when it has no `.gitmodules`).
    pub fn submodules(&self, commit: &str) -> Result<Vec<Submodule>, GitError> {
        let blob = format!("{commit}:.gitmodules");
        if self.git(&["cat-file", "-e", &blob]).is_err() {
            return Ok(Vec::new());
        }
        let listing = self.git(&["config", "--blob", &blob, "--get-regexp", SUBMODULE_KEYS])?;
        Ok(parse(&listing))
    }

    /// Where `submodule` can be cloned from on this machine, if anywhere.
    pub fn offline_source(&self, submodule: &Submodule) -> Option<PathBuf> {
        let modules = self
            .common_dir()
            .ok()?
            .join("modules")
            .join(&submodule.name);
        if modules.is_dir() {
            return Some(modules);
        }
        let configured = self
            .git(&[
                "config",
                "--get",
                &format!("submodule.{}.url", submodule.name),
            ])
            .ok()
            .map(|url| url.trim().to_string());
        configured
            .iter()
            .chain(std::iter::once(&submodule.url))
            .find_map(|url| self.local_url(url))
    }

    /// Refuses, before any step, submodules of `commits` that cannot be checked out
    /// without the network.
    pub fn check_submodules_offline(&self, commits: &[&str]) -> Result<(), GitError> {
        for commit in commits {
            for submodule in self.submodules(commit)? {
                if self.offline_source(&submodule).is_none() {
                    return Err(GitError::Submodule(format!(
                        "submodule `{}` (path {}, url {}) of commit {} is not on this machine, and \
                         culprit checks submodules out without the network: run `git -C {} submodule \
                         update --init --recursive` once (culprit then clones from .git/modules), or \
                         point `submodule.{}.url` at a local copy with git config",
                        submodule.name,
                        submodule.path,
                        submodule.url,
                        short(commit),
                        crate::shell::quote(&self.root.to_string_lossy()),
                        submodule.name
                    )));
                }
            }
        }
        Ok(())
    }

    /// Brings the submodules of the worktree at `worktree` to the commits its checkout
    /// records, each cleaned of what an earlier candidate built in it.
    pub fn update_submodules(&self, worktree: &Path) -> Result<(), GitError> {
        let gitmodules = worktree.join(".gitmodules");
        if !gitmodules.is_file() {
            return Ok(());
        }
        let wt = Repo {
            root: worktree.to_path_buf(),
        };
        let file = gitmodules.to_string_lossy().into_owned();
        let listing = wt
            .git(&["config", "--file", &file, "--get-regexp", SUBMODULE_KEYS])
            .unwrap_or_default();
        let mut args: Vec<String> = vec!["-c".into(), "protocol.file.allow=always".into()];
        for submodule in parse(&listing) {
            let source = self.offline_source(&submodule).ok_or_else(|| {
                GitError::Submodule(format!(
                    "submodule `{}` (url {}) is not on this machine; run `git -C {} submodule update --init --recursive` once and resume",
                    submodule.name,
                    submodule.url,
                    crate::shell::quote(&self.root.to_string_lossy())
                ))
            })?;
            args.push("-c".into());
            args.push(format!(
                "submodule.{}.url={}",
                submodule.name,
                source.to_string_lossy()
            ));
        }
        for step in [
            &["submodule", "update", "--init", "--recursive", "--force"][..],
            &[
                "submodule",
                "foreach",
                "--quiet",
                "--recursive",
                "git clean -q -ffdx",
            ],
        ] {
            let mut all: Vec<&str> = args.iter().map(String::as_str).collect();
            all.extend_from_slice(step);
            wt.git(&all).map_err(|err| {
                GitError::Submodule(format!(
                    "cannot check out the submodules in {}: {err}; the commit a candidate records \
                     may be missing from this machine's copy: fetch it there (`git -C {} submodule \
                     update --init --recursive`) and resume",
                    worktree.display(),
                    crate::shell::quote(&self.root.to_string_lossy())
                ))
            })?;
        }
        Ok(())
    }

    /// The directory every worktree of the repository shares (`.git` of the main one).
    fn common_dir(&self) -> Result<PathBuf, GitError> {
        let dir = self.git(&["rev-parse", "--git-common-dir"])?;
        let dir = PathBuf::from(dir.trim());
        Ok(if dir.is_absolute() {
            dir
        } else {
            self.root.join(dir)
        })
    }

    /// The local repository a submodule URL names, if it names one that exists: a path,
    /// a `file://` URL, or one relative to the superproject's remote (or, without a
    /// remote, to the superproject itself), as git resolves them.
    fn local_url(&self, url: &str) -> Option<PathBuf> {
        let path = if let Some(path) = url.strip_prefix("file://") {
            PathBuf::from(path)
        } else if url.starts_with("./") || url.starts_with("../") {
            let remote = self
                .git(&["config", "--get", "remote.origin.url"])
                .ok()
                .map(|r| r.trim().to_string());
            let base = match remote {
                Some(remote) => self.local_url(&remote)?,
                None => self.root.clone(),
            };
            base.join(url)
        } else if url.starts_with('/') {
            PathBuf::from(url)
        } else {
            return None;
        };
        path.exists().then_some(path)
    }
}

/// `submodule.NAME.path` and `submodule.NAME.url`, whatever NAME holds.
const SUBMODULE_KEYS: &str = r"^submodule\..*\.(path|url)$";

/// Reads `git config --get-regexp` output of [`SUBMODULE_KEYS`] into submodules; one
/// without a path is not a submodule git would check out.
fn parse(listing: &str) -> Vec<Submodule> {
    let mut found: Vec<Submodule> = Vec::new();
    for line in listing.lines() {
        let Some((key, value)) = line.split_once(' ') else {
            continue;
        };
        let Some(rest) = key.strip_prefix("submodule.") else {
            continue;
        };
        let (name, field) = match rest.rsplit_once('.') {
            Some((name, field)) => (name, field),
            None => continue,
        };
        let index = match found.iter().position(|s| s.name == name) {
            Some(index) => index,
            None => {
                found.push(Submodule {
                    name: name.to_string(),
                    path: String::new(),
                    url: String::new(),
                });
                found.len() - 1
            }
        };
        match field {
            "path" => found[index].path = value.to_string(),
            "url" => found[index].url = value.to_string(),
            _ => {}
        }
    }
    found.retain(|s| !s.path.is_empty());
    found
}

fn short(commit: &str) -> &str {
    commit.get(..12).unwrap_or(commit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_with_dots_and_missing_paths_are_read_as_git_does() {
        let listing = "submodule.lib.path lib\nsubmodule.lib.url ../lib\n\
                       submodule.vendor.v1.2.path third_party/v1\nsubmodule.vendor.v1.2.url https://example.org/v.git\n\
                       submodule.stale.url ../stale\n";
        assert_eq!(
            parse(listing),
            [
                Submodule {
                    name: "lib".into(),
                    path: "lib".into(),
                    url: "../lib".into()
                },
                Submodule {
                    name: "vendor.v1.2".into(),
                    path: "third_party/v1".into(),
                    url: "https://example.org/v.git".into()
                },
            ]
        );
    }
}
