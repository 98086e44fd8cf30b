//! Hunts through the real one-node LAVA lab (`scripts/lava-lab start`): the toyos hunt
//! names the same culprit as the local executor with each boot a LAVA job; a job the lab
//! cancels is retried as an infrastructure error; Ctrl-C leaves no job running; jobs a
//! killed culprit left are cancelled by the next command; a lab culprit cannot use is
//! refused before any step.

use crate::common::{self, candidate_verdicts, culprit, json, spawn_toyos_hunt, wait_for};
use crate::lava_lab::{
    api, cancel, executor_section, job_log, jobs_of, lab, lava_toyos, unfinished, Lab, TEMPLATE,
};
use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use std::io::{BufRead, BufReader};
use std::process::Child;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

#[test]
fn the_toyos_hunt_through_lava_names_the_same_culprit_as_the_local_executor() {
    let Some(lab) = lab() else { return };
    let (dir, local_repo, planted) = common::toyos_history(&[]);
    let local = common::toyos_hunt_ok(&local_repo, &[]);
    let repo = dir.path().join("lava");
    lava_toyos(
        dir.path(),
        &repo,
        &executor_section(&lab.url, &lab.token, ""),
        TEMPLATE,
    );
    let out = culprit(
        &repo,
        &[&common::TOYOS_HUNT[..], &["--executor", "lava", "--json"]].concat(),
    );
    let doc = json(&out);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{doc}\n{stderr}");
    assert_eq!(doc["culprit"], planted["culprit"], "{doc}");
    assert_eq!(doc["target"], local["target"]);
    // Every commit both hunts tried got the same verdict.
    let (lava, local) = (candidate_verdicts(&doc), candidate_verdicts(&local));
    let mut shared = 0;
    for (rev, verdict) in &lava {
        if let Some(seen) = local.get(rev) {
            assert_eq!(verdict, seen, "commit {rev}");
            shared += 1;
        }
    }
    assert!(shared >= 5, "only {shared} commits in common");
    // The live display, the log and the reports say which device ran each boot as
    // which job.
    assert!(stderr.contains(" · device qemu-0"), "{stderr}");
    assert!(stderr.contains(" · job "), "{stderr}");
    let text = String::from_utf8_lossy(&culprit(&repo, &["log"]).stdout).into_owned();
    assert!(
        text.contains("device qemu-0") && text.contains(" · job "),
        "{text}"
    );
    for format in ["html", "junit"] {
        let report = culprit(&repo, &["report", "--format", format]);
        let report = String::from_utf8_lossy(&report.stdout);
        assert!(
            report.contains("device qemu-0") && report.contains(" · job "),
            "{format} report: {report}"
        );
    }
    // The job ids are the server's, and each of those jobs booted this tree's kernel.
    let id: u64 = text
        .split(" · job ")
        .nth(1)
        .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|id| id.parse().ok())
        .expect("a job id in the log");
    let job = api(&lab.url, &lab.token, &format!("/jobs/{id}/"));
    assert!(
        job["description"].as_str().unwrap().starts_with("culprit-"),
        "{job}"
    );
    assert!(job_log(&lab.url, &lab.token, id).contains("*** Booting toyos"));
    // The token never shows in what culprit wrote.
    let secret = std::fs::read_to_string(&lab.token).unwrap();
    assert!(!stderr.contains(secret.trim()));
    let journal = std::fs::read(repo.join(".culprit/journal.sqlite")).unwrap_or_default();
    assert!(!String::from_utf8_lossy(&journal).contains(secret.trim()));
}

#[test]
fn a_job_cancelled_on_the_server_mid_boot_is_retried_as_an_infra_error() {
    let Some(lab) = lab() else { return };
    let (_dir, planted, child) = hunt_with_long_silence(&lab);
    let pid = child.id();
    let done = Arc::new(AtomicBool::new(false));
    // Someone at the lab: the first two jobs whose guest hangs in its test are cancelled
    // from the web API while culprit still waits for the silence to run out.
    let outsider = {
        let (done, url, token) = (done.clone(), lab.url.clone(), lab.token.clone());
        std::thread::spawn(move || {
            let mut cancelled = Vec::new();
            while !done.load(Ordering::SeqCst) && cancelled.len() < 2 {
                for (id, state, _) in jobs_of(&url, &token, pid) {
                    if state == "Running"
                        && !cancelled.contains(&id)
                        && hangs(&job_log(&url, &token, id))
                    {
                        cancel(&url, &token, id);
                        cancelled.push(id);
                    }
                }
                std::thread::sleep(Duration::from_millis(200));
            }
            cancelled
        })
    };
    let out = child.wait_with_output().unwrap();
    done.store(true, Ordering::SeqCst);
    let cancelled = outsider.join().unwrap();
    let doc = json(&out);
    assert_eq!(out.status.code(), Some(0), "{doc}");
    assert_eq!(doc["culprit"], planted["culprit"], "{doc}");
    assert_eq!(cancelled.len(), 2, "the outsider cancelled {cancelled:?}");
    // Each cancelled boot was run again, for that reason.
    let retried: u64 = doc["retried"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| {
            r["cause"]
                .as_str()
                .unwrap()
                .contains("canceled on the server, not by culprit")
        })
        .map(|r| r["runs"].as_u64().unwrap())
        .sum();
    assert_eq!(retried, 2, "{doc}");
}

