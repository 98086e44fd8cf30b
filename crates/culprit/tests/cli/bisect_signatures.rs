//! Hunts whose targets are crash signatures and test cases, on real git histories
//! whose test commands print kernel and Zephyr crash text: a bug whose report is
//! reworded from run to run is still the bug, another crash is named next to the
//! target, and a case-targeted hunt follows one case while another stays red.

use crate::common;

use common::{culprit, json, linear_repo, succeeded};
use serde_json::Value;
use std::path::Path;

/// A repository whose `boot.sh` (committed with the first commit) is the test.
fn repo_with_script(dir: &Path, commits: usize, script: &str, success: &str) -> Vec<String> {
    std::fs::write(dir.join("boot.sh"), script).unwrap();
    let toml = format!(
        "[[test]]\nname = \"boot\"\ncommand = \"sh boot.sh\"\ntimeout = \"20s\"\nsuccess = [\"{success}\"]\n"
    );
    linear_repo(dir, commits, &toml)
}

/// A history of `commits` commits whose boot is `script` (passing on BOOT-OK), hunted
/// from its first commit under the default target, which must end with exit 0:
/// (folder, ids, answer, the live lines).
fn hunted(commits: usize, script: &str) -> (tempfile::TempDir, Vec<String>, Value, String) {
    let dir = tempfile::tempdir().unwrap();
    let ids = repo_with_script(dir.path(), commits, script, "BOOT-OK");
    let (doc, live) = common::json_ok(dir.path(), &common::bisect_args(&ids[0]));
    (dir, ids, doc, live)
}

/// A bisection of the whole history with `--target TARGET`, which must find a culprit.
fn bisect_targeting(dir: &Path, ids: &[String], target: &str) -> Value {
    let out = culprit(
        dir,
        &[
            "bisect", "--good", &ids[0], "--bad", "main", "--target", target, "--json",
        ],
    );
    let doc = json(&out);
    assert_eq!(out.status.code(), Some(0), "{doc}");
    assert_eq!(doc["status"], "found", "{doc}");
    doc
}

fn verdicts(doc: &serde_json::Value, ids: &[String]) -> Vec<(usize, String)> {
    doc["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let rev = c["rev"].as_str().unwrap();
            let n = ids.iter().position(|id| id == rev).unwrap() + 1;
            (n, c["verdict"].as_str().unwrap().to_string())
        })
        .collect()
}

/// Commits 14-17 oops in `demo_write`; from commit 20 on, every boot oopses in
/// `demo_read`, each run worded differently: its PID and CPU, the faulting
/// address, the task name, the clone suffix, and on every eighth commit (the bad
/// endpoint 32, not the culprit 20) a `memcpy` helper frame on top of the trace.
const REWORDED: &str = r#"n=$(cat n)
echo 'Linux version 6.1'
echo 'Run /init as init process'
oops() {
  echo "BUG: kernel NULL pointer dereference, address: 00000000000000$(( $$ % 90 + 10 ))"
  echo '#PF: supervisor read access in kernel mode'
  echo "Oops: 0000 [#1] PREEMPT SMP"
  echo "CPU: $(( $$ % 4 )) PID: $$ Comm: syz-executor$(( $$ % 9 )) Not tainted 6.1.0 #$n"
  if [ $(( n % 8 )) -eq 0 ]; then echo "RIP: 0010:memcpy+0x$n/0x20"; else echo "RIP: 0010:$1.isra.$(( n % 3 ))+0x1$n/0x90"; fi
  echo 'Call Trace:'
  echo ' <TASK>'
  if [ $(( n % 8 )) -eq 0 ]; then echo " memcpy+0x$n/0x20"; fi
  echo " ? stale_frame_$(( $$ % 7 ))+0x1/0x2"
  echo " $1.isra.$(( n % 3 ))+0x4$n/0x90"
  echo ' vfs_read+0x1c/0x40'
  echo ' do_syscall_64+0x3b/0x90'
  echo ' </TASK>'
  echo '---[ end trace 0000000000000000 ]---'
  exit 0
}
if [ "$n" -ge 14 ] && [ "$n" -le 17 ]; then oops demo_write; fi
if [ "$n" -ge 20 ]; then oops demo_read; fi
echo BOOT-OK
"#;

