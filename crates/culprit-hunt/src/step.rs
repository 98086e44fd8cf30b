//! One step: build the tree, then boot every test and read its console.

use crate::cold::ColdBuild;
use crate::error::{Context, HuntError, Result};
use crate::judgement::Judgement;
use crate::kept_build::{KeptBuild, KeptSlot};
use crate::launcher::Launcher;
use crate::manifest::{resolve_path, ExitCodes, Manifest, TestSection, SHAPE_RUN};
use crate::observe::WorkerActivity;
use crate::pace::Pace;
use crate::record::{RunRecord, StepResult};
use crate::target::Target;
use culprit_console::{Classifier, Deadline, Ending, Outcome, Rules, Signature, SignatureKind};
use culprit_exec::{RunReport, RunSpec, StopFlag};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Test results by artifact digest (and tests run), shared by a session's workers.
pub type ArtifactCache = Mutex<HashMap<String, Vec<RunRecord>>>;

/// Where a step runs and what its commands may refer to.
pub struct StepContext<'a> {
    pub manifest: &'a Manifest,
    /// The directory `{tree}` stands for.
    pub tree: &'a Path,
    /// The directory `{build}` stands for: the worker's own, kept between steps.
    pub build: &'a Path,
    /// Where this step's logs go.
    pub logs: &'a Path,
    pub stop: &'a StopFlag,
    /// Extra placeholder values (`{artifact}`).
    pub placeholders: Vec<(&'static str, String)>,
    /// Stop after the first test that shows its target here: the step is bad then,
    /// and booting the other tests would tell nothing more.
    pub stop_at: BTreeMap<String, Target>,
    /// A configuration to write to `[config] file` (then normalize) before building.
    pub config_text: Option<String>,
    /// Where to say what the step is doing (a worker's line of the live display).
    pub activity: WorkerActivity,
    /// How the candidate is named in that line.
    pub label: String,
    /// Evaluate the `[[shape]]` checks even though only some tests are run.
    pub shapes_wanted: bool,
    /// Where to look for (and leave) the results of identical artifacts; `None` when
    /// every step must really boot (flaky hunts, endpoints, verification).
    pub artifact_cache: Option<Arc<ArtifactCache>>,
    /// What starts the step's commands (a child here, a job on a cluster).
    pub launcher: &'a dyn Launcher,
    /// What the session learned of each test's pace, and whether this step's runs are
    /// held to learned deadlines; `None`: neither learned from nor held.
    pub pace: Option<Pace>,
    /// The worker's memory of its build directory, with what this step's candidate is;
    /// `None` when the tree is not a checkout culprit made (it may have changed).
    pub kept: Option<KeptSlot<'a>>,
}

