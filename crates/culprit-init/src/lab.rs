//! `culprit init --lab`: the lab's `[executor]` section in the planned culprit.toml, and
//! the file beside it that tells the lab how to boot the tree's kernel.

use crate::files::{failed, InitError};
use crate::plan::labgrid::{labgrid, ENVIRONMENT_FILE};
use crate::plan::{lava_files, Plan, LAVA_TEMPLATE_FILE};
use std::collections::BTreeMap;
use std::path::Path;

/// The labs `culprit init --lab` sets up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum Lab {
    Lava,
    Labgrid,
}

/// Adds `lab`'s section to `plan`'s culprit.toml text and writes its file into `home`
/// (replacing one only with `force`); returns what it guessed. `env` gives the lab's
/// variables when the user has them set.
pub fn add_lab(
    lab: Lab,
    plan: &mut Plan,
    env: &BTreeMap<String, String>,
    home: &Path,
    force: bool,
) -> Result<Vec<String>, InitError> {
    match lab {
        Lab::Lava => {
            let Some(files) = lava_files(plan) else {
                return Err(InitError("--lab lava writes a job template for Linux trees (their kernel and culprit's initramfs); for this tree, add `[executor] kind = \"lava\"` and a template by hand (see README, \"Running on a LAVA lab\")".into()));
            };
            let template = home.join(LAVA_TEMPLATE_FILE);
            write_new(&template, &files.template, force)?;
            plan.toml.push_str(&files.section);
            Ok(vec![format!(
                "wrote {} (the LAVA job template) and an [executor] section for it",
                template.display()
            )])
        }
        Lab::Labgrid => {
            let lab = labgrid(plan, env).map_err(|err| InitError(err.to_string()))?;
            let file = home.join(ENVIRONMENT_FILE);
            write_new(&file, &lab.environment, force)?;
            plan.toml.push_str(&lab.executor);
            let mut guesses = lab.guesses;
            guesses.push(format!(
                "wrote {} (the place's QEMUDriver) and an [executor] section for it",
                file.display()
            ));
            Ok(guesses)
        }
    }
}

/// Writes `text` to `path`, over an earlier file only with `force`: the user may have
/// edited it.
fn write_new(path: &Path, text: &str, force: bool) -> Result<(), InitError> {
    if path.exists() && !force {
        return Err(InitError(format!(
            "{} exists already; pass --force to replace it, or edit it",
            path.display()
        )));
    }
    std::fs::write(path, text).map_err(failed(format!("cannot write {}", path.display())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_labs_file_replaces_an_earlier_one_only_when_forced() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(ENVIRONMENT_FILE);
        write_new(&path, "one\n", false).unwrap();
        let err = write_new(&path, "two\n", false).unwrap_err();
        assert!(
            err.to_string()
                .ends_with("exists already; pass --force to replace it, or edit it"),
            "{err}"
        );
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "one\n");
        write_new(&path, "two\n", true).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "two\n");
        let err = write_new(&dir.path().join("no/such/dir/file"), "x", true).unwrap_err();
        assert!(err.to_string().starts_with("cannot write "), "{err}");
    }

    #[test]
    fn a_lava_lab_is_refused_for_a_tree_that_is_not_linux() {
        let dir = tempfile::tempdir().unwrap();
        let mut plan = Plan {
            layout: crate::plan::Layout::Zephyr,
            toml: String::new(),
            guesses: Vec::new(),
        };
        let env = BTreeMap::new();
        let err = add_lab(Lab::Lava, &mut plan, &env, dir.path(), false).unwrap_err();
        assert!(err
            .to_string()
            .starts_with("--lab lava writes a job template for Linux trees"));
        assert!(plan.toml.is_empty() && !dir.path().join(LAVA_TEMPLATE_FILE).exists());
    }
}
