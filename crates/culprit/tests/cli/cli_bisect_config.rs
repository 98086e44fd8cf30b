//! `culprit bisect-config` on real git trees whose "kernel" is a shell script reading
//! the configuration: several culprits per test, interactions, a value the normalizer
//! refuses, and bad input.

use crate::common;

use common::scripted_config::{all_off, all_on, alpha_and_beta, option_on, scripted_config_tree};
use common::{culprit, json, json_ok};
use std::path::{Path, PathBuf};

const OPTIONS: usize = 24;

/// A normalizer that refuses OPT_15, as if its dependency were off.
const REFUSES_15: &str = "sed -i 's/^CONFIG_OPT_15=y/# CONFIG_OPT_15 is not set/' .config";

/// A tree in `dir/repo` whose test `alpha` panics when OPT_3 is on, whose test `beta`
/// hangs when both OPT_7 and OPT_11 are on, and whose normalizer drops OPT_15 (its
/// dependency is off); see [`scripted_tree_with`].
fn scripted_tree(dir: &Path, normalize: &str) -> PathBuf {
    let alpha_says = "echo 'Kernel panic - not syncing: alpha broke'";
    let tests = alpha_and_beta(alpha_says, 3, (7, 11));
    scripted_tree_with(dir, normalize, &tests)
}

/// A tree in `dir/repo` of the given `[[test]]` tables, whose `.config` is the good
/// configuration, with `good.config` (every option off) and `bad.config` (every option
/// on) beside it in `dir`. Returns the tree.
fn scripted_tree_with(base: &Path, normalize: &str, tests: &str) -> PathBuf {
    let dir = common::new_dir(base, "repo");
    scripted_config_tree(
        &dir,
        OPTIONS,
        &format!("normalize = \"{normalize}\"\n\n{tests}"),
    );
    dir
}

/// The arguments of `culprit bisect-config` from `../good.config` to `bad`.
fn bisect_args<'a>(bad: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    common::bisect_config_args("../good.config", bad, extra)
}

#[test]
fn finds_every_culprit_set_per_test_and_what_was_not_applied() {
    let dir = tempfile::tempdir().unwrap();
    let repo = scripted_tree(dir.path(), REFUSES_15);
    let (doc, _) = json_ok(&repo, &bisect_args("../bad.config", &["-j", "2", "--json"]));
    assert_eq!(doc["status"], "found");
    let culprits = common::culprit_sets(&doc);
    assert_eq!(
        culprits,
        vec![
            ("alpha".to_string(), vec!["CONFIG_OPT_3".to_string()]),
            (
                "beta".to_string(),
                vec!["CONFIG_OPT_11".to_string(), "CONFIG_OPT_7".to_string()]
            ),
        ],
        "{doc}"
    );
    let alpha = &doc["culprits"][0];
    assert_eq!(alpha["title"], "kernel panic: alpha broke");
    assert_eq!(alpha["reproduce"], "CONFIG_OPT_3=y\n");
    assert_eq!(alpha["cure"], "# CONFIG_OPT_3 is not set\n");
    assert_eq!(doc["culprits"][1]["outcome"], "hang");
    assert_eq!(doc["not_applied"][0]["option"], "CONFIG_OPT_15", "{doc}");
    assert_eq!(doc["not_applied"][0]["requested"], "y");
    assert_eq!(doc["not_applied"][0]["got"], "n");
    assert!(doc["builds"].as_u64().unwrap() <= 30, "{doc}");
}

#[test]
fn bad_input_is_refused_with_exit_code_2() {
    let dir = tempfile::tempdir().unwrap();
    let repo = scripted_tree(dir.path(), "true");
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.to_string_lossy().into_owned()
    };
    let good = write("good.config", &all_off(OPTIONS));
    let bad = write("bad.config", &all_on(OPTIONS));
    let not_config = write("main.c", "int main(void) { return 0; }\n");
    let harmless = write("harmless.config", "CONFIG_OPT_0=y\n");
    let check = |repo: &Path, args: &[&str], needle: &str| {
        common::assert_bad_input(&culprit(repo, args), &[needle]);
    };
    let failing_good = write("failing-good.config", "CONFIG_OPT_3=y\n");
    // Each pair of configurations, and what the refusal says of it.
    let cases: [(&str, &str, &str); 6] = [
        (&not_config, &bad, "main.c:1"),
        (&good, &good, "nothing to bisect"),
        (
            &failing_good,
            &bad,
            "does not pass with the good configuration",
        ),
        (&good, &harmless, "nothing to hunt"),
        (&bad, &good, "nothing to hunt"),
        ("/no/such.config", &bad, "/no/such.config"),
    ];
    for (from, to, said) in cases {
        check(&repo, &common::bisect_config_args(from, to, &[]), said);
    }

    let elsewhere = tempfile::tempdir().unwrap();
    let failing = scripted_tree(
        elsewhere.path(),
        "echo 'Kconfig:12: syntax error' >&2; exit 1",
    );
    let args = common::bisect_config_args(&good, &bad, &[]);
    check(&failing, &args, "normalizer failed");
}

