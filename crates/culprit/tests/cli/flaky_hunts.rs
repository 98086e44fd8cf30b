//! `culprit bisect` of intermittent failures and with a prior from the crash, on real
//! git histories whose boots are small shell scripts: a flake throughout the range ends
//! `flake` (exit 1) in every report; a crash that names a function favours the commits
//! whose diff touches it, which saves steps when one of them is the culprit and costs
//! few when it is a decoy.

use crate::common;

use common::{culprit, git, json, new_dir, quick_bisect};
use std::path::{Path, PathBuf};

/// A boot that fails about 30% of its runs on every commit: a hash of a counter kept
/// outside the repository is the coin, so the runs are the same from one test run to
/// the next.
fn flake_command(counter: &Path) -> String {
    format!(
        r#"{}; if [ $(( ((k * 2654435761) >> 9) % 100 )) -lt 30 ]; then echo 'Kernel panic - not syncing: flake'; else echo BOOT-OK; fi"#,
        common::count_boot(counter)
    )
}

#[test]
fn a_flake_throughout_the_range_ends_flake_with_exit_1_in_every_report() {
    let dir = tempfile::tempdir().unwrap();
    let command = flake_command(&dir.path().join("counter"));
    let (repo, ids) = common::boot_repo(dir.path(), 60, &command, "");
    let out = culprit(
        &repo,
        &[
            "bisect", "--good", &ids[0], "--bad", "main", "--flaky", "--json",
        ],
    );
    let doc = json(&out);
    assert_eq!(out.status.code(), Some(1), "{doc}");
    assert_eq!(doc["status"], "flake", "{doc}");
    assert!(doc["culprit"].is_null(), "{doc}");
    assert!(doc["confidence"].as_f64().unwrap() >= 0.99, "{doc}");
    let message = doc["message"].as_str().unwrap().to_string();
    assert!(
        message.starts_with("no commit in the range changes how often this fails: it failed "),
        "{message}"
    );
    // The good endpoint ran again as a candidate of the search.
    let good = doc["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["rev"] == ids[0].as_str())
        .unwrap();
    assert!(good["runs"].as_array().unwrap().len() > 1, "{good}");
    let rate = doc["flaky"]["p_fail_if_bad"].as_f64().unwrap();
    assert!((0.15..0.45).contains(&rate), "{doc}");

    let log = String::from_utf8(culprit(&repo, &["log"]).stdout).unwrap();
    assert!(log.contains("): flake,") && log.contains(&message), "{log}");
    for format in ["md", "html", "junit", "json"] {
        let out = culprit(&repo, &["report", "--format", format]);
        assert_eq!(out.status.code(), Some(0), "{format}");
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains("flake"), "{format}: {text}");
        assert!(
            text.contains("no commit in the range changes how often this fails"),
            "{format}: {text}"
        );
    }
}

/// A history of `commits` commits whose boot warns in `pick_next_task` from commit
/// `culprit` on; the commits in `touching` change a line inside that function (git's
/// hunk header names it), the others only `n`.
fn sched_repo(
    dir: &Path,
    commits: usize,
    culprit: usize,
    touching: &[usize],
) -> (PathBuf, Vec<String>) {
    let repo = new_dir(dir, "repo");
    git(&repo, &["init", "-q", "-b", "main"]);
    let command = format!(
        "n=$(cat n); if [ $n -ge {culprit} ]; then echo '------------[ cut here ]------------'; echo 'WARNING: CPU: 0 PID: 1 at kernel/sched/core.c:120 pick_next_task+0x12/0x40'; echo 'Call Trace:'; echo ' pick_next_task+0x12/0x40'; echo ' schedule+0x20/0x80'; echo '---[ end trace 0000000000000000 ]---'; echo 'Kernel panic - not syncing: panic_on_warn set'; else echo BOOT-OK; fi"
    );
    std::fs::write(
        repo.join("culprit.toml"),
        format!("[[test]]\nname = \"boot\"\ncommand = \"{command}\"\nsuccess = [\"BOOT-OK\"]\n"),
    )
    .unwrap();
    std::fs::write(repo.join(".gitignore"), ".culprit/\n").unwrap();
    let mut ids = Vec::new();
    for i in 1..=commits {
        std::fs::write(repo.join("n"), format!("{i}\n")).unwrap();
        let step = if touching.contains(&i) { i } else { 0 };
        std::fs::write(
            repo.join("sched.c"),
            format!("int pick_next_task(int cpu)\n{{\n\tint next = cpu + {step};\n\treturn next;\n}}\n\nint other(int x)\n{{\n\treturn x;\n}}\n"),
        )
        .unwrap();
        git(&repo, &["add", "-A"]);
        git(&repo, &["commit", "-q", "-m", &format!("commit {i}")]);
        ids.push(git(&repo, &["rev-parse", "HEAD"]));
    }
    (repo, ids)
}