#[test]
fn a_reworded_crash_is_the_bug_and_an_earlier_crash_is_another_one() {
    let (dir, ids, doc, live) = hunted(32, REWORDED);
    assert_eq!(doc["status"], "found", "{doc}");
    assert_eq!(
        doc["culprit"],
        ids[19].as_str(),
        "commit 20 is the culprit: {doc}"
    );
    assert_eq!(
        doc["target"]["boot"],
        "BUG: unable to handle kernel NULL pointer dereference in demo_read (oops)"
    );
    let verdicts = verdicts(&doc, &ids);
    for (n, verdict) in &verdicts {
        match n {
            14..=17 => assert!(
                verdict.contains(
                    "another crash: BUG: unable to handle kernel NULL pointer dereference in demo_write — target is BUG: unable to handle kernel NULL pointer dereference in demo_read"
                ),
                "{n}: {verdict}"
            ),
            20.. => assert!(verdict.starts_with("bad"), "{n}: {verdict}"),
            _ => assert!(verdict.starts_with("good"), "{n}: {verdict}"),
        }
    }
    let tested = |n: usize| verdicts.iter().any(|(m, _)| *m == n);
    assert!(
        tested(32) && tested(20),
        "both wordings (with and without memcpy on top) were judged bad: {verdicts:?}"
    );
    assert!(
        verdicts.iter().any(|(n, _)| (14..=17).contains(n)),
        "a commit with the other crash was tested: {verdicts:?}"
    );
    let nearest = "another crash: BUG: unable to handle kernel NULL pointer dereference in demo_write — target is BUG: unable to handle kernel NULL pointer dereference in demo_read";
    // The live display says what a skipped step hit and points to its log, in one
    // line; the nearest match (with the target) is in `culprit log` and the reports below.
    assert!(
        live.lines().any(|l| {
            l.contains(
            "-> skip (another crash: BUG: unable to handle kernel NULL pointer dereference in demo_write; log "
        )
        }),
        "the live display names what the step hit: {live}"
    );

    // The journal's view and every report say it too, on the rows of the
    // commits that crashed otherwise, and only there.
    let other = |n: usize| (14..=17).contains(&n);
    let log = succeeded(dir.path(), &["log"]);
    // The rows under the table's header (the session and its answer come first).
    let rows = log.lines().skip_while(|l| !l.starts_with("step ")).skip(1);
    for line in rows {
        let n = ids
            .iter()
            .position(|id| line.contains(&id[..12]))
            .map(|i| i + 1)
            .unwrap_or_else(|| panic!("a log row names its commit: {line}"));
        assert_eq!(line.contains(nearest), other(n), "commit {n}: {line}");
    }
    let log: Value = serde_json::from_str(&succeeded(dir.path(), &["log", "--json"])).unwrap();
    let steps = log["steps"].as_array().unwrap();
    let skips = steps
        .iter()
        .filter(|s| s["verdict"].as_str().unwrap().contains(nearest))
        .count();
    assert!(
        skips >= 1 && skips == steps.iter().filter(|s| other(n_of(s, &ids))).count(),
        "{log}"
    );
    let md = succeeded(dir.path(), &["report", "--format", "md"]);
    let row = md
        .lines()
        .find(|l| l.contains(nearest))
        .unwrap_or_else(|| panic!("the evidence table names the nearest match: {md}"));
    assert!(row.contains("| skip (boot: another crash:"), "{row}");
    let page = succeeded(dir.path(), &["report", "--format", "html"]);
    assert!(
        page.contains(&format!("<div class=\"why\">boot: {nearest}</div>")),
        "{page}"
    );
    let xml = succeeded(dir.path(), &["report", "--format", "junit"]);
    assert!(
        xml.contains(&format!(
            "<property name=\"verdict\" value=\"skip (boot: {nearest})\"/>"
        )),
        "{xml}"
    );
}

/// The commit number of a `culprit log --json` step.
fn n_of(step: &Value, ids: &[String]) -> usize {
    let rev = step["candidate"]["key"]
        .as_str()
        .or(step["candidate"]["rev"].as_str())
        .unwrap();
    ids.iter().position(|id| id == rev).unwrap() + 1
}

#[test]
fn a_signature_target_matches_the_stack_aware_titles() {
    let dir = tempfile::tempdir().unwrap();
    let ids = repo_with_script(dir.path(), 32, REWORDED, "BOOT-OK");
    let pattern = "^BUG: unable to handle kernel NULL pointer dereference in demo_read$";
    let doc = bisect_targeting(dir.path(), &ids, &format!("signature:{pattern}"));
    assert_eq!(
        doc["target"]["boot"],
        format!("a failure matching /{pattern}/"),
        "{doc}"
    );
    assert_eq!(doc["culprit"], ids[19].as_str(), "commit 20: {doc}");
    let verdicts = verdicts(&doc, &ids);
    for (n, verdict) in &verdicts {
        match n {
            14..=17 => assert!(
                verdict.starts_with("skip") && verdict.contains("in demo_write"),
                "the regex does not match the other function: {n}: {verdict}"
            ),
            20.. => assert!(verdict.starts_with("bad"), "{n}: {verdict}"),
            _ => assert!(verdict.starts_with("good"), "{n}: {verdict}"),
        }
    }
    assert!(
        verdicts.iter().any(|(n, _)| *n == 32),
        "the bad end, with memcpy on top of its trace, matched: {verdicts:?}"
    );
}

