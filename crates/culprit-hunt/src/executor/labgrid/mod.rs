//! The labgrid executor's steps: builds on this machine, each test's boot on a labgrid
//! place, its console streamed back live into the classifier.
//!
//! A boot is the test's own QEMU command read for what it boots (kernel, initrd, device
//! tree, command line: `qemu_command`) and handed to the lab's boot helper
//! (`culprit_exec::labgrid`), which powers the place's QEMUDriver on with them. So one
//! culprit.toml hunts locally and on the lab alike, and `--executor labgrid` is all it
//! takes to move. Each worker holds one place for the hunt (`places`).

mod places;
mod qemu_command;

use super::remote::Ledger;
use super::runner::{Opening, Site};
use super::Trees;
use crate::error::{Context, HuntError, Result};
use crate::launcher::Launcher;
use crate::manifest::{LabgridSection, Manifest};
use crate::observe::WorkerActivity;
use crate::record::Place;
use culprit_console::Classifier;
use culprit_exec::labgrid::{run_boot, unplaced, Lab, HELPER};
use culprit_exec::shell::quote;
use culprit_exec::{ExecError, RunReport, RunSpec, StopFlag};
pub(crate) use places::end_leftovers;
use places::{Places, EXECUTOR};
use qemu_command::read_qemu_command;
use std::path::PathBuf;
use std::sync::Mutex;

/// A labgrid coordinator's places, one held by each worker.
pub(crate) struct Labgrid {
    places: Places,
    boot: BootSetup,
}

/// What every boot's helper command is made of.
struct BootSetup {
    python: PathBuf,
    helper: PathBuf,
    environment: PathBuf,
    target: String,
    coordinator: String,
    /// What the helper gets to power on: the same patience as for a place.
    power_on_seconds: u64,
}

impl Site for Labgrid {
    type Step<'a> = StepBoots<'a>;

    /// Checks the lab (environment file, coordinator, places) before any step; the
    /// places once the trees are claimed, since there is one for each worker's tree.
    fn open(opening: &Opening<'_>) -> Result<(Labgrid, Trees)> {
        let config = &opening.ws.manifest;
        let section = config.executor.labgrid().ok_or_else(|| {
            HuntError::BadInput(format!(
                "the labgrid executor needs its keys: add to {} an [executor] section with kind = \"labgrid\", \
                 `environment` (the labgrid environment YAML) and `place` or `tags` (culprit init --lab labgrid writes one)",
                config.path.display()
            ))
        })?;
        let environment = config.home.join(&section.environment);
        if !environment.is_file() {
            return Err(HuntError::BadInput(format!(
                "the labgrid environment file {} (`environment` in [executor] of {}) does not exist; \
                 fix the path, or let `culprit init --lab labgrid` write one",
                environment.display(),
                config.path.display()
            )));
        }
        let workers = opening.workers();
        if section.place.is_some() && workers > 1 {
            return Err(HuntError::BadInput(format!(
                "-j {workers} takes {workers} labgrid places, and [executor] names one `place`: \
                 choose places by `tags` instead, or run with -j 1"
            )));
        }
        for test in &config.tests {
            read_qemu_command(&test.command).map_err(|why| {
                HuntError::BadInput(format!(
                    "test `{}`: the labgrid executor boots on a place what the test's QEMU command names \
                     (-kernel, -initrd, -dtb, -append), and {why}",
                    test.name
                ))
            })?;
        }
        let python = lab_python(config, section)?;
        let lab = Lab {
            client: python.with_file_name("labgrid-client"),
            coordinator: section.coordinator.clone(),
        };
        let trees = opening.claim()?;
        let ledger = Ledger::open(opening.ws, EXECUTOR)?;
        let places = Places::check(lab, section, trees.workers(), ledger)?;
        let helper = opening.ws.state.join("labgrid-boot.py");
        std::fs::write(&helper, HELPER).with_context(|| {
            format!("cannot write the labgrid boot helper {}", helper.display())
        })?;
        let boot = BootSetup {
            python,
            helper,
            environment,
            target: section.target.clone(),
            coordinator: section.coordinator.clone(),
            power_on_seconds: section.acquire_timeout.as_secs().max(10),
        };
        Ok((Labgrid { places, boot }, trees))
    }

    fn step(&self, worker: usize, activity: WorkerActivity) -> StepBoots<'_> {
        StepBoots {
            labgrid: self,
            worker,
            activity,
            unplaced: Mutex::new(None),
        }
    }

    fn place(&self, worker: usize, step: &StepBoots<'_>) -> Place {
        step.place(self.places.held_place(worker))
    }
}