#[test]
fn resumes_after_sigkill_without_rebuilding_a_finished_candidate() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("boots.log");
    // Each build records which configuration it got, slowly enough to be killed midway.
    let repo = scripted_tree(
        dir.path(),
        &format!(
            "sleep 0.3; md5sum .config | cut -c1-12 >> {}",
            log.display()
        ),
    );
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_culprit"))
        .args(bisect_args("../bad.config", &["--json"]))
        .current_dir(&repo)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let builds = || {
        std::fs::read_to_string(&log)
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while builds().len() < 5 && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let before = builds();
    assert!(before.len() >= 5, "{before:?}");

    let out = culprit(&repo, &["bisect-config", "--resume", "--json"]);
    let doc = json(&out);
    assert_eq!(out.status.code(), Some(0), "{doc}");
    assert_eq!(
        doc["culprits"][0]["options"],
        serde_json::json!(["CONFIG_OPT_3"])
    );
    assert_eq!(
        doc["culprits"][1]["options"],
        serde_json::json!(["CONFIG_OPT_11", "CONFIG_OPT_7"])
    );
    common::assert_only_the_interrupted_step_repeats(&builds(), &before);
    // Candidates built before the kill are marked as replayed, not announced as new.
    let (recorded, replayed, new) = common::resumed_lines(&out.stderr, ": build ");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(recorded >= before.len() - 1, "{recorded} {before:?}");
    // The two endpoints are in the journal too, and have no "build N" line.
    assert_eq!(replayed, recorded - 2, "{stderr}");
    assert_eq!(new, builds().len() - before.len(), "{stderr}");
}

/// Issue 14's shape in one test: OPT_3 panics the boot on its own; without it, a command
/// line (the string CMDLINE with its guard CMDLINE_BOOL) hangs it. Under the default
/// target both are found, each with its failure, and the hunt ends with exit 0; the cure
/// turns the guard off, not the string, and both fragments were built.
#[test]
fn one_test_with_two_failures_gets_both_culprits_under_the_default_target() {
    let dir = tempfile::tempdir().unwrap();
    let command = format!(
        "echo 'Linux version 6.1'; if {panic}; then echo 'Kernel panic - not syncing: No working init found'; elif grep -q '^CONFIG_CMDLINE_BOOL=y' .config && grep -q 'init=/bin/false' .config; then echo 'Run /init as init process'; sleep 30; else echo BOOT-OK; fi",
        panic = option_on(3),
    );
    let tests = common::boot_test("boot", &command, "silence = \"1s\"\n");
    let repo = scripted_tree_with(dir.path(), "true", &tests);
    let good = format!(
        "{}# CONFIG_CMDLINE_BOOL is not set\nCONFIG_CMDLINE=\"\"\n",
        all_off(OPTIONS)
    );
    let bad = format!(
        "{}CONFIG_CMDLINE_BOOL=y\nCONFIG_CMDLINE=\"init=/bin/false\"\n",
        all_on(OPTIONS)
    );
    std::fs::write(dir.path().join("good.config"), good).unwrap();
    std::fs::write(dir.path().join("bad.config"), bad).unwrap();
    let args = bisect_args("../bad.config", &["-j", "2"]);
    let (doc, stderr) = json_ok(&repo, &[&args[..], &["--json"]].concat());
    assert_eq!(doc["status"], "found", "{doc}");
    // Progress on stderr under --json: each candidate built, then its verdict, as commit
    // bisection prints them; the hang seen while hunting the panic is named.
    let verdicts = candidate_verdicts(&stderr);
    assert!(
        verdicts.contains(&("1 of 26 options: OPT_3".to_owned(), "boot bad".to_owned())),
        "{stderr}"
    );
    assert!(verdicts.iter().any(|(_, v)| v == "boot good"), "{stderr}");
    assert!(
        verdicts
            .iter()
            .any(|(_, v)| v.starts_with("boot fails another way: hang at stage")),
        "{stderr}"
    );
    let culprits = doc["culprits"].as_array().unwrap();
    assert_eq!(culprits.len(), 2, "{doc}");
    let (panic, hang) = (&culprits[0], &culprits[1]);
    assert_eq!(panic["options"], serde_json::json!(["CONFIG_OPT_3"]));
    assert_eq!(panic["title"], "kernel panic: No working init found");
    assert_eq!(hang["outcome"], "hang");
    assert_eq!(
        hang["options"],
        serde_json::json!(["CONFIG_CMDLINE", "CONFIG_CMDLINE_BOOL"])
    );
    assert!(
        hang["title"].as_str().unwrap().starts_with("hang at stage"),
        "{doc}"
    );
    assert_eq!(
        hang["reproduce"],
        "CONFIG_CMDLINE=\"init=/bin/false\"\nCONFIG_CMDLINE_BOOL=y\n"
    );
    assert_eq!(
        hang["cure"],
        "# CONFIG_CMDLINE_BOOL is not set\n# CONFIG_OPT_3 is not set\n"
    );
    for culprit in culprits {
        assert_eq!(culprit["reproduce_verified"], true, "{doc}");
        assert_eq!(culprit["cure_verified"], true, "{doc}");
    }

    // The summary a person reads: each failure with its culprits, no internal indices.
    let out = culprit(&repo, &args);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("CONFIG_CMDLINE + CONFIG_CMDLINE_BOOL"),
        "{text}"
    );
    assert!(text.contains("hang at stage"), "{text}");
    assert!(!text.contains("{0}"), "{text}");

    // `culprit log` names each candidate by its options.
    let out = culprit(&repo, &["log"]);
    let log = String::from_utf8_lossy(&out.stdout);
    assert!(log.contains("{CONFIG_OPT_3}"), "{log}");
    assert!(
        log.contains("{CONFIG_CMDLINE, CONFIG_CMDLINE_BOOL}"),
        "{log}"
    );
}

