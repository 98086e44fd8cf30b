//! `culprit.toml`: what to build, how to boot each test, and what the console means.
//!
//! Parsed strictly (unknown keys are errors) because a misspelt `sucess` silently
//! ignored would turn every boot into a hang and send a hunt the wrong way.

use crate::recipe::Recipe;
mod checks;
mod executor_section;
mod lava_section;
mod learned;
mod quoting;
mod tree_section;

pub use checks::resolve_path;
use checks::{check_command, check_path, first_program, line_column, on_path, RESERVED_NAMES};
use culprit_console::{Rules, StageMarker};
pub use executor_section::{ExecutorKind, ExecutorSection, LabgridSection};
pub use lava_section::{LavaSection, DEFAULT_TOKEN_ENV};
pub use learned::LearnedDeadlines;
use serde::{Deserialize, Deserializer};
use std::path::{Path, PathBuf};
use std::time::Duration;
use tree_section::check_copies;
pub use tree_section::TreeSection;

/// The name under which `[[shape]]` checks report, as if they were a test.
pub const SHAPE_RUN: &str = "shape";

/// Placeholders a command may use; anything else in braces is a mistake.
const PLACEHOLDERS: &[&str] = &["tree", "build", "artifact", "config"];

/// Placeholders a path (`artifacts`, `[config] file`) may start with.
const PATH_PLACEHOLDERS: &[&str] = &["tree", "build"];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    /// Directory `{tree}` stands for, relative to the file (defaults to the file's own),
    /// and the files copied into every worktree.
    #[serde(default)]
    tree: TreeSection,
    /// Where the journal, logs, worktrees and build directories live, relative to the
    /// file; defaults to `.culprit` next to it.
    state: Option<PathBuf>,
    build: Option<BuildSection>,
    #[serde(default, rename = "test")]
    tests: Vec<TestSection>,
    config: Option<ConfigSection>,
    /// Object-shape checks evaluated on the build's artifacts (`[[shape]]` tables).
    #[serde(default)]
    shape: Vec<culprit_elf::ShapeCheck>,
    #[serde(default)]
    executor: ExecutorSection,
    #[serde(default)]
    bisect: BisectSection,
}

/// Defaults for `culprit bisect`: `[bisect]`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BisectSection {
    /// Revisions applied on top of a candidate that cannot be tested on its own (a
    /// known build fix for a window of commits that do not build), as `--fixup` does.
    #[serde(default)]
    pub fixups: Vec<String>,
    /// When the automatic fixup rule looks for the commit that ended a build failure;
    /// `--auto-fixup` and `--no-auto-fixup` override it.
    #[serde(default)]
    pub auto_fixup: AutoFixup,
    /// How much slower than passing runs a run may be before it is a hang, without
    /// waiting for the fixed `silence` and `timeout` (see `crate::pace`).
    #[serde(default)]
    pub learned_deadlines: LearnedDeadlines,
}

