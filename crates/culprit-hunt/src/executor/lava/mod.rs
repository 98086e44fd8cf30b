//! The LAVA executor's steps: the build (and the normalizer) run here as for the local
//! executor, and each test's boot is a LAVA job made from the user's job template, its
//! artifacts published for the lab, its serial console streamed back into the classifier
//! as it arrives (see `culprit_exec::lava`).
//!
//! Cut by job: the template (`template.rs`), publishing the artifacts (`publish.rs`),
//! the server's REST client and the log stream (in `culprit_exec::lava`), the jobs a
//! killed culprit left (`cancel_leftovers` here).

mod publish;
mod template;

use super::{Job, StepRunner, Trees};
use crate::error::{HuntError, Result};
use crate::journal::Journal;
use crate::launcher::{Launcher, LocalLauncher};
use crate::manifest::{resolve_path, LavaSection, Manifest, DEFAULT_TOKEN_ENV};
use crate::observe::WorkerActivity;
use crate::record::{Place, StepResult};
use crate::workspace::Workspace;
use culprit_console::Classifier;
use culprit_exec::git::Repo;
use culprit_exec::lava::{self, Lab, Submission, Token};
use culprit_exec::slurm::unique_job_name;
use culprit_exec::{ExecError, RunReport, RunSpec, StopFlag};
use publish::Publisher;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use template::{Template, Values};

/// The executor's name in the journal's ledger of remote jobs and in each step's place.
const EXECUTOR: &str = "lava";

pub struct LavaRunner {
    config: Arc<Manifest>,
    section: LavaSection,
    trees: Trees,
    stop: StopFlag,
    lab: Lab,
    template: Template,
    publisher: Publisher,
    /// The journal's own connection for the job names (workers record from their threads).
    ledger: Mutex<Journal>,
}

impl LavaRunner {
    /// Checks everything a boot needs before any step (the token, the device type, the
    /// template, a job made from it that the server accepts), then claims the trees.
    pub fn new(
        ws: &Workspace,
        repo: Option<&Repo>,
        workers: usize,
        stop: StopFlag,
    ) -> Result<LavaRunner> {
        let config = Arc::new(ws.manifest.clone());
        let section = config.executor.lava().cloned().ok_or_else(|| {
            HuntError::BadInput(format!(
                "the LAVA executor needs `[executor] kind = \"lava\"` in {} with the server's url, the job template, the device type and the artifacts; `culprit init --lab lava` writes one",
                config.path.display()
            ))
        })?;
        let lab = connect(&section, &config.home)?;
        let template = read_template(&section, &config.home)?;
        if !lab.has_device_type(&section.device_type).map_err(bad)? {
            return Err(HuntError::BadInput(format!(
                "the LAVA server at {} has no device type `{}`; set [executor] device_type to one it has (its web UI lists them under Devices)",
                lab.url(),
                section.device_type
            )));
        }
        let publisher = match (&section.publish_dir, &section.publish_url) {
            (Some(dir), Some(url)) => Publisher::directory(config.home.join(dir), url),
            _ => Publisher::serve(
                ws.state.join("lava"),
                section.serve.as_deref().unwrap_or("127.0.0.1:0"),
                section.serve_url.as_deref(),
            )?,
        };
        check_definition(&lab, &section, &template, &config)?;
        let ledger = ws.journal()?;
        Ok(LavaRunner {
            trees: Trees::claim(ws, repo, workers)?,
            config,
            section,
            stop,
            lab,
            template,
            publisher,
            ledger: Mutex::new(ledger),
        })
    }

    /// What boots worker `worker`'s tests on the lab (and builds here) for one step.
    pub fn boots(&self, worker: usize, activity: WorkerActivity) -> StepBoots<'_> {
        StepBoots {
            runner: self,
            worker,
            activity,
            ran: Mutex::new(Vec::new()),
        }
    }

    fn record(&self, what: impl FnOnce(&Journal) -> Result<()>) -> Result<()> {
        let journal = self.ledger.lock().map_err(|_| {
            HuntError::Message("a worker panicked while it wrote the journal".into())
        })?;
        what(&journal)
    }
}