/// The verdict line of every candidate the hunt's progress says it built ("build 4: K of
/// N options: ...", then "  build 4 -> test verdict, ..."), as (what the build line says
/// of its options, verdicts); fails when a built candidate has no verdict line.
fn candidate_verdicts(stderr: &str) -> Vec<(String, String)> {
    let lines: Vec<&str> = stderr
        .lines()
        .filter_map(|l| l.strip_prefix("culprit: "))
        .collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let Some(built) = line.strip_prefix("build ") else {
            continue;
        };
        let (number, set) = built.split_once(": ").unwrap();
        let verdict = lines[i + 1..]
            .iter()
            .find_map(|l| l.strip_prefix(&format!("  build {number} -> ")))
            .unwrap_or_else(|| panic!("no verdict for build {number}: {stderr}"));
        // With several workers the line ends with where the step ran.
        let (verdict, place) = verdict.split_once(" (on worker ").unwrap_or((verdict, ""));
        assert!(
            place.is_empty() || place.ends_with(')'),
            "{verdict} {place}"
        );
        out.push((set.to_owned(), verdict.to_owned()));
    }
    assert!(!out.is_empty(), "no candidate built: {stderr}");
    out
}

/// A Linux-style fragment as the bad side means "the good configuration with these
/// changes": only its lines that change a value count, in either spelling of "off".
#[test]
fn a_fragment_on_the_bad_side_counts_only_its_changes() {
    let dir = tempfile::tempdir().unwrap();
    let repo = scripted_tree(dir.path(), "true");
    let full = format!(
        "#\n# Automatically generated file; DO NOT EDIT.\n#\n{}",
        all_off(OPTIONS)
    );
    std::fs::write(dir.path().join("good.config"), full).unwrap();
    // Two options on, two "off" lines that change nothing; a header-like comment that
    // would pass for a full .config, hence --bad-fragment.
    let fragment = "# Automatically generated file\nCONFIG_OPT_3=y\n# CONFIG_OPT_5 is not set\nCONFIG_OPT_6=n\nCONFIG_OPT_7=y\n";
    std::fs::write(dir.path().join("bad.fragment"), fragment).unwrap();
    let (doc, stderr) = json_ok(
        &repo,
        &bisect_args("../bad.fragment", &["--bad-fragment", "--json"]),
    );
    assert_eq!(doc["changes"], 2, "{doc}");
    assert_eq!(
        doc["culprits"][0]["options"],
        serde_json::json!(["CONFIG_OPT_3"])
    );
    assert!(stderr.contains("2 options differ"), "{stderr}");
}