#[test]
fn ctrl_c_leaves_no_job_running_and_sigkill_leaves_jobs_the_next_command_cancels() {
    let Some(lab) = lab() else { return };
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("toyos");
    // A boot action that waits for a prompt the guest never prints: a job runs until
    // culprit (or its timeout) ends it, so what a killed culprit left is still running.
    let template = TEMPLATE.replace("PROJECT EXECUTION SUCCESSFUL", "a prompt never printed");
    lava_toyos(
        dir.path(),
        &repo,
        &executor_section(&lab.url, &lab.token, ""),
        &template,
    );
    let running = |pid: u32| {
        jobs_of(&lab.url, &lab.token, pid)
            .iter()
            .any(|(_, state, _)| state == "Running")
    };
    // Ctrl-C: culprit cancels its jobs and waits until they are over.
    let child = spawn_toyos_hunt(&repo, "lava");
    let pid = child.id();
    wait_for("a running job", Duration::from_secs(180), || running(pid));
    kill(Pid::from_raw(pid as i32), Signal::SIGINT).unwrap();
    let out = child.wait_with_output().unwrap();
    common::assert_exit(&out, 130);
    assert_eq!(
        unfinished(&jobs_of(&lab.url, &lab.token, pid)),
        Vec::<u64>::new()
    );
    // SIGKILL: the job runs on; the next command cancels it before it starts its own.
    let child = spawn_toyos_hunt(&repo, "lava");
    let pid = child.id();
    wait_for("a running job", Duration::from_secs(180), || running(pid));
    kill(Pid::from_raw(pid as i32), Signal::SIGKILL).unwrap();
    let _ = child.wait_with_output();
    let left = unfinished(&jobs_of(&lab.url, &lab.token, pid));
    assert!(!left.is_empty(), "the killed culprit's jobs ran on");
    let mut next = spawn_toyos_hunt(&repo, "lava");
    let stderr = next.stderr.take().unwrap();
    let said = BufReader::new(stderr)
        .lines()
        .map_while(Result::ok)
        .find(|line| line.contains("that an earlier culprit left"));
    kill(Pid::from_raw(next.id() as i32), Signal::SIGINT).unwrap();
    let _ = next.wait();
    let said = said.expect("the next command says what it cancelled");
    assert!(
        left.iter().any(|id| said.contains(&id.to_string())),
        "{said} names none of {left:?}"
    );
    assert_eq!(
        unfinished(&jobs_of(&lab.url, &lab.token, pid)),
        Vec::<u64>::new()
    );
}

#[test]
fn a_lab_culprit_cannot_use_is_refused_before_any_step() {
    let Some(lab) = lab() else { return };
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("toyos");
    lava_toyos(dir.path(), &repo, "", TEMPLATE);
    let toml = repo.join("culprit.toml");
    let base = std::fs::read_to_string(&toml).unwrap();
    let wrong_token = dir.path().join("wrong-token");
    std::fs::write(&wrong_token, "not-a-token\n").unwrap();
    let cases: [(&str, String, &str, &[&str]); 5] = [
        (
            "a wrong token",
            executor_section(&lab.url, &wrong_token, ""),
            TEMPLATE,
            &["refused the API token", "Invalid token"],
        ),
        (
            "an unknown device type",
            executor_section(&lab.url, &lab.token, "").replace("\"qemu\"", "\"no-such-board\""),
            TEMPLATE,
            &["has no device type `no-such-board`"],
        ),
        (
            "a template without the artifact's placeholder",
            executor_section(&lab.url, &lab.token, ""),
            &TEMPLATE.replace("{url:kernel}", "http://example.org/kernel"),
            &["has no artifact placeholder", "{url:NAME}"],
        ),
        (
            "an unreachable server",
            executor_section("http://127.0.0.1:9", &lab.token, ""),
            TEMPLATE,
            &["cannot be reached", "http://127.0.0.1:9"],
        ),
        (
            "a definition the server rejects",
            executor_section(&lab.url, &lab.token, ""),
            &TEMPLATE.replace("priority: medium", "priority: medium\nno_such_key: 1"),
            &[
                "rejects the job made from",
                "lava-boot.yaml",
                "extra keys not allowed",
            ],
        ),
    ];
    for (what, section, template, parts) in cases {
        std::fs::write(&toml, format!("{base}{section}")).unwrap();
        std::fs::write(repo.join("lava-boot.yaml"), template).unwrap();
        let out = culprit(&repo, &common::TOYOS_HUNT);
        let stderr = String::from_utf8_lossy(&out.stderr);
        common::assert_case_refused(what, &out, parts);
        assert!(!stderr.contains("testing"), "{what}: a step ran: {stderr}");
        assert!(!stderr.contains("panicked"), "{what}: {stderr}");
    }
}