/// The lab, once the token is found and the server has said whose it is.
fn connect(section: &LavaSection, home: &Path) -> Result<Lab> {
    let token = match (&section.token_file, &section.token_env) {
        (Some(file), _) => {
            let path = home.join(file);
            std::fs::read_to_string(&path).map_err(|err| {
                HuntError::BadInput(format!(
                    "cannot read the LAVA API token from [executor] token_file {}: {err}",
                    path.display()
                ))
            })?
        }
        (None, env) => {
            let var = env.as_deref().unwrap_or(DEFAULT_TOKEN_ENV);
            std::env::var(var).map_err(|_| {
                HuntError::BadInput(format!(
                    "no LAVA API token: set the environment variable {var} to a token of the server at {} (or name a file in [executor] token_file)",
                    section.url
                ))
            })?
        }
    };
    let lab = Lab::new(&section.url, Token::new(token));
    lab.whoami().map_err(bad)?;
    Ok(lab)
}

fn read_template(section: &LavaSection, home: &Path) -> Result<Template> {
    let path = home.join(&section.template);
    let text = std::fs::read_to_string(&path).map_err(|err| {
        HuntError::BadInput(format!(
            "cannot read the LAVA job template {} ([executor] template): {err}",
            path.display()
        ))
    })?;
    let names: Vec<&str> = section.artifacts.keys().map(String::as_str).collect();
    Template::parse(text, &names, &path.display().to_string()).map_err(HuntError::BadInput)
}

/// Has the server validate a job made from the template for the first test, so that a
/// definition it rejects is said once, before any step.
fn check_definition(
    lab: &Lab,
    section: &LavaSection,
    template: &Template,
    config: &Manifest,
) -> Result<()> {
    let urls: BTreeMap<String, String> = section
        .artifacts
        .keys()
        .map(|name| {
            (
                name.clone(),
                format!("http://127.0.0.1/culprit-check/{name}"),
            )
        })
        .collect();
    let test = config.tests.first();
    let definition = template.render(&Values {
        urls: &urls,
        command_line: &section.command_line,
        timeout_s: test.map_or(300, |t| t.timeout.as_secs()),
        device_type: &section.device_type,
        test: test.map_or("check", |t| t.name.as_str()),
        job_name: "culprit-check",
    });
    match lab.validate(&definition).map_err(bad)? {
        None => Ok(()),
        Some(message) => Err(HuntError::BadInput(format!(
            "the LAVA server at {} rejects the job made from {}: {message}",
            lab.url(),
            config.home.join(&section.template).display()
        ))),
    }
}

/// A fault of the lab's set-up, found before any step: bad input, exit 2.
fn bad(err: lava::LavaError) -> HuntError {
    HuntError::BadInput(format!(
        "{err}; check [executor] url and the token culprit was given"
    ))
}

impl StepRunner for LavaRunner {
    fn workers(&self) -> usize {
        self.trees.workers()
    }

    fn run(&self, worker: usize, job: &Job, activity: WorkerActivity) -> Result<StepResult> {
        let boots = self.boots(worker, activity.clone());
        let mut result = self
            .trees
            .run(&self.config, worker, job, &self.stop, activity, &boots)?;
        result.place = Some(boots.place());
        Ok(result)
    }
}

/// The boots of one step, each a LAVA job: (job id, device).
pub struct StepBoots<'a> {
    runner: &'a LavaRunner,
    worker: usize,
    activity: WorkerActivity,
    ran: Mutex<Vec<(u64, Option<String>)>>,
}