/// Every boot from commit 8 on panics with the same words; on commits 8-12 the
/// panic comes before userspace starts (stage kernel), from commit 16 on after
/// `Run /init` (stage init), which is the bad endpoint's.
const STAGED: &str = r#"n=$(cat n)
echo 'Linux version 6.1'
if [ "$n" -ge 8 ] && [ "$n" -le 12 ]; then echo 'Kernel panic - not syncing: VFS: Unable to mount root fs'; exit 0; fi
echo 'Run /init as init process'
if [ "$n" -ge 16 ]; then echo 'Kernel panic - not syncing: VFS: Unable to mount root fs'; exit 0; fi
echo BOOT-OK
"#;

#[test]
fn the_same_crash_at_another_stage_is_not_the_bug_and_says_so() {
    let (_dir, ids, doc, live) = hunted(24, STAGED);
    assert_eq!(
        doc["culprit"],
        ids[15].as_str(),
        "commit 16 is the culprit: {doc}"
    );
    let verdicts = verdicts(&doc, &ids);
    for (n, verdict) in &verdicts {
        if (8..=12).contains(n) {
            assert!(
                verdict.contains("the same crash at another stage: kernel panic: VFS: Unable to mount root fs at stage kernel — target is at stage init"),
                "{n}: {verdict}"
            );
        }
    }
    assert!(
        verdicts.iter().any(|(n, _)| (8..=12).contains(n)),
        "a commit that panics early was tested: {verdicts:?}"
    );
    assert!(
        live.contains("the same crash at another stage"),
        "the live display says why: {live}"
    );
}

/// A ztest suite: `test_a` fails from commit 5 on and stays red; `test_b` faults
/// (the board halts inside it) from commit 19 on.
const ZTEST: &str = r#"n=$(cat n)
echo '*** Booting Zephyr OS build v3.7.0 ***'
echo 'Running TESTSUITE demo'
echo 'START - test_a'
if [ "$n" -ge 5 ]; then echo ' FAIL - test_a in 0.010 seconds'; else echo ' PASS - test_a in 0.010 seconds'; fi
echo 'START - test_b'
if [ "$n" -ge 19 ]; then
  echo 'E: ***** USAGE FAULT *****'
  echo 'E:   Attempt to execute undefined instruction'
  echo 'E: >>> ZEPHYR FATAL ERROR 0: CPU exception on CPU 0'
  echo 'E: Halting system'
  exit 0
fi
echo ' PASS - test_b in 0.020 seconds'
echo 'START - test_c'
echo ' PASS - test_c in 0.001 seconds'
if [ "$n" -ge 5 ]; then echo 'PROJECT EXECUTION FAILED'; else echo 'PROJECT EXECUTION SUCCESSFUL'; fi
"#;

/// A KUnit suite in KTAP: `case_x` fails from commit 7 on; `case_y` oopses from
/// commit 23 on (KUnit catches the fault and reports the case).
const KTAP: &str = r#"n=$(cat n)
echo 'Linux version 6.1'
echo 'KTAP version 1'
echo '1..1'
echo '    KTAP version 1'
echo '    # Subtest: demo'
echo '    1..3'
if [ "$n" -ge 7 ]; then echo '    not ok 1 case_x'; else echo '    ok 1 case_x'; fi
if [ "$n" -ge 23 ]; then
  echo 'BUG: kernel NULL pointer dereference, address: 0000000000000010'
  echo "RIP: 0010:demo_case_y_body+0x$n/0x40"
  echo 'Call Trace:'
  echo ' <TASK>'
  echo ' demo_case_y_body+0x12/0x40'
  echo ' kunit_try_run_case+0x50/0x90'
  echo ' </TASK>'
  echo '    # case_y: try faulted: last line seen lib/demo_test.c:40'
  echo '    not ok 2 case_y'
else
  echo '    ok 2 case_y'
