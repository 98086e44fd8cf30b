//! A configuration hunt's plan from what the user named: the two configurations, the
//! revision to build them at and its fixups, checked before any step runs so that bad
//! input fails fast with exit 2.

use crate::config_hunt::Plan;
use crate::error::{Context, HuntError, Result};
use crate::manifest::Manifest;
use crate::target::Target;
use crate::workspace::Workspace;
use culprit_exec::git::Repo;
use culprit_kconfig::Config as DotConfig;
use std::path::{Path, PathBuf};

/// What the user asked of a configuration hunt.
#[derive(Clone, Debug)]
pub struct ConfigRequest {
    /// Where each configuration came from, and what it says (a fragment against a full
    /// configuration is read as that configuration with its changes).
    pub good: (PathBuf, DotConfig),
    pub bad: (PathBuf, DotConfig),
    /// The revision every candidate is built at, and the commits applied on top of it.
    pub rev: String,
    pub fixups: Vec<String>,
    /// `--target` as written.
    pub target: Option<String>,
    /// The tests to run (all of culprit.toml's when empty).
    pub tests: Vec<String>,
    /// Confirm every fact by repeated runs (tests that sometimes give the wrong verdict).
    pub flaky: bool,
}

/// The `[config] file` the build reads: a configuration hunt writes every candidate
/// there, so culprit.toml must name it.
pub fn config_file(manifest: &Manifest) -> Result<&Path> {
    match &manifest.config {
        Some(section) => Ok(&section.file),
        None => Err(HuntError::BadInput(format!(
            "{} has no [config] section; add one with `file` (the configuration file the build reads, relative to {{tree}}) and optionally `normalize` (e.g. \"make olddefconfig\")",
            manifest.path.display()
        ))),
    }
}

impl Plan {
    /// The plan of a hunt from `request`'s good to its bad configuration, in `repo`.
    pub fn from_configs(ws: &Workspace, repo: &Repo, request: ConfigRequest) -> Result<Plan> {
        let ((good, good_config), (bad, bad_config)) = (&request.good, &request.bad);
        let (good_config, bad_config) = culprit_kconfig::endpoints(good_config, bad_config);
        if culprit_kconfig::diff(&good_config, &bad_config).is_empty() {
            return Err(HuntError::BadInput(format!(
                "{} and {} set every option the same way: nothing to bisect",
                good.display(),
                bad.display()
            )));
        }
        for name in &request.tests {
            if !ws.manifest.has_run(name) {
                return Err(HuntError::BadInput(format!(
                    "no test named `{name}` in {}; it has: {}",
                    ws.manifest.path.display(),
                    ws.manifest.test_names()
                )));
            }
        }
        let rev = repo.resolve(&request.rev)?;
        let fixups = request
            .fixups
            .iter()
            .map(|rev| {
                repo.resolve(rev).with_context(|| {
                    format!("the fixup `{rev}` is not a commit of this repository; give a revision git can resolve")
                })
            })
            .collect::<Result<_>>()?;
        let target = request.target.as_deref().map(Target::parse).transpose()?;
        let tree = ws.manifest.tree_in(&ws.root);
        Ok(Plan {
            good_text: good_config.to_text(),
            bad_text: bad_config.to_text(),
            good_path: good.display().to_string(),
            bad_path: bad.display().to_string(),
            rev,
            fixups,
            target,
            tests: if request.tests.is_empty() {
                ws.manifest.run_names()
            } else {
                request.tests
            },
            confirmations: if request.flaky { 2 } else { 1 },
            kconfig_tree: tree
                .join("Kconfig")
                .is_file()
                .then(|| tree.display().to_string()),
            recipe: ws.manifest.recipe.digest.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_tree::{git, workspace};

    fn config(name: &str, text: &str) -> (PathBuf, DotConfig) {
        let path = PathBuf::from(name);
        let config = DotConfig::parse(text.as_bytes(), &path, None).unwrap();
        (path, config)
    }

    fn request(bad: &str) -> ConfigRequest {
        ConfigRequest {
            good: config("good.config", "CONFIG_A=y\nCONFIG_B=y\n"),
            bad: config("bad.config", bad),
            rev: "HEAD".into(),
            fixups: Vec::new(),
            target: None,
            tests: Vec::new(),
            flaky: true,
        }
    }

    #[test]
    fn a_plan_holds_both_configurations_at_the_resolved_revision_and_bad_input_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let toml =
            "[config]\nfile = \".config\"\n\n[[test]]\nname = \"boot\"\ncommand = \"true\"\n";
        git(dir.path(), &["init", "-q", "-b", "main"]);
        let ws = workspace(dir.path(), toml);
        git(dir.path(), &["add", crate::workspace::CONFIG_FILE]);
        git(dir.path(), &["commit", "-q", "-m", "one"]);
        let repo = ws.repo().unwrap();
        assert_eq!(config_file(&ws.manifest).unwrap(), Path::new(".config"));

        let plan =
            Plan::from_configs(&ws, repo, request("CONFIG_A=y\n# CONFIG_B is not set\n")).unwrap();
        assert_eq!(plan.rev, repo.resolve("HEAD").unwrap());
        assert_eq!(plan.tests, vec!["boot".to_string()]);
        assert_eq!(plan.confirmations, 2);
        assert_eq!(plan.kconfig_tree, None);
        assert!(
            plan.bad_text.contains("# CONFIG_B is not set"),
            "{}",
            plan.bad_text
        );

        let same = Plan::from_configs(&ws, repo, request("CONFIG_A=y\nCONFIG_B=y\n"));
        assert!(same.is_err_and(|e| e.is_bad_input()
            && e.to_string()
                .ends_with("set every option the same way: nothing to bisect")));
        let mut unknown = request("CONFIG_A=y\n");
        unknown.tests = vec!["smp".into()];
        let err = Plan::from_configs(&ws, repo, unknown).unwrap_err();
        assert!(err.to_string().contains("no test named `smp`"), "{err}");
        let mut fixup = request("CONFIG_A=y\n");
        fixup.fixups = vec!["no-such-rev".into()];
        let err = Plan::from_configs(&ws, repo, fixup).unwrap_err();
        assert!(
            err.to_string().starts_with("the fixup `no-such-rev`"),
            "{err}"
        );
    }
}