impl StepBoots<'_> {
    /// Where the step ran: the device of its last job, and every job's id.
    fn place(&self) -> Place {
        let ran = self.ran.lock().map(|ran| ran.clone()).unwrap_or_default();
        let ids: Vec<String> = ran.iter().map(|(id, _)| id.to_string()).collect();
        Place {
            executor: EXECUTOR.into(),
            worker: self.worker,
            node: ran.iter().rev().find_map(|(_, device)| device.clone()),
            job: (!ids.is_empty()).then(|| ids.join(",")),
        }
    }

    /// The artifacts of the tree and build directory `spec` runs in, by name.
    fn artifacts(&self, spec: &RunSpec) -> BTreeMap<String, PathBuf> {
        let build = spec
            .env
            .iter()
            .find(|(key, _)| key == "CULPRIT_BUILD")
            .map_or_else(|| spec.cwd.clone(), |(_, value)| PathBuf::from(value));
        self.runner
            .section
            .artifacts
            .iter()
            .map(|(name, path)| (name.clone(), resolve_path(path, &spec.cwd, &build)))
            .collect()
    }
}

impl Launcher for StepBoots<'_> {
    /// Builds and normalizers run here.
    fn launch(
        &self,
        spec: &RunSpec,
        classifier: Classifier,
        stop: &StopFlag,
    ) -> Result<RunReport, ExecError> {
        LocalLauncher.launch(spec, classifier, stop)
    }

    fn boot(
        &self,
        test: &str,
        spec: &RunSpec,
        classifier: Classifier,
        stop: &StopFlag,
    ) -> Result<RunReport, ExecError> {
        let runner = self.runner;
        let name = unique_job_name("culprit");
        let failed = |message: String| ExecError::Record {
            name: name.clone(),
            message,
        };
        let urls = runner
            .publisher
            .publish(&name, &self.artifacts(spec))
            .map_err(|err| ExecError::Publish {
                name: name.clone(),
                message: err.to_string(),
            })?;
        let definition = runner.template.render(&Values {
            urls: &urls,
            command_line: &runner.section.command_line,
            timeout_s: spec.wall_timeout.as_secs().max(1),
            device_type: &runner.section.device_type,
            test,
            job_name: &name,
        });
        runner
            .record(|journal| journal.remote_job_started(EXECUTOR, &name))
            .map_err(|err| failed(err.to_string()))?;
        let submitted = |id: u64| {
            if let Ok(mut ran) = self.ran.lock() {
                ran.push((id, None));
            }
        };
        let started = |id: u64, device: &str| {
            self.activity.placed(&Place {
                executor: EXECUTOR.into(),
                worker: self.worker,
                node: Some(device.to_string()),
                job: Some(id.to_string()),
            })
        };
        let submission = Submission {
            lab: &runner.lab,
            definition: &definition,
            name: &name,
            queue_timeout: runner.section.queue_timeout,
        };
        let report = lava::run_job(&submission, spec, classifier, stop, &submitted, &started);
        runner.publisher.withdraw(&name);
        let report = report?;
        let job = report.job.as_ref();
        let id = job.and_then(|job| job.id);
        runner
            .record(|journal| {
                journal.remote_job_ended(&name, id.map(|id| id.to_string()).as_deref())
            })
            .map_err(|err| failed(err.to_string()))?;
        if let (Some(job), Ok(mut ran)) = (job, self.ran.lock()) {
            if let Some(entry) = ran.iter_mut().find(|(seen, _)| Some(*seen) == job.id) {
                entry.1 = job.node.clone();
            }
        }
        Ok(report)
    }
}

/// Cancels the LAVA jobs the journal says were submitted and never seen to end (a
/// culprit killed with SIGKILL) and marks them ended. Returns the ids it cancelled.
pub(super) fn cancel_leftovers(journal: &Journal, config: &Manifest) -> Result<Vec<u64>> {
    super::end_unended(journal, EXECUTOR, |names| {
        let section = config.executor.lava().ok_or_else(|| {
            HuntError::BadInput(format!(
                "an earlier culprit left LAVA jobs ({}) and {} no longer has the [executor] section to reach their server; cancel them in LAVA's web UI, or put the section back",
                names.join(", "),
                config.path.display()
            ))
        })?;
        let lab = connect(section, &config.home)?;
        lava::cancel_named(&lab, names, lava::CANCEL_PATIENCE).map_err(|err| {
            HuntError::Message(format!(
                "cannot cancel the LAVA jobs an earlier culprit left ({}): {err}",
                names.join(", ")
            ))
        })
    })
}
