//! What the hunts through the real labgrid lab share: finding the lab that
//! `scripts/labgrid-lab start` made, holding it (the tests lock its places, so they take
//! turns), asking it who holds what, and a toyos history set up to boot on it.

use crate::common::{append_file, planted_toyos};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Mutex, MutexGuard};

/// One labgrid test at a time: each one locks places and checks who holds them.
static TURN: Mutex<()> = Mutex::new(());

/// The lab, as `scripts/labgrid-lab start` describes it in `lab.env`.
pub struct LabgridLab {
    pub coordinator: String,
    pub venv: PathBuf,
    pub places: Vec<String>,
    _turn: MutexGuard<'static, ()>,
}

/// The lab, or `None` (with a note) when it is not running; with `CULPRIT_LABGRID=1`
/// (CI) a missing lab fails the test instead.
pub fn lab() -> Option<LabgridLab> {
    let dir = std::env::var_os("LABGRID_LAB_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/tmp/culprit-labgrid-lab"));
    let required = std::env::var("CULPRIT_LABGRID").is_ok_and(|v| v == "1");
    let found = std::fs::read_to_string(dir.join("lab.env"))
        .ok()
        .and_then(|text| {
            let value = |key: &str| {
                text.lines()
                    .find_map(|line| line.strip_prefix(&format!("{key}=")))
                    .map(str::to_string)
            };
            Some((
                value("LABGRID_COORDINATOR")?,
                value("LABGRID_VENV")?,
                value("LABGRID_PLACES")?,
            ))
        });
    let Some((coordinator, venv, places)) = found else {
        assert!(
            !required,
            "CULPRIT_LABGRID=1 but there is no labgrid lab ({} is missing): run scripts/labgrid-lab start",
            dir.join("lab.env").display()
        );
        eprintln!("skipped: no labgrid lab (run scripts/labgrid-lab start, or set CULPRIT_LABGRID=1 to fail instead)");
        return None;
    };
    let turn = TURN.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let lab = LabgridLab {
        coordinator,
        venv: PathBuf::from(venv),
        places: places.split_whitespace().map(str::to_string).collect(),
        _turn: turn,
    };
    assert!(
        lab.client(&["places"], None).status.success(),
        "the labgrid coordinator at {} does not answer: run scripts/labgrid-lab start",
        lab.coordinator
    );
    Some(lab)
}

impl LabgridLab {
    pub fn python(&self) -> PathBuf {
        self.venv.join("bin/python")
    }

    /// `labgrid-client ARGS` as `user` (another user than culprit's when given).
    pub fn client(&self, args: &[&str], user: Option<&str>) -> Output {
        let mut command = Command::new(self.venv.join("bin/labgrid-client"));
        command.arg("-x").arg(&self.coordinator).args(args);
        if let Some(user) = user {
            command.env("LG_USERNAME", user);
        }
        command.output().unwrap()
    }

    /// (place, holder) of every place someone holds.
    pub fn locked(&self) -> Vec<(String, String)> {
        let out = self.client(&["-v", "places"], None);
        let mut locked = Vec::new();
        let mut place = String::new();
        for line in String::from_utf8_lossy(&out.stdout).lines() {
            if let Some(name) = line
                .strip_prefix("Place '")
                .and_then(|r| r.strip_suffix("':"))
            {
                place = name.to_string();
            } else if let Some(holder) = line.trim().strip_prefix("acquired:") {
                let holder = holder.trim();
                if holder != "None" {
                    locked.push((place.clone(), holder.to_string()));
                }
            }
        }
        locked
    }

    /// The tokens of reservations not yet over.
    pub fn open_reservations(&self) -> Vec<String> {
        let out = self.client(&["reservations"], None);
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let mut open = Vec::new();
        let mut token = None;
        for line in text.lines().map(str::trim) {
            if let Some(t) = line.strip_prefix("token:") {
                token = Some(t.trim().to_string());
            } else if let Some(state) = line.strip_prefix("state:") {
                if matches!(state.trim(), "waiting" | "allocated" | "acquired") {
                    open.extend(token.take());
                }
            }
        }
        open
    }

    /// The `[executor]` section that boots on this lab, with `keys` (`tags = ...` or
    /// `place = ...`, and any other).
    pub fn executor_section(&self, keys: &str) -> String {
        format!(
            "\n[executor]\nkind = \"labgrid\"\ncoordinator = \"{}\"\nenvironment = \"labgrid-env.yaml\"\npython = \"{}\"\n{keys}\n",
            self.coordinator,
            self.python().display()
        )
    }

    /// Checks that culprit holds nothing on the lab any more, `when` saying after what:
    /// no place locked and no reservation open.
    pub fn assert_released(&self, when: &str) {
        assert_eq!(self.locked(), vec![], "places left locked {when}");
        let open = self.open_reservations();
        assert_eq!(open, Vec::<String>::new(), "reservations left open {when}");
    }

    /// The demo's toyos history in a new folder, booting on any of the lab's QEMU places
    /// (tagged board=qemu-x86): (folder, repo).
    pub fn qemu_toyos(&self) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let repo = dir.path().join("toyos");
        self.toyos(dir.path(), &repo, "tags = { board = \"qemu-x86\" }");
        (dir, repo)
    }

    /// The demo's toyos history in `repo`, its culprit.toml given `keys` for the lab and
    /// an environment file that boots toyos (two CPUs, as its tests need). Returns where
    /// the demo planted its events.
    pub fn toyos(&self, cwd: &Path, repo: &Path, keys: &str) -> serde_json::Value {
        let planted = planted_toyos(cwd, repo, &[]);
        std::fs::write(repo.join("labgrid-env.yaml"), TOYOS_ENVIRONMENT).unwrap();
        append_file(&repo.join("culprit.toml"), &self.executor_section(keys));
        planted
    }
}

/// A labgrid environment whose QEMUDriver boots toyos on the place culprit holds.
const TOYOS_ENVIRONMENT: &str = r#"targets:
  main:
    resources:
      RemotePlace:
        name: !template $LG_PLACE
    drivers:
      QEMUDriver:
        qemu_bin: qemu
        machine: pc
        cpu: qemu64
        memory: 64M
        extra_args: "-smp 2 -no-reboot"
        display: fb-headless
tools:
  qemu: qemu-system-x86_64
"#;

/// The QEMU processes whose command line mentions `path`.
pub fn qemus_under(path: &Path) -> Vec<i32> {
    let needle = path.to_string_lossy().into_owned();
    std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<i32>().ok())
        .filter(|pid| {
            let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
            let cmdline = String::from_utf8_lossy(&cmdline);
            cmdline.starts_with("qemu-system") || cmdline.contains("/qemu-system")
        })
        .filter(|pid| {
            let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
            String::from_utf8_lossy(&cmdline).contains(&needle)
        })
        .collect()
}
