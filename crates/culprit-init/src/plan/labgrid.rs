//! `culprit init --lab labgrid`: the `[executor]` section and the labgrid environment
//! file that boot the planned test's kernel on a lab's QEMU place. The test's QEMU
//! command is split in two: what it boots (kernel, initrd, device tree, command line)
//! stays in the test, where culprit reads it for each step; the machine it boots on
//! (machine, CPU, memory, other options) becomes the place's QEMUDriver.

use super::{env_or, toml_string, Plan};
use std::collections::BTreeMap;

/// The environment file init writes next to culprit.toml.
pub const ENVIRONMENT_FILE: &str = "labgrid-env.yaml";

/// What init adds for a labgrid lab.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LabgridPlan {
    /// Appended to culprit.toml.
    pub executor: String,
    /// The text of [`ENVIRONMENT_FILE`].
    pub environment: String,
    pub guesses: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum LabError {
    #[error("the planned test does not boot a kernel with QEMU ({0}), so there is nothing for a labgrid place to boot; write the test's qemu-system command first, then add the [executor] section by hand (see README.md, \"Running on a labgrid lab\")")]
    NoQemuBoot(String),
}

/// QEMU options that are the boot's, not the machine's: culprit passes them per step.
const BOOT_OPTIONS: &[&str] = &["-kernel", "-initrd", "-dtb", "-append"];
/// QEMU options labgrid's QEMUDriver sets itself (the console, the display, the monitor).
const DRIVER_OPTIONS: &[&str] = &["-serial", "-display", "-monitor", "-qmp", "-chardev"];
const DRIVER_FLAGS: &[&str] = &["-nographic"];

/// The section and environment for `plan`'s first test; `env` gives `LG_COORDINATOR`,
/// `LG_PLACE` and `VIRTUAL_ENV` when the user has them set.
pub fn labgrid(plan: &Plan, env: &BTreeMap<String, String>) -> Result<LabgridPlan, LabError> {
    let command = first_test_command(&plan.toml)
        .ok_or_else(|| LabError::NoQemuBoot("it has no test".into()))?;
    let words = shlex::split(&command)
        .ok_or_else(|| LabError::NoQemuBoot(format!("`{command}` does not split into words")))?;
    let Some((program, options)) = words.split_first() else {
        return Err(LabError::NoQemuBoot("its command is empty".into()));
    };
    if !program.starts_with("qemu-system-") || !words.iter().any(|w| w == "-kernel") {
        return Err(LabError::NoQemuBoot(format!("`{command}`")));
    }
    let mut machine = MachineOptions::default();
    let mut rest = options.iter();
    while let Some(word) = rest.next() {
        match word.as_str() {
            "-M" | "-machine" => machine.machine = rest.next().cloned(),
            "-cpu" => machine.cpu = rest.next().cloned(),
            "-m" => machine.memory = rest.next().cloned(),
            option if BOOT_OPTIONS.contains(&option) || DRIVER_OPTIONS.contains(&option) => {
                rest.next();
            }
            flag if DRIVER_FLAGS.contains(&flag) => {}
            other => machine.extra.push(other.to_string()),
        }
    }
    let mut guesses = Vec::new();
    let coordinator = env_or(
        env,
        ("LG_COORDINATOR", "labgrid coordinator"),
        "127.0.0.1:20408",
        None,
        &mut guesses,
    );
    let place = env_or(
        env,
        ("LG_PLACE", "labgrid place"),
        "qemu",
        Some("labgrid place `qemu` (set LG_PLACE, or edit `place`; `tags` chooses any of several places, one per worker)"),
        &mut guesses,
    );
    let python = match env.get("VIRTUAL_ENV") {
        Some(venv) => {
            guesses.push(format!(
                "labgrid's Python {venv}/bin/python (VIRTUAL_ENV is set)"
            ));
            format!("{venv}/bin/python")
        }
        None => "python3".to_string(),
    };
    let executor = format!(
        r#"
# The lab: each test boots on a labgrid place, through the environment file below
# (its QEMUDriver is the machine this test's QEMU command described; the test's
# -kernel, -initrd and -append are what each step boots). Builds run here.
# `--executor local` boots here instead.
[executor]
kind = "labgrid"
coordinator = {coordinator}
# One place by name; or `tags = {{ board = "..." }}` for any places with those tags,
# one per worker (`-j 2` takes two).
place = {place}
environment = {environment}
# A Python with labgrid installed; labgrid-client is taken from its directory.
python = {python}
# How long a worker waits for its place before the boot is a lab fault.
acquire_timeout = "60s"
"#,
        coordinator = toml_string(&coordinator),
        place = toml_string(&place),
        environment = toml_string(ENVIRONMENT_FILE),
        python = toml_string(&python),
    );
    Ok(LabgridPlan {
        executor,
        environment: machine.environment(program),
        guesses,
    })
}

/// The machine half of a QEMU command.
#[derive(Default)]
struct MachineOptions {
    machine: Option<String>,
    cpu: Option<String>,
    memory: Option<String>,
    extra: Vec<String>,
}

impl MachineOptions {
    fn environment(&self, program: &str) -> String {
        // QEMUDriver needs all three; these are QEMU's own choices for a PC.
        let machine = self.machine.as_deref().unwrap_or("pc");
        let cpu = self.cpu.as_deref().unwrap_or("max");
        let memory = match self.memory.as_deref() {
            Some(m) if m.chars().all(|c| c.is_ascii_digit()) => format!("{m}M"),
            Some(m) => m.to_string(),
            None => "128M".into(),
        };
        let extra: Vec<String> = self
            .extra
            .iter()
            .map(|w| {
                shlex::try_quote(w)
                    .map(|q| q.into_owned())
                    .unwrap_or_default()
            })
            .collect();
        format!(
            "# labgrid environment for culprit's labgrid executor (culprit init --lab labgrid).\n\
             # The place is the one culprit holds for the worker (LG_PLACE); culprit gives\n\
             # each boot its kernel, initrd and command line.\n\
             targets:\n  main:\n    resources:\n      RemotePlace:\n        name: !template $LG_PLACE\n\
             \x20   drivers:\n      QEMUDriver:\n        qemu_bin: qemu\n        machine: {}\n        cpu: {}\n        memory: {}\n        extra_args: {}\n        display: fb-headless\n\
             tools:\n  qemu: {}\n",
            yaml_string(machine),
            yaml_string(cpu),
            yaml_string(&memory),
            yaml_string(&extra.join(" ")),
            yaml_string(program),
        )
    }
}

/// A YAML double-quoted scalar (JSON's string syntax is valid YAML).
fn yaml_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The first `[[test]]`'s command in the planned culprit.toml.
fn first_test_command(toml_text: &str) -> Option<String> {
    let value: toml::Value = toml::from_str(toml_text).ok()?;
    value
        .get("test")?
        .as_array()?
        .first()?
        .get("command")?
        .as_str()
        .map(str::to_string)
}