/// The commits a hunt's prior favoured.
fn favoured(doc: &serde_json::Value) -> Vec<String> {
    doc["prior"]["favoured"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f[0].as_str().unwrap().to_string())
        .collect()
}

/// The steps a hunt from the first commit to `main` takes with `prior`, and its answer.
fn hunt_with(repo: &Path, good: &str, prior: &str) -> serde_json::Value {
    let out = culprit(
        repo,
        &[&quick_bisect(good)[..], &["--prior", prior, "--json"]].concat(),
    );
    let doc = json(&out);
    assert_eq!(out.status.code(), Some(0), "{doc}");
    doc
}

#[test]
fn a_crash_prior_on_the_culprit_saves_steps_and_a_decoy_costs_few() {
    let dir = tempfile::tempdir().unwrap();
    let (culprit_at, decoy) = (137, 60);
    // The culprit touches the function the warning names (and so does a commit after
    // it, which changes it back: it is not a suspect once the culprit is found).
    let (repo, ids) = sched_repo(
        &new_dir(dir.path(), "helped"),
        200,
        culprit_at,
        &[culprit_at, 180],
    );
    let none = hunt_with(&repo, &ids[0], "none");
    let crash = hunt_with(&repo, &ids[0], "crash");
    for doc in [&none, &crash] {
        assert_eq!(doc["culprit"], ids[culprit_at - 1].as_str(), "{doc}");
    }
    assert_eq!(none["prior"]["choice"], "none", "{none}");
    assert_eq!(crash["prior"]["choice"], "crash", "{crash}");
    // The title's function, then the report's first frames.
    assert_eq!(
        common::strings(&crash["prior"]["functions"]),
        ["pick_next_task", "schedule"],
        "{crash}"
    );
    assert!(favoured(&crash).contains(&ids[culprit_at - 1]), "{crash}");
    let steps = |doc: &serde_json::Value| doc["steps"].as_u64().unwrap();
    assert!(
        steps(&crash) + 3 <= steps(&none),
        "crash prior {} steps, none {}",
        steps(&crash),
        steps(&none)
    );

    // A decoy touches the function and the culprit does not: the answer is the same,
    // for a few more steps at most.
    let (repo, ids) = sched_repo(&new_dir(dir.path(), "misled"), 200, culprit_at, &[decoy]);
    let none = hunt_with(&repo, &ids[0], "none");
    let crash = hunt_with(&repo, &ids[0], "crash");
    assert_eq!(crash["culprit"], ids[culprit_at - 1].as_str(), "{crash}");
    // The decoy and the commit after it, which changes the function back; newest first.
    assert_eq!(
        favoured(&crash),
        [ids[decoy].clone(), ids[decoy - 1].clone()],
        "{crash}"
    );
    assert!(
        steps(&crash) <= steps(&none) + 3,
        "{} against {}",
        steps(&crash),
        steps(&none)
    );
    // Earlier sessions answered every step of those hunts; a hunt with unknown rates
    // takes none of their answers: each of its runs is a new sample.
    let out = culprit(
        &repo,
        &[
            "bisect", "--good", &ids[0], "--bad", "main", "--flaky", "--json",
        ],
    );
    let flaky = json(&out);
    assert_eq!(flaky["culprit"], ids[culprit_at - 1].as_str(), "{flaky}");
    assert_eq!(flaky["cached"], 0, "{flaky}");
    let text =
        String::from_utf8(culprit(&repo, &["report", "--format", "md", "2"]).stdout).unwrap();
    assert!(
        text.contains(r"prior: crash, from pick\_next\_task, schedule; favoured "),
        "{text}"
    );
}