/// Starts the toyos hunt through the lab in a new folder with 20 s of silence instead of
/// 2 s, so that what the lab does to a hanging guest lands while culprit still waits on
/// it. Returns the folder, where the demo planted its events, and the running hunt.
fn hunt_with_long_silence(lab: &Lab) -> (tempfile::TempDir, serde_json::Value, Child) {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("toyos");
    let section = executor_section(&lab.url, &lab.token, "");
    let planted = lava_toyos(dir.path(), &repo, &section, TEMPLATE);
    let toml = repo.join("culprit.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    // Learned deadlines off: every hang waits its whole 20 s, so whoever watches the job's
    // log (which LAVA publishes in batches) sees the hang before culprit gives up on it.
    // The job's own timeout (the test's) stays well past that silence.
    let text = text
        .replace("silence = \"2s\"", "silence = \"20s\"")
        .replace("timeout = \"30s\"", "timeout = \"90s\"");
    assert!(text.contains("silence = \"20s\"") && text.contains("timeout = \"90s\""));
    std::fs::write(
        &toml,
        format!("{text}\n[bisect]\nlearned_deadlines = \"off\"\n"),
    )
    .unwrap();
    (dir, planted, spawn_toyos_hunt(&repo, "lava"))
}

/// The console of a job (its log) shows smp_semaphore started and not ended: the hang
/// the toyos hunt looks for, during which culprit waits for the silence to run out.
fn hangs(log: &str) -> bool {
    log.contains("START - smp_semaphore") && !log.contains("PASS - smp_semaphore")
}

/// Sets the health of `device` with LAVA's own admin command, as a lab admin would.
fn set_health(device: &str, health: &str) {
    let status = std::process::Command::new("lava-server")
        .args(["manage", "devices", "update", "--health", health, device])
        .env("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")
        .status()
        .unwrap();
    assert!(
        status.success(),
        "lava-server manage devices update {device}"
    );
}

#[test]
fn a_device_taken_offline_under_a_hanging_boot_is_an_infra_error_not_a_hang() {
    let Some(lab) = lab() else { return };
    let (_dir, planted, child) = hunt_with_long_silence(&lab);
    let pid = child.id();
    // The admin: the device of the first boot that hangs in its test goes to maintenance,
    // and comes back once culprit has given up on that boot.
    let mut taken = None;
    wait_for(
        "a boot hanging in its test",
        Duration::from_secs(300),
        || {
            for (id, state, _) in jobs_of(&lab.url, &lab.token, pid) {
                let log = job_log(&lab.url, &lab.token, id);
                if state == "Running" && hangs(&log) {
                    let job = api(&lab.url, &lab.token, &format!("/jobs/{id}/"));
                    let device = job["actual_device"].as_str().unwrap().to_string();
                    set_health(&device, "MAINTENANCE");
                    taken = Some((id, device));
                    return true;
                }
            }
            false
        },
    );
    let (id, device) = taken.unwrap();
    wait_for("the job to end", Duration::from_secs(120), || {
        api(&lab.url, &lab.token, &format!("/jobs/{id}/"))["state"] == "Finished"
    });
    set_health(&device, "GOOD");
    let out = child.wait_with_output().unwrap();
    let doc = json(&out);
    assert_eq!(out.status.code(), Some(0), "{doc}");
    assert_eq!(doc["culprit"], planted["culprit"], "{doc}");
    // The boot on the device taken away was run again, for that reason (LAVA may also
    // end the job itself when its device goes to maintenance).
    let retried = doc["retried"].to_string();
    assert!(
        retried.contains(&format!("device {device} was taken offline"))
            || retried.contains(&format!("LAVA job {id} on {device}")),
        "{doc}"
    );
}