/// A build that takes three seconds whenever OPT_20 is on (a header every file
/// includes): the hunt measures it, says so while it runs, and lists it in the answer.
/// The other builds run `true`; the margin (costly means at least twice as slow as the
/// slowest build without it) holds unless a loaded machine takes 1.5 s to start a shell.
#[test]
fn an_option_that_makes_builds_slow_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let alpha = format!(
        "if {}; then echo 'Kernel panic - not syncing: alpha broke'; else echo BOOT-OK; fi",
        option_on(3)
    );
    let alpha = common::boot_test("alpha", &alpha, "");
    let tests = format!(
        "[build]\ncommand = \"if {}; then sleep 3; fi\"\n\n{alpha}",
        option_on(20)
    );
    let repo = scripted_tree_with(dir.path(), "true", &tests);
    let (doc, stderr) = json_ok(&repo, &bisect_args("../bad.config", &["--json"]));
    // Options the search always built together cannot be told apart: all are named.
    let costly = common::field_strings(&doc["costly_options"], "option");
    assert!(costly.iter().any(|c| c == "CONFIG_OPT_20"), "{doc}");
    assert!(costly.len() <= 4, "{doc}");
    assert!(doc["costly_options"][0]["seconds_with"].as_f64().unwrap() >= 3.0);
    assert!(
        stderr.contains("CONFIG_OPT_20: candidates with it take"),
        "{stderr}"
    );
}

/// With a Kconfig in the tree and no `normalize` command, an option whose dependency is
/// off in the good configuration (OPT_5 `depends on OPT_9`, both on in the bad one) is
/// never built without what it needs: every candidate applies every option it asks for,
/// and the pair comes out as one set, with the cure a person writes (OPT_5 off). The
/// same hunt without the grouping took 13 runs, builds of candidates where OPT_5 could
/// not apply among them.
/// A tree of 16 options where OPT_5 depends on OPT_9, and whose `boot` panics when
/// `panics_with` is on; the good configuration has every option off, the bad one on.
/// Returns (folder, tree).
fn dependency_tree(panics_with: usize) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let repo = common::new_dir(dir.path(), "repo");
    let n = 16;
    let kconfig: String = (0..n)
        .map(|i| {
            let needs = if i == 5 { "\tdepends on OPT_9\n" } else { "" };
            format!("config OPT_{i}\n\tbool \"option {i}\"\n{needs}")
        })
        .collect();
    std::fs::write(repo.join("Kconfig"), kconfig).unwrap();
    let boot = format!(
        "echo 'Linux version 6.1'; if {}; then echo 'Kernel panic - not syncing: boom'; else echo BOOT-OK; fi",
        option_on(panics_with)
    );
    let boot = common::boot_test("boot", &boot, "");
    scripted_config_tree(&repo, n, &format!("\n{boot}"));
    (dir, repo)
}

/// When the option another needs is the culprit, the option that needs it is innocent:
/// building it always brings the culprit along, so it may look guilty, but the answer
/// names the needed option alone and the cure turns only it off.
#[test]
fn the_needed_option_alone_is_the_culprit_when_it_is_the_one_that_fails() {
    let (_dir, repo) = dependency_tree(9);
    let (doc, _) = json_ok(&repo, &bisect_args("../bad.config", &["--json"]));
    let sets: Vec<&serde_json::Value> = doc["culprits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| &c["options"])
        .collect();
    assert_eq!(sets, [&serde_json::json!(["CONFIG_OPT_9"])], "{doc}");
    assert_eq!(
        doc["culprits"][0]["cure"], "# CONFIG_OPT_9 is not set\n",
        "{doc}"
    );
}

#[test]
fn an_option_is_built_only_with_the_options_it_needs() {
    let (_dir, repo) = dependency_tree(5);

    let (doc, stderr) = json_ok(&repo, &bisect_args("../bad.config", &["--json"]));
    assert!(
        stderr.contains("CONFIG_OPT_5 applies only with {CONFIG_OPT_9}"),
        "{stderr}"
    );
    let culprits = doc["culprits"].as_array().unwrap();
    assert_eq!(culprits.len(), 1, "{doc}");
    assert_eq!(
        culprits[0]["options"],
        serde_json::json!(["CONFIG_OPT_5", "CONFIG_OPT_9"])
    );
    assert_eq!(culprits[0]["reproduce"], "CONFIG_OPT_5=y\nCONFIG_OPT_9=y\n");
    assert_eq!(culprits[0]["cure"], "# CONFIG_OPT_5 is not set\n");
    assert!(doc["runs"].as_u64().unwrap() < 13, "{doc}");

    let log = json(&culprit(&repo, &["log", "--json"]));
    let steps = log["steps"].as_array().unwrap();
    assert!(steps.len() >= 3, "{log}");
    for step in steps {
        let effective = step["result"]["effective_config"].as_str().unwrap();
        for option in step["candidate"]["note"]["options"].as_array().unwrap() {
            let line = format!("{}=y\n", option.as_str().unwrap());
            assert!(
                effective.contains(&line),
                "{option} was asked for but not applied:\n{effective}"
            );
        }
    }
}