impl StepContext<'_> {
    /// How the build and normalize logs are read: paths under the tree (as given, and
    /// as the compiler resolves it) are named relative to it, the same in every worktree.
    fn build_rules(&self) -> Rules {
        let mut roots = vec![self.tree.to_string_lossy().into_owned()];
        if let Ok(real) = self.tree.canonicalize() {
            roots.push(real.to_string_lossy().into_owned());
        }
        roots.dedup();
        Rules {
            source_roots: roots,
            ..Rules::build()
        }
    }

    /// The command with its placeholders, each quoted for where it stands: a tree path
    /// with spaces or an artifact named `a$(touch x).bin` is data, never code, even in
    /// `sh -c '...'`.
    fn expand(&self, command: &str) -> Result<String> {
        let tree = self.tree.to_string_lossy();
        let build = self.build.to_string_lossy();
        let config = self.manifest.config.as_ref().map(|section| {
            resolve_path(&section.file, self.tree, self.build)
                .to_string_lossy()
                .into_owned()
        });
        let mut values: Vec<(&str, &str)> = vec![("tree", &tree), ("build", &build)];
        values.extend(config.as_deref().map(|file| ("config", file)));
        values.extend(self.placeholders.iter().map(|(k, v)| (*k, v.as_str())));
        culprit_exec::shell::substitute(command, &values)
            .map_err(|refused| HuntError::BadInput(format!("`{command}` {refused}")))
    }

    fn run(
        &self,
        name: &str,
        command: &str,
        rules: &Rules,
        spec_times: Times,
    ) -> Result<RunReport> {
        let doing = match name {
            "build" => "building".to_string(),
            "normalize" => "normalizing the configuration of".to_string(),
            test => format!("booting {test} on"),
        };
        self.activity.set(format!("{doing} {}", self.label));
        let classifier = Classifier::new(rules)
            .with_context(|| format!("invalid console rules for `{name}`"))?;
        let spec = RunSpec {
            command: self.expand(command)?,
            cwd: self.tree.to_path_buf(),
            env: vec![
                (
                    "CULPRIT_TREE".into(),
                    self.tree.to_string_lossy().into_owned(),
                ),
                (
                    "CULPRIT_BUILD".into(),
                    self.build.to_string_lossy().into_owned(),
                ),
            ],
            wall_timeout: spec_times.wall,
            silence_timeout: spec_times.silence,
            log_path: self.logs.join(format!("{name}.log")),
            deadline: spec_times.deadline,
        };
        Ok(match name {
            "build" | "normalize" => self.launcher.launch(&spec, classifier, self.stop)?,
            test => self.launcher.boot(test, &spec, classifier, self.stop)?,
        })
    }
}

struct Times {
    wall: Duration,
    silence: Option<Duration>,
    deadline: Option<Deadline>,
}

fn record(name: &str, report: RunReport, outcome: Outcome) -> RunRecord {
    RunRecord {
        name: name.to_string(),
        outcome,
        stage: report
            .classification
            .failed_at
            .clone()
            .unwrap_or_else(|| report.classification.stage.clone()),
        duration_s: report.duration.as_secs_f64(),
        log: report.log_path,
        evidence: report.classification.evidence,
        ending: report.ending,
        cases: report.classification.cases,
        timeline: None,
        learned: report.learned,
    }
}

