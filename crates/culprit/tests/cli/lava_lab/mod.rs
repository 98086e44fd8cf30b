//! What the hunts through the real LAVA lab (`scripts/lava-lab start`) share: finding
//! the lab, a toyos history whose boots are LAVA jobs, and the server's view of the jobs
//! a culprit gave it (read through its REST API with curl, as an outsider would).

use crate::common::{append_file, planted_toyos};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, MutexGuard};

/// Where `scripts/lava-lab start` leaves the server's URL and the API token.
const LAB: &str = "/run/culprit-lava";

/// One test at a time on the lab: its two devices are what the hunts' `-j 2` and the
/// tests' own faults (a device taken offline, a job cancelled) act on, and a test must
/// not take another's boots for its own.
static LAB_TURN: Mutex<()> = Mutex::new(());

/// The running lab as one test sees it: its URL, the file holding its API token, and
/// the test's turn on it (held until the test ends).
pub struct Lab {
    pub url: String,
    pub token: PathBuf,
    _turn: MutexGuard<'static, ()>,
}

/// The lab, this test's turn on it taken; `None` (the test skips) when the lab is not
/// running, unless CULPRIT_LAVA is set: then the test fails.
pub fn lab() -> Option<Lab> {
    let url = std::fs::read_to_string(Path::new(LAB).join("url")).ok();
    let token = Path::new(LAB).join("token");
    match url {
        Some(url) if token.exists() => {
            // A test that failed while it held the lab leaves nothing the next one needs.
            let turn = LAB_TURN
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            Some(Lab {
                url: url.trim().to_string(),
                token,
                _turn: turn,
            })
        }
        _ => {
            assert!(
                std::env::var_os("CULPRIT_LAVA").is_none(),
                "CULPRIT_LAVA is set but no LAVA lab runs: `sudo scripts/lava-lab start`"
            );
            eprintln!("skipped: no LAVA lab (start one with `sudo scripts/lava-lab start`)");
            None
        }
    }
}

/// A job template that boots the toyos kernel on the lab's QEMU device, as `culprit
/// init --lab lava` writes one.
pub const TEMPLATE: &str = "device_type: {device_type}
job_name: toyos boot
timeouts:
  job: {seconds: {timeout}}
  action: {seconds: {timeout}}
priority: medium
visibility: public
context:
  arch: amd64
  extra_options:
  - -smp 2
  - -append {command_line}
actions:
- deploy:
    to: tmpfs
    images:
      kernel:
        image_arg: -kernel {kernel}
        url: {url:kernel}
- boot:
    method: qemu
    media: tmpfs
    prompts: ['PROJECT EXECUTION SUCCESSFUL']
";

/// The `[executor]` section for the lab at `url` with the token in `token`, and `extra`
/// keys.
pub fn executor_section(url: &str, token: &Path, extra: &str) -> String {
    format!(
        "\n[executor]\nkind = \"lava\"\nurl = \"{url}\"\ntoken_file = \"{}\"\ntemplate = \"lava-boot.yaml\"\ndevice_type = \"qemu\"\nartifacts = {{ kernel = \"{{tree}}/build/kernel.elf\" }}\ncommand_line = \"test={{test}}\"\n{extra}",
        token.display()
    )
}

/// The demo's toyos history in `repo`, its culprit.toml given `section`, and the
/// template `template`. Returns where the demo planted its events.
pub fn lava_toyos(dir: &Path, repo: &Path, section: &str, template: &str) -> serde_json::Value {
    let planted = planted_toyos(dir, repo, &[]);
    append_file(&repo.join("culprit.toml"), section);
    std::fs::write(repo.join("lava-boot.yaml"), template).unwrap();
    planted
}

/// The lab's jobs that the culprit process `pid` submitted: (id, state, health).
pub fn jobs_of(url: &str, token: &Path, pid: u32) -> Vec<(u64, String, String)> {
    let doc = api(url, token, "/jobs/?limit=200&ordering=-id");
    let prefix = format!("culprit-{pid}-");
    doc["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|job| {
            job["description"]
                .as_str()
                .unwrap_or("")
                .starts_with(&prefix)
        })
        .map(|job| {
            (
                job["id"].as_u64().unwrap(),
                job["state"].as_str().unwrap().to_string(),
                job["health"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// GET `path` of the API v0.2 as JSON.
pub fn api(url: &str, token: &Path, path: &str) -> serde_json::Value {
    let out = curl(url, token, path, "-sf");
    assert!(out.status.success(), "curl {path} failed");
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The job's log (the lines the server has), as text.
pub fn job_log(url: &str, token: &Path, id: u64) -> String {
    let out = curl(url, token, &format!("/jobs/{id}/logs/?start=0"), "-s");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// GET `path` of the API v0.2 with the token, curl given `flags`: the one place that
/// says how the tests authenticate, as an outsider's script would.
fn curl(url: &str, token: &Path, path: &str, flags: &str) -> std::process::Output {
    let secret = std::fs::read_to_string(token).unwrap();
    Command::new("curl")
        .args([flags, "-H"])
        .arg(format!("Authorization: Token {}", secret.trim()))
        .arg(format!("{url}/api/v0.2{path}"))
        .output()
        .unwrap()
}

/// Cancels job `id` through the web API, as someone at the lab would.
pub fn cancel(url: &str, token: &Path, id: u64) {
    api(url, token, &format!("/jobs/{id}/cancel/"));
}

pub fn unfinished(jobs: &[(u64, String, String)]) -> Vec<u64> {
    jobs.iter()
        .filter(|(_, state, _)| state != "Finished")
        .map(|(id, _, _)| *id)
        .collect()
}
