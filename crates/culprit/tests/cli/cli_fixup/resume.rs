//! A hunt killed while it searches for the fix up front resumes from its journal without
//! building one fix-search commit again.

use super::window::{toml, History, FIX, SPLIT};
use super::{assert_exact, window};
use crate::common::{culprit, json};
use serde_json::Value;
use std::path::Path;

/// The commits the fix search built, as numbers, in the journal's order.
fn probe_steps(repo: &Path, history: &History) -> Vec<usize> {
    let out = culprit(repo, &["log", "--json"]);
    let log: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    log["steps"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|s| s["candidate"]["phase"] == "fixup-probe")
        .map(|s| history.number(s["candidate"]["key"].as_str().unwrap()))
        .collect()
}

#[test]
fn a_killed_up_front_hunt_resumes_without_redoing_the_fix_search() {
    let (dir, repo, history) = window(false);
    // Each boot leaves a mark and takes a second (within a longer silence allowed):
    // the kill comes while a boot runs, never while git checks a commit out (a killed
    // git leaves its index locked).
    let booting = dir.path().join("booting");
    let marked = toml()
        .replace(
            "command = \"echo 'Linux version 6.1';",
            &format!(
                "command = \"touch {}; echo 'Linux version 6.1'; sleep 1;",
                booting.display()
            ),
        )
        .replace("silence = \"1s\"", "silence = \"3s\"");
    assert!(marked.contains("sleep 1;") && marked.contains("silence = \"3s\""));
    std::fs::write(repo.join("culprit.toml"), marked).unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_culprit"))
        .args([
            "bisect",
            "--good",
            &history.ids[0],
            "--bad",
            "main",
            "--auto-fixup",
            "--json",
            "--allow-dirty",
        ])
        .current_dir(&repo)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Kill it, with no chance to clean up, once the search goes on with the fix.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let fixed_up = || {
        let out = culprit(&repo, &["log", "--json"]);
        let log: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
        log["steps"]
            .as_array()
            .is_some_and(|s| s.iter().any(|s| s["candidate"]["phase"] == "search-fixup"))
    };
    while !fixed_up() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let _ = std::fs::remove_file(&booting);
    while !booting.exists() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let before = probe_steps(&repo, &history);
    assert!(!before.is_empty(), "no fix search before the kill");
    assert!(
        before.iter().all(|n| (SPLIT..FIX).contains(n)),
        "{before:?}"
    );

    let out = culprit(&repo, &["bisect", "--resume", "--json"]);
    let doc = json(&out);
    assert_exact(&history, out.status.code(), &doc, false);
    // The resumed session replayed the fix search from the journal: not one probe more.
    assert_eq!(probe_steps(&repo, &history), before, "{doc}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("resumed: "), "{stderr}");
}