/// Builds, checks object shapes, then runs `tests` (`None`: all of the configuration's).
pub fn run_step(ctx: &StepContext<'_>, tests: Option<&[&TestSection]>) -> Result<StepResult> {
    std::fs::create_dir_all(ctx.build)
        .with_context(|| format!("cannot create the build directory {}", ctx.build.display()))?;
    let base = match ctx.manifest.config.as_ref().and_then(|c| c.base.as_ref()) {
        Some(path) if ctx.config_text.is_none() => Some(
            std::fs::read_to_string(path)
                .with_context(|| format!("cannot read the [config] base {}", path.display()))?,
        ),
        _ => None,
    };
    let config = ctx
        .config_text
        .as_ref()
        .or(base.as_ref())
        .map(String::as_str);
    let inputs = ctx.kept.map(|slot| slot.inputs(config));
    let kept = ctx
        .kept
        .zip(inputs.as_deref())
        .and_then(|(slot, inputs)| slot.memory.kept(inputs))
        .filter(|kept| kept.holds(config_path(ctx).as_deref(), artifact_digest(ctx).as_deref()));
    let kept_build = kept.is_some();
    let kept_digest = kept.as_ref().map(|k| k.artifacts.clone());
    let (normalize, effective_config, build) = match kept {
        Some(kept) => (
            kept.normalize.map(|run| RunRecord {
                duration_s: 0.0,
                ..run
            }),
            kept.effective_config,
            Some(RunRecord {
                duration_s: 0.0,
                ..kept.build
            }),
        ),
        None => {
            if let Some(slot) = ctx.kept {
                slot.memory.forget();
            }
            normalize_and_build(ctx, config)?
        }
    };
    let mut results = Vec::new();
    let built = build.as_ref().is_none_or(|b| b.outcome == Outcome::Pass);
    // The digest as the build left the artifacts: what a kept build is checked against
    // (and, for a kept build, what its check has just read).
    let artifact_digest = kept_digest.or_else(|| built.then(|| artifact_digest(ctx)).flatten());
    if let (Some(slot), Some(inputs), Some(digest), Some(run)) =
        (ctx.kept, inputs, &artifact_digest, &build)
    {
        if !kept_build && run.outcome == Outcome::Pass {
            let config = config_path(ctx);
            let kept = KeptBuild::new(
                inputs,
                config.as_deref(),
                digest,
                &normalize,
                &effective_config,
                run,
            );
            if let Some(kept) = kept {
                slot.memory.remember(kept);
            }
        }
    }
    if !ctx.manifest.shapes.is_empty() && built && (tests.is_none() || ctx.shapes_wanted) {
        let record = check_shapes(ctx);
        let decisive = ctx
            .stop_at
            .get(SHAPE_RUN)
            .is_some_and(|target| target.judge_run(&record) == Judgement::Bad);
        results.push(record);
        if decisive {
            return Ok(StepResult {
                normalize,
                effective_config,
                build,
                tests: results,
                artifact_digest: None,
                reused_artifacts: false,
                kept_build,
                place: None,
                fixup: None,
            });
        }
    }
    let selected: Vec<&TestSection> = match tests {
        None => ctx.manifest.tests.iter().collect(),
        Some(tests) => tests.to_vec(),
    };
    let cache_key = artifact_digest.as_ref().map(|digest| {
        let names: Vec<&str> = selected.iter().map(|t| t.name.as_str()).collect();
        format!("{digest}|{}", names.join(","))
    });
    let known = match (&ctx.artifact_cache, &cache_key) {
        (Some(cache), Some(key)) => cache.lock().ok().and_then(|c| c.get(key).cloned()),
        _ => None,
    };
    if let Some(known) = known {
        results.extend(known);
        return Ok(StepResult {
            normalize,
            effective_config,
            build,
            tests: results,
            artifact_digest,
            reused_artifacts: true,
            kept_build,
            place: None,
            fixup: None,
        });
    }
    let shape_runs = results.len();
    for test in selected {
        if let Some(build) = build.as_ref().filter(|b| b.outcome != Outcome::Pass) {
            results.push(RunRecord {
                name: test.name.clone(),
                duration_s: 0.0,
                ..build.clone()
            });
            continue;
        }
        if ctx.stop.load(std::sync::atomic::Ordering::SeqCst) {
            break;
        }
        let record = run_test(ctx, test)?;
        let decisive = ctx
            .stop_at
            .get(&test.name)
            .is_some_and(|target| target.judge_run(&record) == Judgement::Bad);
        results.push(record);
        if decisive {
            break;
        }
    }
    let result = StepResult {
        normalize,
        effective_config,
        build,
        tests: results,
        artifact_digest,
        reused_artifacts: false,
        kept_build,
        place: None,
        fixup: None,
    };
    if let (Some(cache), Some(key)) = (&ctx.artifact_cache, cache_key) {
        if !result.infra_failed() && !result.interrupted() {
            if let Ok(mut cache) = cache.lock() {
                cache.insert(key, result.tests[shape_runs..].to_vec());
            }
        }
    }
    Ok(result)
}

/// Writes and normalizes the configuration (when there is one), then builds: returns
/// the normalizer's run, the configuration the build got, and the build's run.
fn normalize_and_build(
    ctx: &StepContext<'_>,
    config: Option<&str>,
) -> Result<(Option<RunRecord>, Option<String>, Option<RunRecord>)> {
    let (normalize, effective_config) = match config {
        Some(text) => prepare_config(ctx, text)?,
        None => (None, None),
    };
    let failed_normalize = normalize.as_ref().filter(|n| n.outcome != Outcome::Pass);
    let build = match &ctx.manifest.build {
        Some(_) if failed_normalize.is_some() => failed_normalize.cloned(),
        Some(build) => {
            ctx.activity
                .set(format!("waiting for its turn to build {} cold", ctx.label));
            let turn = ColdBuild::wait_turn(ctx.build, ctx.stop);
            let report = ctx.run(
                "build",
                &build.command,
                &ctx.build_rules(),
                Times {
                    wall: build.timeout,
                    silence: None,
                    deadline: None,
                },
            )?;
            if report.ending != Ending::Interrupted {
                turn.finished();
            }
            let outcome = report.classification.outcome.clone();
            Some(record("build", report, outcome))
        }
        None => None,
    };
    Ok((normalize, effective_config, build))
}