/// `[bisect] auto_fixup`: when culprit looks for the fix of a window of commits that do
/// not build.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AutoFixup {
    /// Once the search has ended with suspects that only builds tell apart.
    #[default]
    After,
    /// At the first candidate that does not build (`--auto-fixup`).
    UpFront,
    /// Never (`--no-auto-fixup`).
    Off,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BuildSection {
    pub command: String,
    /// What the build produces that the tests boot (relative to `{tree}`): two candidates
    /// whose artifacts are byte for byte the same are booted once.
    #[serde(default)]
    pub artifacts: Vec<PathBuf>,
    #[serde(default = "default_build_timeout", deserialize_with = "duration")]
    pub timeout: Duration,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestSection {
    pub name: String,
    pub command: String,
    #[serde(default = "default_test_timeout", deserialize_with = "duration")]
    pub timeout: Duration,
    #[serde(default, deserialize_with = "optional_duration")]
    pub silence: Option<Duration>,
    #[serde(default)]
    pub success: Vec<String>,
    #[serde(default)]
    pub failure: Vec<String>,
    #[serde(default)]
    pub stages: Vec<StageSection>,
    #[serde(default, deserialize_with = "optional_duration")]
    pub grace: Option<Duration>,
    /// `"bisect"`: the command is a `git bisect run` script and its exit code is the
    /// verdict (0 good, 125 skip, 1-127 bad, 128 and above abort).
    #[serde(default)]
    pub exit_codes: ExitCodes,
    /// Exit statuses that mean the lab, not the guest, ended a run whose console gave no
    /// verdict (the OOM killer's or `kill -9`'s 137, a watchdog's 143); a death by signal N
    /// counts as 128 + N. Such a run is an infrastructure error: run again, never a target,
    /// never cached.
    #[serde(default = "default_infra_exit_codes")]
    pub infra_exit_codes: Vec<i32>,
    /// Console patterns (regexes) that mark a run that did not pass as an infrastructure
    /// error ("Could not allocate memory", "failed to initialize kvm").
    #[serde(default)]
    pub infra: Vec<String>,
}

/// Deaths from outside, as a shell reports them: SIGHUP, SIGINT, SIGKILL, SIGTERM.
fn default_infra_exit_codes() -> Vec<i32> {
    vec![129, 130, 137, 143]
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ExitCodes {
    /// The console decides; the exit code only matters when the console says nothing.
    #[default]
    Console,
    /// `git bisect run` conventions.
    Bisect,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StageSection {
    pub name: String,
    pub marker: String,
}

/// Where the configuration under test lives and how the build system normalizes it.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigSection {
    /// Relative to `{tree}`, or under `{build}`.
    pub file: PathBuf,
    pub normalize: Option<String>,
    /// The configuration every step starts from unless it brings its own (commit hunts,
    /// `culprit run`), relative to the culprit.toml's directory.
    pub base: Option<PathBuf>,
}

/// A validated `culprit.toml`.
#[derive(Clone, Debug)]
pub struct Manifest {
    /// The file it was read from, for messages.
    pub path: PathBuf,
    /// The directory holding the file; `.culprit/` lives here.
    pub home: PathBuf,
    /// `{tree}` relative to the repository's top level, so it can be found again inside
    /// a worktree checked out at another revision.
    pub tree: PathBuf,
    pub build: Option<BuildSection>,
    pub tests: Vec<TestSection>,
    pub config: Option<ConfigSection>,
    pub shapes: Vec<culprit_elf::ShapeCheck>,
    pub executor: ExecutorSection,
    /// The `state` key, resolved against `home`.
    pub state: Option<PathBuf>,
    /// Files and directories (relative to the tree) copied into every worktree.
    pub copy: Vec<PathBuf>,
    /// What decides a step's result, for resumes and cache keys.
    pub recipe: Recipe,
    pub bisect: BisectSection,
}

#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: the file is not text (invalid UTF-8 at byte {offset}); culprit.toml must be a TOML text file")]
    NotText { path: PathBuf, offset: usize },
    #[error("{path}:{line}:{column}: {message}")]
    Syntax {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{path}: {message}")]
    Invalid { path: PathBuf, message: String },
}

fn default_build_timeout() -> Duration {
    Duration::from_secs(3600)
}

fn default_test_timeout() -> Duration {
    Duration::from_secs(300)
}

fn parse_duration(text: &str) -> Result<Duration, String> {
    humantime::parse_duration(text.trim()).map_err(|err| {
        format!("invalid duration `{text}` ({err}); write a number with a unit, e.g. \"60s\", \"500ms\" or \"2m\"")
    })
}

fn duration<'de, D: Deserializer<'de>>(de: D) -> Result<Duration, D::Error> {
    let text = String::deserialize(de)?;
    parse_duration(&text).map_err(serde::de::Error::custom)
}

fn optional_duration<'de, D: Deserializer<'de>>(de: D) -> Result<Option<Duration>, D::Error> {
    duration(de).map(Some)
}

impl Manifest {
    /// Reads and validates `path`; `repo_root` is the top level of the git checkout
    /// (or the file's directory outside git).
    pub fn load(path: &Path, repo_root: &Path) -> Result<Manifest, ManifestError> {
        let bytes = std::fs::read(path).map_err(|source| ManifestError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let text = String::from_utf8(bytes).map_err(|err| ManifestError::NotText {
            path: path.to_path_buf(),
            offset: err.utf8_error().valid_up_to(),
        })?;
        Manifest::parse(&text, path, repo_root)
    }

    pub fn parse(text: &str, path: &Path, repo_root: &Path) -> Result<Manifest, ManifestError> {
        let syntax = |err: toml::de::Error| {
            let (line, column) = err
                .span()
                .map(|span| line_column(text, span.start))
                .unwrap_or((1, 1));
            ManifestError::Syntax {
                path: path.to_path_buf(),
                line,
                column,
                message: err.message().trim().to_string(),
            }
        };
        let raw: RawConfig = toml::from_str(text).map_err(syntax)?;
        let recipe = Recipe::of(&toml::from_str(text).map_err(syntax)?);
        let invalid = |message: String| ManifestError::Invalid {
            path: path.to_path_buf(),
            message,
        };
        let home = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_path_buf();
        let home = home.canonicalize().unwrap_or(home);
        let tree_abs = home.join(raw.tree.dir.as_deref().unwrap_or(Path::new(".")));
        let tree_abs = tree_abs.canonicalize().map_err(|err| {
            invalid(format!(
                "`tree` names {} which cannot be opened ({err}); it is relative to the file's directory",
                tree_abs.display()
            ))
        })?;
        check_copies(&raw.tree.copy, &tree_abs).map_err(invalid)?;
        let copies: Vec<(String, PathBuf)> = raw
            .tree
            .copy
            .iter()
            .map(|p| (p.to_string_lossy().into_owned(), tree_abs.join(p)))
            .collect();
        let mut recipe = recipe.with_contents("copied", &copies);
        let root = repo_root
            .canonicalize()
            .unwrap_or_else(|_| repo_root.to_path_buf());
        let tree = tree_abs
            .strip_prefix(&root)
            .map(Path::to_path_buf)
            .map_err(|_| {
                invalid(format!(
                    "`tree` ({}) is outside the repository {}",
                    tree_abs.display(),
                    root.display()
                ))
            })?;

        if raw.tests.is_empty() && raw.shape.is_empty() {
            return Err(invalid(
                "no [[test]] section: add at least one, with `name` and `command` (or [[shape]] checks)".into(),
            ));
        }
        let mut seen = std::collections::HashSet::new();
        let mut validated = std::collections::HashSet::new();
        for (i, test) in raw.tests.iter().enumerate() {
            let at = format!("[[test]] #{} (`{}`)", i + 1, test.name);
            if test.name.trim().is_empty() {
                return Err(invalid(format!("{at}: `name` is empty")));
            }
            if !test
                .name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
            {
                return Err(invalid(format!(
                    "{at}: `name` may hold only letters, digits, '-', '_' and '.' (it names log files)"
                )));
            }
            if let Some((_, owner)) = RESERVED_NAMES.iter().find(|(name, _)| *name == test.name) {
                return Err(invalid(format!(
                    "{at}: the name `{}` is taken by {owner} (and its log file); choose another",
                    test.name
                )));
            }
            if test.timeout.is_zero() {
                return Err(invalid(format!(
                    "{at}: `timeout` is zero, which would make every boot a hang; give the longest a boot may take, e.g. \"60s\""
                )));
            }
            if test.silence.is_some_and(|s| s.is_zero()) {
                return Err(invalid(format!(
                    "{at}: `silence` is zero, which would make every boot a hang; give how long a quiet console means a hang, e.g. \"5s\", or leave it out"
                )));
            }
            if !seen.insert(test.name.clone()) {
                return Err(invalid(format!(
                    "{at}: another test has the same name; names must be unique"
                )));
            }
            check_command(&test.command, text)
                .map_err(|m| invalid(format!("{at}: `command` {m}")))?;
            if let Err(err) = regex::RegexSet::new(&test.infra) {
                return Err(invalid(format!(
                    "{at}: an `infra` pattern is not a valid regex: {err}"
                )));
            }
            // Only the test's own rules are checked (a classifier would compile every
            // signature pack), once per distinct set: 200,000 tests validate in seconds
            // whether their markers are alike or each their own.
            let rules = test.rules();
            if validated.insert(format!("{rules:?}")) {
                rules
                    .check()
                    .map_err(|err| invalid(format!("{at}: {err}")))?;
            }
        }
        if let Some(build) = &raw.build {
            check_command(&build.command, text)
                .map_err(|m| invalid(format!("[build] `command` {m}")))?;
            if build.timeout.is_zero() {
                return Err(invalid(
                    "[build] `timeout` is zero, which would stop every build at once; give the longest a build may take, e.g. \"30m\"".into(),
                ));
            }
        }
        let placeholders_used = |name: &str| {
            let placeholder = format!("{{{name}}}");
            raw.tests.iter().any(|t| t.command.contains(&placeholder))
                || raw.build.iter().any(|b| b.command.contains(&placeholder))
        };
        if raw.config.is_none() && placeholders_used("config") {
            return Err(invalid(
                "a command uses `{config}`, which stands for the [config] `file` in the tree, but there is no [config] section; add one with `file = \".config\"` (or the build's configuration file)".into(),
            ));
        }
        if let Some(normalize) = raw.config.as_ref().and_then(|c| c.normalize.as_ref()) {
            check_command(normalize, text)
                .map_err(|m| invalid(format!("[config] `normalize` {m}")))?;
        }
        raw.executor
            .check()
            .map_err(|m| invalid(format!("[executor] {m}")))?;
        let mut config = raw.config;
        if let Some(section) = &mut config {
            check_path(&section.file).map_err(|m| invalid(format!("[config] `file` {m}")))?;
            if let Some(base) = &mut section.base {
                *base = home.join(&*base);
                if !base.is_file() {
                    return Err(invalid(format!(
                        "[config] `base` names {}, which is not a file; it is relative to the culprit.toml's directory",
                        base.display()
                    )));
                }
                let name = base.to_string_lossy().into_owned();
                recipe = recipe.with_contents("config base", &[(name, base.clone())]);
            }
        }
        for artifact in raw.build.iter().flat_map(|b| &b.artifacts) {
            check_path(artifact).map_err(|m| invalid(format!("[build] `artifacts` {m}")))?;
        }
        let state = raw.state.map(|state| home.join(state));
        Ok(Manifest {
            path: path.to_path_buf(),
            home,
            tree,
            build: raw.build,
            tests: raw.tests,
            config,
            shapes: raw.shape,
            executor: raw.executor,
            state,
            copy: raw.tree.copy,
            recipe,
            bisect: raw.bisect,
        })
    }

    /// Programs the build, normalize and test commands start that are not installed.
    /// Checked before a session starts, so that a missing QEMU is a clear error at once
    /// rather than every step failing with "not found".
    pub fn missing_programs(&self) -> Vec<(String, String)> {
        let mut commands: Vec<(String, &str)> = Vec::new();
        if let Some(build) = &self.build {
            commands.push(("[build]".into(), &build.command));
        }
        if let Some(normalize) = self.config.as_ref().and_then(|c| c.normalize.as_deref()) {
            commands.push(("[config] normalize".into(), normalize));
        }
        for test in &self.tests {
            commands.push((format!("test `{}`", test.name), &test.command));
        }
        let mut installed = std::collections::HashMap::new();
        commands
            .into_iter()
            .filter_map(|(owner, command)| {
                let program = first_program(command)?;
                let found = *installed
                    .entry(program.clone())
                    .or_insert_with(|| on_path(&program));
                (!found).then_some((owner, program))
            })
            .collect()
    }

    /// Whether anything names `{build}`: then the build is out of tree, in a build
    /// directory culprit keeps per worker, and checkouts leave ignored files alone.
    pub fn uses_build_dir(&self) -> bool {
        let needle = "{build}";
        let build = self.build.iter().any(|b| {
            b.command.contains(needle)
                || b.artifacts
                    .iter()
                    .any(|a| a.to_string_lossy().contains(needle))
        });
        let config = self.config.iter().any(|c| {
            c.file.to_string_lossy().contains(needle)
                || c.normalize.as_deref().is_some_and(|n| n.contains(needle))
        });
        build || config || self.tests.iter().any(|t| t.command.contains(needle))
    }

    /// `{tree}` inside a checkout whose top level is `checkout`.
    pub fn tree_in(&self, checkout: &Path) -> PathBuf {
        if self.tree.as_os_str().is_empty() {
            checkout.to_path_buf()
        } else {
            checkout.join(&self.tree)
        }
    }

    /// Every run a hunt can judge: the `[[shape]]` checks (as `shape`), then each test.
    pub fn run_names(&self) -> Vec<String> {
        let shape = (!self.shapes.is_empty()).then(|| SHAPE_RUN.to_string());
        shape
            .into_iter()
            .chain(self.tests.iter().map(|t| t.name.clone()))
            .collect()
    }

    /// Whether `name` is a run of this configuration (a test, or `shape`).
    pub fn has_run(&self, name: &str) -> bool {
        self.run_names().iter().any(|n| n == name)
    }

    pub fn test(&self, name: &str) -> Option<&TestSection> {
        self.tests.iter().find(|t| t.name == name)
    }

    /// The tests' names for a message that says which exist: the first few, then how
    /// many more (a generated culprit.toml may hold thousands).
    pub fn test_names(&self) -> String {
        const NAMED: usize = 12;
        let mut text = self
            .tests
            .iter()
            .take(NAMED)
            .map(|t| t.name.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        if self.tests.len() > NAMED {
            text.push_str(&format!(" and {} more", self.tests.len() - NAMED));
        }
        text
    }
}

impl TestSection {
    /// The classifier rules this test's console is read with.
    pub fn rules(&self) -> Rules {
        let mut rules = Rules::boot();
        rules.success = self.success.clone();
        rules.failure = self.failure.clone();
        rules.stages = self
            .stages
            .iter()
            .map(|s| StageMarker {
                name: s.name.clone(),
                marker: s.marker.clone(),
            })
            .collect();
        if let Some(grace) = self.grace {
            rules.grace = grace;
        }
        rules
    }
}
