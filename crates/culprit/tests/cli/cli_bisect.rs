//! `culprit bisect` on real git histories whose test commands are small shell scripts:
//! hangs, masking crashes, unbuildable windows, resume after SIGKILL, build directories
//! kept warm across a resume and the next hunt, bad input.

use crate::common;

use common::{culprit, git, invocations, json, linear_repo, toml};

#[test]
fn finds_the_hang_past_an_unbuildable_window_and_a_masking_crash() {
    let (_dir, repo, log) = common::scratch();
    let ids = linear_repo(&repo, 60, &toml(41, (20, 26), (10, 13), &log));
    for jobs in ["1", "2"] {
        let out = culprit(
            &repo,
            &[
                "bisect", "--good", &ids[0], "--bad", "main", "-j", jobs, "--json",
            ],
        );
        let doc = json(&out);
        assert_eq!(out.status.code(), Some(0), "{doc}");
        assert_eq!(doc["status"], "found");
        assert_eq!(doc["culprit"], ids[40].as_str(), "commit 41 is the culprit");
        assert_eq!(doc["commit"]["subject"], "commit 41");
        assert_eq!(doc["confidence"], 1.0);
        assert_eq!(doc["target"]["boot"], "hang at stage init");
        let candidates = doc["candidates"].as_array().unwrap();
        for c in candidates {
            let rev = c["rev"].as_str().unwrap();
            let n = ids.iter().position(|id| id == rev).unwrap() + 1;
            let verdict = c["verdict"].as_str().unwrap();
            if (20..=26).contains(&n) {
                assert!(verdict.contains("lib_types.h"), "{n}: {verdict}");
            } else if (10..=13).contains(&n) {
                assert!(verdict.contains("Attempted to kill init"), "{n}: {verdict}");
            } else if n >= 41 {
                assert!(verdict.starts_with("bad"), "{n}: {verdict}");
            } else {
                assert!(verdict.starts_with("good"), "{n}: {verdict}");
            }
        }
        assert!(doc["runs"].as_u64().unwrap() <= 12, "{doc}");
    }
}

#[test]
fn a_culprit_bordering_unbuildable_commits_is_reported_as_a_suspect_set() {
    let (_dir, repo, log) = common::scratch();
    let ids = linear_repo(&repo, 40, &toml(30, (26, 29), (0, 0), &log));
    // The commit that ends the window is the culprit: a fix found after the end or up
    // front carries the failure, and the trust rule keeps the answer the same set.
    for extra in [&[][..], &["--auto-fixup"]] {
        let mut args = vec!["bisect", "--good", &ids[0], "--bad", "main", "--json"];
        args.extend_from_slice(extra);
        assert_window_suspects(&ids, &culprit(&repo, &args));
    }
}

/// The answer of the history above: commits 26 to 30, 30 the first bad one.
fn assert_window_suspects(ids: &[String], out: &std::process::Output) {
    let doc = json(out);
    assert_eq!(out.status.code(), Some(1), "{doc}");
    assert_eq!(doc["status"], "ambiguous");
    assert!(doc["culprit"].is_null());
    let suspects = common::field_pairs(&doc["suspects"], "rev", "reason");
    let expected: Vec<&String> = ids[25..30].iter().collect();
    assert_eq!(suspects.len(), expected.len(), "{suspects:?}");
    for (rev, reason) in &suspects {
        let n = ids.iter().position(|id| id == rev).unwrap() + 1;
        if n == 30 {
            assert_eq!(reason, "first bad commit");
        } else {
            assert!(
                (26..=29).contains(&n) && reason.contains("lib_types.h"),
                "{n}: {reason}"
            );
        }
    }
}