/// Where the configuration file is, when there is a `[config]` section.
fn config_path(ctx: &StepContext<'_>) -> Option<PathBuf> {
    let section = ctx.manifest.config.as_ref()?;
    Some(resolve_path(&section.file, ctx.tree, ctx.build))
}

/// A digest of the build's artifacts, or `None` when none are configured or one is
/// missing (then nothing can be reused).
fn artifact_digest(ctx: &StepContext<'_>) -> Option<String> {
    let artifacts = &ctx.manifest.build.as_ref()?.artifacts;
    if artifacts.is_empty() {
        return None;
    }
    let mut hasher = Sha256::new();
    for path in artifacts {
        let bytes = std::fs::read(resolve_path(path, ctx.tree, ctx.build)).ok()?;
        hasher.update(path.to_string_lossy().as_bytes());
        hasher.update((bytes.len() as u64).to_le_bytes());
        hasher.update(&bytes);
    }
    Some(
        hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect(),
    )
}

/// Evaluates the `[[shape]]` checks on the build's artifacts; a violation is a failure
/// with a `shape` signature, so hunts can target it like any crash.
fn check_shapes(ctx: &StepContext<'_>) -> RunRecord {
    ctx.activity
        .set(format!("checking object shapes of {}", ctx.label));
    let started = std::time::Instant::now();
    let log = ctx.logs.join(format!("{SHAPE_RUN}.log"));
    let (outcome, text) = match culprit_elf::evaluate(&ctx.manifest.shapes, ctx.tree) {
        Ok(violations) if violations.is_empty() => {
            (Outcome::Pass, "every shape check holds\n".to_string())
        }
        Ok(violations) => (
            Outcome::Fail {
                signature: violations[0].signature.clone(),
            },
            violations
                .iter()
                .map(|v| format!("{}\n  {}\n", v.signature.title, v.detail))
                .collect(),
        ),
        Err(err) => (
            Outcome::InfraError {
                reason: format!("cannot check object shapes: {err}"),
            },
            format!("{err}\n"),
        ),
    };
    // The log is evidence for reports; failing to write it must not hide the outcome.
    let _ = std::fs::write(&log, &text);
    RunRecord {
        name: SHAPE_RUN.to_string(),
        outcome,
        stage: "none".into(),
        duration_s: started.elapsed().as_secs_f64(),
        log,
        evidence: Some((0, text.len() as u64)),
        ending: Ending::Exited { code: 0 },
        cases: Vec::new(),
        timeline: None,
        learned: None,
    }
}

/// Writes the candidate configuration, runs the normalizer, and reads back what the
/// build will really get.
fn prepare_config(
    ctx: &StepContext<'_>,
    text: &str,
) -> Result<(Option<RunRecord>, Option<String>)> {
    let section =
        ctx.manifest.config.as_ref().context(
            "configuration candidates need a [config] section with `file` in culprit.toml",
        )?;
    let path = resolve_path(&section.file, ctx.tree, ctx.build);
    // Rewriting an unchanged configuration would make Kbuild regenerate its headers
    // and recompile everything that includes them.
    let unchanged = std::fs::read(&path).is_ok_and(|old| old == text.as_bytes());
    if !unchanged {
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
    }
    let normalize = match &section.normalize {
        Some(command) => {
            let wall = ctx
                .manifest
                .build
                .as_ref()
                .map_or(Duration::from_secs(600), |b| b.timeout);
            let report = ctx.run(
                "normalize",
                command,
                &ctx.build_rules(),
                Times {
                    wall,
                    silence: None,
                    deadline: None,
                },
            )?;
            let outcome = report.classification.outcome.clone();
            Some(record("normalize", report, outcome))
        }
        None => None,
    };
    let effective = std::fs::read(&path)
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
        .ok();
    Ok((normalize, effective))
}

