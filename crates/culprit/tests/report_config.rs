//! `culprit report` on a real configuration hunt: a tree whose "kernel" is a shell
//! script reading `.config`, hunted with `culprit bisect-config`.

mod common;

use common::{culprit, git, json};
use serde_json::Value;
use std::path::Path;

const OPTIONS: usize = 12;

/// `alpha` panics (printing markup) when OPT_3 is on; `beta` hangs when OPT_5 and OPT_9
/// are both on; `gamma` always passes; the normalizer refuses OPT_10.
fn tree(dir: &Path) {
    git(dir, &["init", "-q", "-b", "main"]);
    std::fs::write(dir.join(".gitignore"), ".culprit/\n").unwrap();
    let on = |o: usize| format!("grep -q '^CONFIG_OPT_{o}=y' .config");
    let toml = format!(
        r#"[config]
file = ".config"
normalize = "sed -i 's/^CONFIG_OPT_10=y/# CONFIG_OPT_10 is not set/' .config"

[[test]]
name = "alpha"
command = "echo 'Linux version 6.1'; if {a}; then echo '<b>oops</b>'; echo 'Kernel panic - not syncing: alpha <broke>'; else echo BOOT-OK; fi"
success = ["BOOT-OK"]

[[test]]
name = "beta"
command = "echo 'Linux version 6.1'; if {b1} && {b2}; then sleep 30; else echo BOOT-OK; fi"
success = ["BOOT-OK"]
silence = "1s"

[[test]]
name = "gamma"
command = "echo 'Linux version 6.1'; echo BOOT-OK"
success = ["BOOT-OK"]
"#,
        a = on(3),
        b1 = on(5),
        b2 = on(9),
    );
    std::fs::write(dir.join("culprit.toml"), toml).unwrap();
    let good: String = (0..OPTIONS)
        .map(|o| format!("# CONFIG_OPT_{o} is not set\n"))
        .collect();
    std::fs::write(dir.join(".config"), &good).unwrap();
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "tree"]);
    std::fs::write(dir.join("../good.config"), good).unwrap();
    let bad: String = (0..OPTIONS)
        .map(|o| format!("CONFIG_OPT_{o}=y\n"))
        .collect();
    std::fs::write(dir.join("../bad.config"), bad).unwrap();
}

fn report(repo: &Path, format: &str) -> String {
    common::succeeded(repo, &["report", "--format", format])
}

#[test]
fn a_configuration_hunt_reports_its_culprit_sets_per_test() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("repo");
    std::fs::create_dir(&repo).unwrap();
    tree(&repo);
    let out = culprit(
        &repo,
        &[
            "bisect-config",
            "--good",
            "../good.config",
            "--bad",
            "../bad.config",
            "--json",
        ],
    );
    let hunt = json(&out);
    assert_eq!(out.status.code(), Some(0), "{hunt}");

    let md = report(&repo, "md");
    assert!(
        md.starts_with("### culprit bisect-config (session 1): found\n"),
        "{md}"
    );
    assert!(
        md.contains("| alpha | `CONFIG_OPT_3` | fail: `kernel panic: alpha <broke>` |"),
        "{md}"
    );
    assert!(
        md.contains("| beta | `CONFIG_OPT_5` + `CONFIG_OPT_9` | hang: "),
        "{md}"
    );
    assert!(
        md.contains("Not applied by the build: `CONFIG_OPT_10` (asked `y`, got `n`)"),
        "{md}"
    );
    assert!(md.contains("To reproduce `alpha` (kernel panic"), "{md}");
    assert!(
        md.contains(
            "on the good configuration, apply (built and checked):\n\n```\nCONFIG_OPT_3=y\n```"
        ),
        "{md}"
    );
    assert!(
        md.contains("| `CONFIG_OPT_3` | bad | fail `kernel panic"),
        "the deciding evidence: {md}"
    );

    let page = report(&repo, "html");
    let matrix = &page[page.find("<table class=\"grid matrix\">").unwrap()..];
    let matrix = &matrix[..matrix.find("</table>").unwrap()];
    let rows: Vec<&str> = matrix.split("<tr>").skip(2).collect();
    assert_eq!(rows.len(), 3, "one row per test: {matrix}");
    let marks = |row: &str| row.matches("<td class=\"mark on\">").count();
    assert!(
        rows[0].contains(">alpha<") && marks(rows[0]) == 1,
        "{}",
        rows[0]
    );
    assert!(
        rows[1].contains(">beta<") && marks(rows[1]) == 2,
        "{}",
        rows[1]
    );
    assert!(
        rows[2].contains(">gamma<") && marks(rows[2]) == 0,
        "{}",
        rows[2]
    );
    assert!(page.contains(
        "<td><code>CONFIG_OPT_10</code></td><td><code>y</code></td><td><code>n</code></td>"
    ));
    assert!(
        page.contains("&lt;b&gt;oops&lt;/b&gt;") && !page.contains("<b>oops"),
        "console escaped"
    );
    assert!(page.contains("alpha &lt;broke&gt;"));

    let xml = report(&repo, "junit");
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let steps: Value = serde_json::from_str(&report(&repo, "json")).unwrap();
    let steps = steps["steps"].as_array().unwrap();
    let suites: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testsuite"))
        .collect();
    assert_eq!(suites.len(), steps.len());
    for (suite, step) in suites.iter().zip(steps) {
        let tests = step["result"]["tests"].as_array().unwrap().len();
        // The normalizer passed in every step: one case for it, one per test.
        let cases = suite
            .children()
            .filter(|n| n.has_tag_name("testcase"))
            .count();
        assert_eq!(cases, tests + 1, "{:?}", suite.attribute("name"));
        assert!(suite
            .children()
            .any(|n| n.has_tag_name("testcase") && n.attribute("classname") == Some("normalize")));
    }
    let hangs = doc
        .descendants()
        .filter(|n| n.has_tag_name("failure") && n.attribute("type") == Some("hang"))
        .count();
    assert!(
        hangs >= 2,
        "beta hung at the bad configuration and at its culprit set: {xml}"
    );
}