/// The lab's Python as a path, so that `labgrid-client` is found beside it.
fn lab_python(config: &Manifest, section: &LabgridSection) -> Result<PathBuf> {
    let named = &section.python;
    let python = if named.components().count() > 1 {
        config.home.join(named)
    } else {
        std::env::var_os("PATH")
            .and_then(|path| {
                std::env::split_paths(&path)
                    .map(|dir| dir.join(named))
                    .find(|candidate| candidate.is_file())
            })
            .unwrap_or_else(|| named.clone())
    };
    if !python.is_file() || !python.with_file_name("labgrid-client").is_file() {
        return Err(HuntError::BadInput(format!(
            "`python` in [executor] ({}) is not a Python with labgrid-client beside it; \
             give the `bin/python` of a virtualenv with labgrid installed (scripts/labgrid-lab start makes one)",
            python.display()
        )));
    }
    Ok(python)
}

impl Drop for Labgrid {
    fn drop(&mut self) {
        self.places.release_all();
    }
}

/// The boots of one step on one worker.
pub(crate) struct StepBoots<'a> {
    labgrid: &'a Labgrid,
    worker: usize,
    activity: WorkerActivity,
    /// Why the lab gave this step no place: its other boots are lab faults at once
    /// rather than another wait each.
    unplaced: Mutex<Option<String>>,
}

impl StepBoots<'_> {
    fn place(&self, place: Option<String>) -> Place {
        Place {
            executor: EXECUTOR.into(),
            worker: self.worker,
            node: place,
            job: None,
        }
    }

    /// The helper command that boots `command`'s artifacts on `place`.
    fn helper_spec(&self, spec: &RunSpec, place: &str) -> Option<RunSpec> {
        let boot = read_qemu_command(&spec.command).ok()?;
        let setup = &self.labgrid.boot;
        let absolute = |path: &str| spec.cwd.join(path).to_string_lossy().into_owned();
        let mut words = vec![
            "exec".to_string(),
            quote(&setup.python.to_string_lossy()),
            quote(&setup.helper.to_string_lossy()),
            "--env".into(),
            quote(&setup.environment.to_string_lossy()),
            "--target".into(),
            quote(&setup.target),
            "--power-on-timeout".into(),
            setup.power_on_seconds.to_string(),
            "--kernel".into(),
            quote(&absolute(&boot.kernel)),
        ];
        let optional = [
            ("--initrd", boot.initrd.as_deref().map(absolute)),
            ("--dtb", boot.dtb.as_deref().map(absolute)),
            ("--append", boot.append.clone()),
        ];
        for (flag, value) in optional {
            if let Some(value) = value {
                words.push(flag.into());
                words.push(quote(&value));
            }
        }
        let mut env = spec.env.clone();
        env.push(("LG_COORDINATOR".into(), setup.coordinator.clone()));
        env.push(("LG_PLACE".into(), place.to_string()));
        Some(RunSpec {
            command: words.join(" "),
            env,
            ..spec.clone()
        })
    }
}

/// Builds and the normalizer run here; only boots go to the lab.
impl Launcher for StepBoots<'_> {
    fn boot(
        &self,
        _test: &str,
        spec: &RunSpec,
        classifier: Classifier,
        stop: &StopFlag,
    ) -> Result<RunReport, ExecError> {
        if read_qemu_command(&spec.command).is_err() {
            return self.launch(spec, classifier, stop);
        }
        let failed = |err: HuntError| ExecError::Record {
            name: format!("a labgrid place for worker {}", self.worker + 1),
            message: err.to_string(),
        };
        let earlier = self.unplaced.lock().ok().and_then(|reason| reason.clone());
        if let Some(reason) = earlier {
            return unplaced(spec, classifier, reason);
        }
        let place = match self.labgrid.places.place_of(self.worker).map_err(failed)? {
            Ok(place) => place,
            Err(reason) => {
                if let Ok(mut unplaced) = self.unplaced.lock() {
                    *unplaced = Some(reason.clone());
                }
                return unplaced(spec, classifier, reason);
            }
        };
        self.activity.placed(&self.place(Some(place.clone())));
        match self.helper_spec(spec, &place) {
            Some(boot) => run_boot(&boot, classifier, stop),
            None => culprit_exec::run(spec, classifier, stop),
        }
    }
}