fi
echo '    ok 3 case_z'
if [ "$n" -ge 7 ]; then echo 'not ok 1 demo'; else echo 'ok 1 demo'; echo 'ALL-CASES-PASSED'; fi
"#;

fn case_hunt(script: &str, success: &str, case: &str, culprit_commit: usize) {
    let dir = tempfile::tempdir().unwrap();
    let ids = repo_with_script(dir.path(), 30, script, success);

    // The run at the bad end names the case that crashed.
    let out = culprit(dir.path(), &["run", "--json"]);
    let doc = json(&out);
    let cases = doc["tests"][0]["cases"]
        .as_array()
        .unwrap_or_else(|| panic!("{doc}"));
    let crashed: Vec<&str> = cases
        .iter()
        .filter(|c| c["result"] != "pass")
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert!(crashed.iter().any(|c| c.ends_with(case)), "{doc}");
    assert!(crashed.len() >= 2, "the other case is red too: {doc}");

    let doc = bisect_targeting(dir.path(), &ids, &format!("case:{case}"));
    assert_eq!(
        doc["culprit"],
        ids[culprit_commit - 1].as_str(),
        "commit {culprit_commit} broke {case}: {doc}"
    );
    for (n, verdict) in verdicts(&doc, &ids) {
        let want = if n >= culprit_commit { "bad" } else { "good" };
        assert!(verdict.starts_with(want), "{n}: {verdict}");
    }
    cases_in_every_report(dir.path(), case);
}

/// The JSON, JUnit and HTML reports list the cases of every run of the hunt,
/// with the crashed case's signature.
fn cases_in_every_report(dir: &Path, crashed: &str) {
    let doc: Value =
        serde_json::from_str(&succeeded(dir, &["report", "--format", "json"])).unwrap();
    let xml = succeeded(dir, &["report", "--format", "junit"]);
    let junit = roxmltree::Document::parse(&xml).unwrap();
    let page = succeeded(dir, &["report", "--format", "html"]);
    let steps = doc["steps"].as_array().unwrap();
    for step in steps {
        let seq = step["seq"].as_i64().unwrap().to_string();
        let run = &step["result"]["tests"][0];
        let cases = run["cases"].as_array().unwrap();
        assert!(cases.len() >= 2, "step {seq} lists its cases: {run}");
        let suite = junit
            .descendants()
            .find(|n| n.has_tag_name("testsuite") && n.attribute("id") == Some(seq.as_str()))
            .unwrap_or_else(|| panic!("a suite for step {seq}: {xml}"));
        let junit_cases: Vec<(String, Option<String>)> = suite
            .children()
            .filter(|n| n.has_tag_name("testcase"))
            .filter_map(|n| {
                let name = n.attribute("classname")?.strip_prefix("boot.")?.to_string();
                let failure = n
                    .children()
                    .find(|c| c.has_tag_name("failure"))
                    .and_then(|f| f.attribute("type").map(String::from));
                Some((name, failure))
            })
            .collect();
        let want: Vec<(String, Option<String>)> = cases
            .iter()
            .map(|c| {
                let result = c["result"].as_str().unwrap();
                let failed = !matches!(result, "pass" | "xfail" | "skip" | "todo");
                (
                    c["name"].as_str().unwrap().to_string(),
                    failed.then(|| format!("case-{result}")),
                )
            })
            .collect();
        assert_eq!(junit_cases, want, "step {seq}");
    }
    // The case that crashed carries the crash, in the HTML as in the JSON.
    let crash = steps
        .iter()
        .flat_map(|s| s["result"]["tests"][0]["cases"].as_array().unwrap())
        .find(|c| c["name"].as_str().unwrap().ends_with(crashed) && c["signature"].is_object())
        .unwrap_or_else(|| panic!("{crashed} crashed in some run: {doc}"));
    assert_eq!(
        page.matches("<details class=\"cases\">").count(),
        steps.len(),
        "one case list per run"
    );
    let item = format!(
        "<li class=\"bad\">{} <code>{}</code>: {}</li>",
        crash["result"].as_str().unwrap(),
        crash["name"].as_str().unwrap(),
        crash["signature"]["title"].as_str().unwrap()
    );
    assert!(page.contains(&item), "{item}: {page}");
}

#[test]
fn a_case_targeted_hunt_follows_the_ztest_case_that_faults() {
    case_hunt(ZTEST, "PROJECT EXECUTION SUCCESSFUL", "test_b", 19);
}

#[test]
fn a_case_targeted_hunt_follows_the_kunit_case_that_oopses() {
    case_hunt(KTAP, "ALL-CASES-PASSED", "case_y", 23);
}