fn run_test(ctx: &StepContext<'_>, test: &TestSection) -> Result<RunRecord> {
    let deadline = ctx.pace.as_ref().and_then(|pace| {
        let margin = pace.margin?;
        pace.book.deadline(&test.name, margin)
    });
    let report = ctx.run(
        &test.name,
        &test.command,
        &test.rules(),
        Times {
            wall: test.timeout,
            silence: test.silence,
            deadline,
        },
    )?;
    let timeline = report.timeline.clone();
    let outcome = match test.exit_codes {
        ExitCodes::Console => report.classification.outcome.clone(),
        ExitCodes::Bisect => bisect_script_outcome(&report),
    };
    let outcome = match lab_fault(test, &report) {
        Some(reason) if outcome != Outcome::Pass => Outcome::InfraError { reason },
        _ => outcome,
    };
    if outcome == Outcome::Pass {
        if let Some(pace) = &ctx.pace {
            pace.book.learn(&test.name, timeline.clone());
        }
    }
    Ok(RunRecord {
        timeline: Some(timeline),
        ..record(&test.name, report, outcome)
    })
}

/// Why a run that did not pass is the lab's fault rather than the guest's: its console
/// shows one of the test's `infra` patterns, or the console gave no verdict and the
/// command died the way `infra_exit_codes` says the lab kills it.
fn lab_fault(test: &TestSection, report: &RunReport) -> Option<String> {
    let console_silent = matches!(
        &report.classification.outcome,
        Outcome::Fail { signature } if signature.kind == SignatureKind::Exit
    ) || test.exit_codes == ExitCodes::Bisect;
    let status = match report.ending {
        Ending::Exited { code } => Some((code, format!("exited with status {code}"))),
        Ending::Signalled { signal } => Some((128 + signal, format!("killed by signal {signal}"))),
        _ => None,
    };
    if let Some((status, how)) =
        status.filter(|(s, _)| console_silent && test.infra_exit_codes.contains(s))
    {
        return Some(crate::infra::exit_code_reason(&how, status));
    }
    if test.infra.is_empty() {
        return None;
    }
    let patterns = regex::RegexSet::new(&test.infra).ok()?;
    console_line_matching(&report.log_path, &patterns)
        .map(|line| crate::infra::pattern_reason(&line))
}

/// The first line of the log that matches `patterns`, read a bounded line at a time so
/// that a huge log costs no memory.
fn console_line_matching(log: &Path, patterns: &regex::RegexSet) -> Option<String> {
    use std::io::{BufRead, Read};
    const LINE: u64 = 64 * 1024;
    let mut reader = std::io::BufReader::new(std::fs::File::open(log).ok()?);
    let mut line = Vec::new();
    loop {
        line.clear();
        match (&mut reader).take(LINE).read_until(b'\n', &mut line) {
            Ok(0) | Err(_) => return None,
            Ok(_) => {
                let text = String::from_utf8_lossy(&line);
                let text = text.trim_end();
                if patterns.is_match(text) {
                    return Some(text.to_string());
                }
            }
        }
    }
}

/// Reads a `git bisect run` script's exit code as git does: 0 good, 125 skip,
/// 1-127 bad, 128 and above abort (reported as an infrastructure error).
fn bisect_script_outcome(report: &RunReport) -> Outcome {
    match report.ending {
        Ending::Exited { code: 0 } => Outcome::Pass,
        Ending::Exited { code: 125 } => Outcome::BuildError {
            signature: Signature::new(SignatureKind::Exit, "test script exited 125 (cannot test)"),
        },
        Ending::Exited { code } if (1..128).contains(&code) => Outcome::Fail {
            signature: Signature::new(SignatureKind::Exit, format!("test script exited {code}")),
        },
        Ending::Exited { code } => Outcome::InfraError {
            reason: format!("test script exited {code} (128 or above: abort)"),
        },
        _ => report.classification.outcome.clone(),
    }
}
