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

use super::remote::{end_unended, Ledger, StepJobs};
use super::runner::{Opening, Site};
use super::Trees;
use crate::error::{HuntError, Result};
use crate::journal::Journal;
use crate::launcher::Launcher;
use crate::manifest::{resolve_path, LavaSection, Manifest, DEFAULT_TOKEN_ENV};
use crate::observe::WorkerActivity;
use crate::record::Place;
use culprit_console::Classifier;
use culprit_exec::lava::{self, Lab, Submission, Token};
use culprit_exec::slurm::unique_job_name;
use culprit_exec::{ExecError, RunReport, RunSpec, StopFlag};
use publish::Publisher;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use template::{Template, Values};

/// The executor's name in the journal's ledger of remote jobs and in each step's place.
const EXECUTOR: &str = "lava";

/// A LAVA server, the job template and where the artifacts are published for it.
pub(crate) struct Lava {
    section: LavaSection,
    lab: Lab,
    template: Template,
    publisher: Publisher,
    ledger: Ledger,
}

impl Site for Lava {
    type Step<'a> = StepBoots<'a>;

    /// Checks everything a boot needs before any step (the token, the device type, the
    /// template, a job made from it that the server accepts), then claims the trees.
    fn open(opening: &Opening<'_>) -> Result<(Lava, Trees)> {
        let ws = opening.ws;
        let config = &ws.manifest;
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
        check_definition(&lab, &section, &template, config)?;
        let ledger = Ledger::open(ws, EXECUTOR)?;
        let lava = Lava {
            section,
            lab,
            template,
            publisher,
            ledger,
        };
        Ok((lava, opening.claim()?))
    }

    fn step(&self, worker: usize, activity: WorkerActivity) -> StepBoots<'_> {
        StepBoots {
            lava: self,
            jobs: StepJobs::new(&self.ledger, worker, activity),
        }
    }

    fn place(&self, _: usize, step: &StepBoots<'_>) -> Place {
        step.jobs.place()
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

/// The boots of one step, each a LAVA job.
pub(crate) struct StepBoots<'a> {
    lava: &'a Lava,
    jobs: StepJobs<'a>,
}

impl StepBoots<'_> {
    /// The artifacts of the tree and build directory `spec` runs in, by name.
    fn artifacts(&self, spec: &RunSpec) -> BTreeMap<String, PathBuf> {
        let build = spec
            .env
            .iter()
            .find(|(key, _)| key == "CULPRIT_BUILD")
            .map_or_else(|| spec.cwd.clone(), |(_, value)| PathBuf::from(value));
        self.lava
            .section
            .artifacts
            .iter()
            .map(|(name, path)| (name.clone(), resolve_path(path, &spec.cwd, &build)))
            .collect()
    }
}

/// Builds and normalizers run here.
impl Launcher for StepBoots<'_> {
    fn boot(
        &self,
        test: &str,
        spec: &RunSpec,
        classifier: Classifier,
        stop: &StopFlag,
    ) -> Result<RunReport, ExecError> {
        let lava = self.lava;
        let name = unique_job_name("culprit");
        let urls = lava
            .publisher
            .publish(&name, &self.artifacts(spec))
            .map_err(|err| ExecError::Publish {
                name: name.clone(),
                message: err.to_string(),
            })?;
        let definition = lava.template.render(&Values {
            urls: &urls,
            command_line: &lava.section.command_line,
            timeout_s: spec.wall_timeout.as_secs().max(1),
            device_type: &lava.section.device_type,
            test,
            job_name: &name,
        });
        self.jobs.started(&name)?;
        let submitted = |id: u64| self.jobs.submitted(id);
        let running = |id: u64, device: &str| self.jobs.running(id, device);
        let submission = Submission {
            lab: &lava.lab,
            definition: &definition,
            name: &name,
            queue_timeout: lava.section.queue_timeout,
        };
        let report = lava::run_job(&submission, spec, classifier, stop, &submitted, &running);
        lava.publisher.withdraw(&name);
        let report = report?;
        self.jobs.ended(&name, report.job.as_ref())?;
        Ok(report)
    }
}

/// Cancels the LAVA jobs the journal says were submitted and never seen to end (a
/// culprit killed with SIGKILL) and marks them ended. Returns the ids it cancelled.
pub(super) fn cancel_leftovers(journal: &Journal, config: &Manifest) -> Result<Vec<u64>> {
    end_unended(journal, EXECUTOR, |names| {
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