#[test]
fn resumes_after_sigkill_without_rerunning_a_finished_step() {
    let (_dir, repo, log) = common::scratch();
    let ids = linear_repo(&repo, 100, &common::slow_toml(70, &log));
    let args = [&common::quick_bisect(&ids[0])[..], &["--json"]].concat();
    // Let it finish a few steps, then kill it with no chance to clean up.
    let before = common::kill_after_boots(&repo, &args, &log, 4);

    let out = culprit(&repo, &["bisect", "--resume", "--json"]);
    let doc = json(&out);
    assert_eq!(out.status.code(), Some(0), "{doc}");
    assert_eq!(doc["culprit"], ids[69].as_str());
    common::assert_only_the_interrupted_step_repeats(&invocations(&log), &before);
    // The killed run already showed the steps the journal holds: the resumed one marks
    // them as replayed, and announces as new only the steps it really runs.
    let (recorded, replayed, new) = common::resumed_lines(&out.stderr, "; testing ");
    assert!(recorded >= before.len() - 1, "{recorded} {before:?}");
    // The two endpoints are in the journal too, and have no "testing" line.
    assert_eq!(
        replayed,
        recorded - 2,
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        new,
        invocations(&log).len() - before.len(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let again = culprit(&repo, &["bisect", "--resume"]);
    assert_eq!(
        again.status.code(),
        Some(2),
        "a finished session cannot be resumed"
    );
}

#[test]
fn artifact_lists_and_git_bisect_run_scripts() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path();
    git(repo, &["init", "-q", "-b", "main"]);
    let mut list = String::new();
    for i in 0..12 {
        std::fs::write(repo.join(format!("image-{i}.bin")), format!("{i}\n")).unwrap();
        list.push_str(&format!("image-{i}.bin\n"));
    }
    std::fs::write(repo.join("images.txt"), list).unwrap();
    std::fs::write(
        repo.join("check.sh"),
        "#!/bin/sh\n# a git bisect run script: 0 good, 1 bad\nn=$(cat \"$1\")\n[ \"$n\" -lt 7 ]\n",
    )
    .unwrap();
    std::fs::write(
        repo.join("culprit.toml"),
        "[[test]]\nname = \"script\"\ncommand = \"sh check.sh {artifact}\"\nexit_codes = \"bisect\"\n",
    )
    .unwrap();
    let out = culprit(repo, &["bisect", "--list", "images.txt", "--json"]);
    let doc = json(&out);
    assert_eq!(out.status.code(), Some(0), "{doc}");
    assert!(
        doc["culprit"].as_str().unwrap().ends_with("image-7.bin"),
        "{doc}"
    );
}

#[test]
fn intermittent_failures_switch_to_the_bayesian_search() {
    let dir = tempfile::tempdir().unwrap();
    let counter = dir.path().join("counter");
    // From commit 25 on, the boot panics on about half of the runs; a counter outside
    // the repository makes the coin deterministic for the test.
    let command = format!(
        r#"n=$(cat n); {}; if [ $n -ge 25 ] && [ $(( (k * 7919) % 10 )) -lt 5 ]; then echo 'Kernel panic - not syncing: race'; else echo BOOT-OK; fi"#,
        common::count_boot(&counter)
    );
    let (repo, ids) = common::boot_repo(dir.path(), 40, &command, "");
    let args = [&common::bisect_args(&ids[0])[..], &["--flaky"]].concat();
    let doc = json(&culprit(&repo, &args));
    assert_eq!(doc["status"], "found", "{doc}");
    assert_eq!(doc["culprit"], ids[24].as_str(), "{doc}");
    assert!(doc["confidence"].as_f64().unwrap() >= 0.99);
    let p = doc["flaky"]["p_fail_if_bad"].as_f64().unwrap();
    assert!((0.2..0.8).contains(&p), "{doc}");
}

#[test]
fn bad_input_is_refused_with_exit_code_2() {
    let (_dir, repo, log) = common::scratch();
    let ids = linear_repo(&repo, 10, &toml(5, (0, 0), (0, 0), &log));
    let check = |args: &[&str], needle: &str| {
        common::assert_bad_input(&culprit(&repo, args), &[needle]);
    };
    check(&["bisect", "--resume"], "no bisection to resume");
    check(
        &["bisect", "--good", "no-such-rev", "--bad", "main"],
        "unknown revision `no-such-rev`",
    );
    check(
        &["bisect", "--good", "main", "--bad", "main"],
        "same commit",
    );
    check(&["bisect", "--good", "main", "--bad", &ids[2]], "swap");
    check(
        &["bisect", "--good", &ids[6], "--bad", "main"],
        "good revision",
    );
    check(
        &["bisect", "--good", &ids[0], "--bad", &ids[2]],
        "shows no failure",
    );
    check(
        &[
            "bisect", "--good", &ids[0], "--bad", "main", "--target", "crash",
        ],
        "--target",
    );
    std::fs::write(repo.join("n"), "dirty\n").unwrap();
    check(
        &["bisect", "--good", &ids[0], "--bad", "main"],
        "uncommitted changes",
    );
    git(&repo, &["checkout", "-q", "n"]);

    let plain = tempfile::tempdir().unwrap();
    std::fs::write(
        plain.path().join("culprit.toml"),
        "[[test]]\nname = \"t\"\ncommand = \"true\"\n",
    )
    .unwrap();
    let out = culprit(plain.path(), &["bisect", "--good", "a", "--bad", "b"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not inside a git repository"));
}

/// A history where commit 4 adds the file `bug` (the boot panics while it exists) and
/// later commits change other files, so the culprit reverts cleanly.
fn bug_file_repo(repo: &std::path::Path, toml: &str) -> Vec<String> {
    git(repo, &["init", "-q", "-b", "main"]);
    std::fs::write(repo.join("culprit.toml"), toml).unwrap();
    std::fs::write(repo.join(".gitignore"), ".culprit/\n").unwrap();
    let mut ids = Vec::new();
    for i in 1..=8 {
        if i == 4 {
            std::fs::write(repo.join("bug"), "x\n").unwrap();
        } else {
            std::fs::write(repo.join("n"), format!("{i}\n")).unwrap();
        }
        ids.push(common::commit_all(repo, &format!("commit {i}")));
    }
    ids
}

const BUG_FILE_TEST: &str = "[[test]]\nname = \"boot\"\ncommand = \"if [ -e bug ]; then echo 'Kernel panic - not syncing: bug'; else echo BOOT-OK; fi\"\nsuccess = [\"BOOT-OK\"]\n";

#[test]
fn verify_revert_reverts_the_culprit_on_top_of_bad() {
    let dir = tempfile::tempdir().unwrap();
    let ids = bug_file_repo(dir.path(), BUG_FILE_TEST);
    let out = culprit(
        dir.path(),
        &[
            "bisect",
            "--good",
            &ids[0],
            "--bad",
            "main",
            "--verify-revert",
            "--json",
        ],
    );
    let doc = json(&out);
    assert_eq!(out.status.code(), Some(0), "{doc}");
    assert_eq!(doc["culprit"], ids[3].as_str());
    let verification = common::strings(&doc["verification"]);
    assert!(
        verification
            .iter()
            .any(|v| v.contains("reverting it on top of the bad revision: good")),
        "{verification:?}"
    );
}

#[test]
fn infrastructure_errors_are_retried_not_counted() {
    let dir = tempfile::tempdir().unwrap();
    let flags = tempfile::tempdir().unwrap();
    // The first boot of every commit fails to start QEMU; the second one works.
    let toml = format!(
        "[[test]]\nname = \"boot\"\ncommand = \"n=$(cat n); f={}/$n; if [ ! -e $f ]; then touch $f; echo 'qemu-system-x86_64: could not load kernel /x/bzImage' >&2; exit 1; fi; if [ -e bug ]; then echo 'Kernel panic - not syncing: bug'; else echo BOOT-OK; fi\"\nsuccess = [\"BOOT-OK\"]\n",
        flags.path().display()
    );
    let ids = bug_file_repo(dir.path(), &toml);
    let doc = common::bisect_ok(dir.path(), &ids[0]);
    assert_eq!(doc["culprit"], ids[3].as_str(), "{doc}");
    // Every boot that could not start was run again; none became a verdict.
    assert!(common::infra_errors(&doc) > 0, "{doc}");
}

#[test]
fn first_parent_blames_the_merge_that_brought_the_bug_in() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path();
    git(repo, &["init", "-q", "-b", "main"]);
    std::fs::write(repo.join("culprit.toml"), BUG_FILE_TEST).unwrap();
    std::fs::write(repo.join(".gitignore"), ".culprit/\n").unwrap();
    let step = |file: &str, msg: &str| {
        std::fs::write(repo.join(file), msg).unwrap();
        common::commit_all(repo, msg)
    };
    let base = step("a", "base");
    git(repo, &["checkout", "-q", "-b", "side"]);
    step("s", "side one");
    let side_bug = step("bug", "side: the bug");
    step("s", "side three");
    git(repo, &["checkout", "-q", "main"]);
    step("b", "main one");
    step("c", "main two");
    git(
        repo,
        &["merge", "-q", "--no-ff", "-m", "merge side", "side"],
    );
    let merge = git(repo, &["rev-parse", "HEAD"]);
    step("d", "main three");

    let out = culprit(repo, &common::bisect_args(&base));
    assert_eq!(json(&out)["culprit"], side_bug.as_str());
    let out = culprit(
        repo,
        &[
            "bisect",
            "--good",
            &base,
            "--bad",
            "main",
            "--first-parent",
            "--json",
        ],
    );
    assert_eq!(json(&out)["culprit"], merge.as_str(), "{}", json(&out));
}

#[test]
fn identical_artifacts_are_not_booted_again() {
    let (_dir, repo, boots) = common::scratch();
    // The image is built from `src` only; most commits change `NOTES` alone, so their
    // images are identical and one boot serves them all.
    let toml = format!(
        "[build]\ncommand = \"cp src image.bin\"\nartifacts = [\"image.bin\"]\n\n[[test]]\nname = \"boot\"\ncommand = \"echo x >> {}; if grep -q bug image.bin; then echo 'Kernel panic - not syncing: bug'; else echo BOOT-OK; fi\"\nsuccess = [\"BOOT-OK\"]\n",
        boots.display()
    );
    git(&repo, &["init", "-q", "-b", "main"]);
    std::fs::write(repo.join("culprit.toml"), toml).unwrap();
    std::fs::write(repo.join(".gitignore"), ".culprit/\nimage.bin\n").unwrap();
    let mut ids = Vec::new();
    for i in 1..=40 {
        let src = match i {
            1..=9 => "v1\n",
            10..=29 => "v2\n",
            _ => "v2 bug\n",
        };
        std::fs::write(repo.join("src"), src).unwrap();
        std::fs::write(repo.join("NOTES"), format!("{i}\n")).unwrap();
        ids.push(common::commit_all(&repo, &format!("commit {i}")));
    }
    let doc = common::bisect_ok(&repo, &ids[0]);
    assert_eq!(doc["culprit"], ids[29].as_str(), "{doc}");
    let reused = doc["reused"].as_u64().unwrap();
    assert!(reused >= 1, "{doc}");
    let booted = std::fs::read_to_string(&boots).unwrap().lines().count() as u64;
    assert_eq!(
        booted,
        doc["runs"].as_u64().unwrap(),
        "runs counts real boots only"
    );
    assert_eq!(booted + reused, doc["steps"].as_u64().unwrap(), "{doc}");
}

#[test]
fn run_at_a_revision_tests_that_commit_in_worker_zeros_worktree() {
    let (_dir, repo, log) = common::scratch();
    let ids = linear_repo(&repo, 12, &toml(8, (0, 0), (0, 0), &log));
    let run = |rev: &str| {
        let out = culprit(&repo, &["run", "--rev", rev, "--json"]);
        (out.status.code(), json(&out))
    };
    let (code, doc) = run(&ids[3]);
    assert_eq!(code, Some(0), "{doc}");
    assert_eq!(doc["tests"][0]["outcome"], "pass");
    let unchanged = repo.join(".culprit/workers/w0/tree/culprit.toml");
    let mtime = || std::fs::metadata(&unchanged).unwrap().modified().unwrap();
    let before = mtime();
    std::thread::sleep(std::time::Duration::from_millis(20));
    let (code, doc) = run("main");
    assert_eq!(code, Some(1), "{doc}");
    assert_eq!(doc["tests"][0]["outcome"], "hang");
    assert_eq!(
        common::invocations(&log),
        vec![4, 12],
        "each run built and booted its own commit"
    );
    assert_eq!(
        mtime(),
        before,
        "the second checkout touched only the files that differ, so make's timestamps hold"
    );
    assert!(
        repo.join(".culprit/workers/w0/tree").is_dir(),
        "worker 0's worktree is kept for the next run or hunt"
    );
    assert_eq!(
        common::git(&repo, &["worktree", "list"]).lines().count(),
        2,
        "one worktree, reused by both runs"
    );
    assert_eq!(
        common::git(&repo, &["rev-parse", "HEAD"]),
        ids[11],
        "the working tree stays where it was"
    );
}

#[test]
fn every_step_says_which_worker_ran_it() {
    let (_dir, repo, log) = common::scratch();
    let ids = linear_repo(&repo, 30, &toml(20, (0, 0), (0, 0), &log));
    let out = culprit(
        &repo,
        &["bisect", "--good", &ids[0], "--bad", "main", "-j", "2"],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("(on worker 1)"), "{stderr}");
    assert!(stderr.contains("(on worker 2)"), "{stderr}");
    let text = |args: &[&str]| {
        let out = culprit(&repo, args);
        assert_eq!(out.status.code(), Some(0));
        String::from_utf8(out.stdout).unwrap()
    };
    let log = text(&["log"]);
    assert!(
        log.lines().next().is_some_and(|l| l.contains("steps")),
        "{log}"
    );
    assert!(log.contains("ran on"), "{log}");
    for worker in ["worker 1", "worker 2"] {
        assert!(log.contains(worker), "{log}");
    }
    let junit = text(&["report", "--format", "junit"]);
    assert!(
        junit.contains(r#"<property name="ran-on" value="worker 2"/>"#),
        "{junit}"
    );
    let html = text(&["report", "--format", "html"]);
    assert!(html.contains("<th>ran on</th>"), "{html}");
}

/// The builds in `log` as (cold, directory): the build command says `cold` when its
/// `{build}` directory held no objects yet, as a first kernel build would.
fn builds(log: &std::path::Path) -> Vec<(bool, String)> {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.split_once(' '))
        .map(|(kind, dir)| (kind == "cold", dir.to_string()))
        .collect()
}

#[test]
fn build_directories_stay_warm_across_a_resume_and_the_next_hunt() {
    let dir = tempfile::tempdir().unwrap();
    let boots = dir.path().join("boots.log");
    let built = dir.path().join("builds.log");
    let repo = common::new_dir(dir.path(), "repo");
    let incremental = format!(
        "[build]\ncommand = \"if [ -f {{build}}/objects ]; then echo warm {{build}} >> {log}; else echo cold {{build}} >> {log}; fi; cat n >> {{build}}/objects; ",
        log = built.display()
    );
    let text = toml(40, (0, 0), (0, 0), &boots)
        .replace("echo $n >> ", "sleep 0.3; echo $n >> ")
        .replacen("[build]\ncommand = \"", &incremental, 1);
    let ids = linear_repo(&repo, 60, &text);
    let args = ["bisect", "--good", &ids[0], "--bad", "main", "-j", "2"];
    common::kill_after_boots(&repo, &args, &boots, 4);
    let killed = builds(&built).len();
    assert!(killed >= 4, "{:?}", builds(&built));

    let out = culprit(&repo, &["bisect", "--resume", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", json(&out));
    assert_eq!(json(&out)["culprit"], ids[39].as_str());
    let resumed = builds(&built).len();
    assert!(resumed > killed, "the resumed hunt built nothing");

    // The next hunt, under an edited recipe so that nothing comes from the journal.
    let config = repo.join("culprit.toml");
    let edited = std::fs::read_to_string(&config)
        .unwrap()
        .replace("timeout = \"20s\"", "timeout = \"25s\"");
    std::fs::write(&config, edited).unwrap();
    let out = culprit(
        &repo,
        &[
            "bisect", "--good", &ids[0], "--bad", "main", "-j", "2", "--json",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", json(&out));
    let all = builds(&built);
    assert!(
        all.len() > resumed,
        "the second hunt built nothing: {all:?}"
    );

    // Each worker's build directory had one cold build, in the first session; the
    // resume and the next hunt only built incrementally, in the state directory.
    let cold: Vec<&String> = all.iter().filter(|b| b.0).map(|b| &b.1).collect();
    let mut dirs: Vec<&String> = all.iter().map(|b| &b.1).collect();
    dirs.sort();
    dirs.dedup();
    assert_eq!(
        cold.len(),
        dirs.len(),
        "a build directory went cold: {all:?}"
    );
    assert!(dirs.len() <= 2, "{all:?}");
    assert!(
        all[..killed].iter().filter(|b| b.0).count() == cold.len(),
        "a cold build after the kill: {all:?}"
    );
    for dir in dirs {
        assert!(
            dir.contains(".culprit/workers/w") && dir.ends_with("/build"),
            "{dir}"
        );
    }
}
