//! `culprit report` on a real configuration hunt: a tree whose "kernel" is a shell
//! script reading `.config`, hunted with `culprit bisect-config`.

use crate::common;

use common::scripted_config::{alpha_and_beta, option_on, scripted_config_tree};
use serde_json::Value;
use std::path::{Path, PathBuf};

const OPTIONS: usize = 12;

/// The normalizer of the first hunt: it refuses OPT_10.
const REFUSES_10: &str = "sed -i 's/^CONFIG_OPT_10=y/# CONFIG_OPT_10 is not set/' .config";

/// `alpha` panics (printing markup) when OPT_3 is on; `beta` hangs when OPT_5 and OPT_9
/// are both on; `gamma` always passes. `config` is the rest of the `[config]` section
/// (the normalizer, when there is one), `build` the `[build]` command, when there is one.
fn tree(dir: &Path, config: &str, build: Option<&str>) {
    let build = build.map_or_else(String::new, |b| format!("[build]\ncommand = \"{b}\"\n"));
    let alpha_says = "echo '<b>oops</b>'; echo 'Kernel panic - not syncing: alpha <broke>'";
    let tests = alpha_and_beta(alpha_says, 3, (5, 9));
    let gamma = common::boot_test("gamma", "echo 'Linux version 6.1'; echo BOOT-OK", "");
    let toml = format!("{config}\n{build}\n{tests}\n{gamma}");
    scripted_config_tree(dir, OPTIONS, &toml);
}

/// Writes the tree in a fresh directory and hunts it to the end (exit 0).
fn hunted(
    config: &str,
    build: Option<&str>,
    kconfig: Option<&str>,
) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let repo = common::new_dir(dir.path(), "repo");
    if let Some(kconfig) = kconfig {
        std::fs::write(repo.join("Kconfig"), kconfig).unwrap();
    }
    tree(&repo, config, build);
    common::json_ok(
        &repo,
        &common::bisect_config_args("../good.config", "../bad.config", &["--json"]),
    );
    (dir, repo)
}

fn report(repo: &Path, format: &str) -> String {
    common::succeeded(repo, &["report", "--format", format])
}

#[test]
fn a_configuration_hunt_reports_its_culprit_sets_per_test() {
    let (_dir, repo) = hunted(&format!("normalize = \"{REFUSES_10}\""), None, None);
    let md = report(&repo, "md");
    assert!(
        md.starts_with("### culprit bisect-config (session 1): found\n"),
        "{md}"
    );
    // Each test's culprit set, the option the build did not apply, and for `alpha` how
    // to reproduce it with the deciding evidence.
    common::assert_says(
        &md,
        &[
            "| alpha | `CONFIG_OPT_3` | fail: `kernel panic: alpha <broke>` |",
            "| beta | `CONFIG_OPT_5` + `CONFIG_OPT_9` | hang: ",
            "Not applied by the build: `CONFIG_OPT_10` (asked `y`, got `n`)",
            "To reproduce `alpha` (kernel panic",
            "on the good configuration, apply (built and checked):\n\n```\nCONFIG_OPT_3=y\n```",
            "| `CONFIG_OPT_3` | bad | fail `kernel panic",
        ],
    );
    assert!(!md.contains("Slow to build"), "no build is slow here: {md}");

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
    assert!(!page.contains("id=\"build-cost\""));

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

/// The steps of the JSON report that asked for `option` and did not get it: (seq, the
/// options asked).
fn asked_not_applied(repo: &Path, option: &str) -> Vec<(i64, Vec<String>)> {
    let doc: Value = serde_json::from_str(&report(repo, "json")).unwrap();
    doc["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|step| {
            let asked: Vec<String> = step["candidate"]["note"]["options"]
                .as_array()?
                .iter()
                .map(|o| o.as_str().unwrap().to_owned())
                .collect();
            let effective = step["result"]["effective_config"].as_str()?;
            let applied = effective.lines().any(|l| l == format!("{option}=y"));
            (asked.iter().any(|o| o == option) && !applied)
                .then(|| (step["seq"].as_i64().unwrap(), asked))
        })
        .collect()
}

/// OPT_5 applies only with OPT_9 (the normalizer drops it otherwise, as a `depends on`
/// would): the search builds candidates with OPT_5 and without OPT_9, which pass. No
/// report row names OPT_5 as tested in them: the label leaves it out and says it was
/// not applied, so a "good" there is never OPT_5's.
#[test]
fn a_report_never_calls_an_option_good_where_it_was_not_applied() {
    let normalize = format!(
        "normalize = \"{REFUSES_10}; {nine} || sed -i 's/^CONFIG_OPT_5=y/# CONFIG_OPT_5 is not set/' .config\"",
        nine = option_on(9)
    );
    let (_dir, repo) = hunted(&normalize, None, None);
    let missed = asked_not_applied(&repo, "CONFIG_OPT_5");
    assert!(
        !missed.is_empty(),
        "the hunt never built OPT_5 without OPT_9; the test shows nothing"
    );

    let page = report(&repo, "html");
    let steps = &page[page.find("<table class=\"grid steps\">").unwrap()..];
    let steps = &steps[..steps.find("</table>").unwrap()];
    for (seq, asked) in &missed {
        let row = steps
            .split("<tr>")
            .find(|r| r.starts_with(&format!("<td class=\"num\">{seq}</td>")))
            .unwrap_or_else(|| panic!("no row for step {seq}: {steps}"));
        let label = &row[row.find("\">").unwrap()..row.find("</code>").unwrap()];
        assert!(!label.contains("CONFIG_OPT_5"), "step {seq}: {row}");
        assert!(
            row.contains("<div class=\"why\">not applied: CONFIG_OPT_5</div>"),
            "step {seq}: {row}"
        );
        // The build took the rest: a small candidate is labelled by them.
        let took: Vec<&String> = asked
            .iter()
            .filter(|o| *o != "CONFIG_OPT_5" && *o != "CONFIG_OPT_10")
            .collect();
        if let [one] = took.as_slice() {
            assert!(label.ends_with(one.as_str()), "step {seq}: {row}");
        }
    }

    let md = report(&repo, "md");
    let table = &md[md.find("| candidate | verdict |").unwrap()..];
    for row in table.lines().take_while(|l| l.starts_with('|')) {
        let candidate = row.split(" | ").next().unwrap();
        let named = candidate.split(" (not applied:").next().unwrap();
        if named.contains("`CONFIG_OPT_5") || named.contains(" CONFIG_OPT_5") {
            assert!(
                named.contains("CONFIG_OPT_9"),
                "OPT_5 named where it could not apply: {row}\n{md}"
            );
        }
    }
    assert!(
        md.contains("(not applied: `CONFIG_OPT_5`)"),
        "a small candidate without OPT_9 says OPT_5 was not applied: {md}"
    );
}

/// With a Kconfig in the tree (no normalizer: culprit evaluates it), OPT_10 depends on
/// GATE, which neither configuration sets: the Markdown and HTML reports say why it was
/// not applied, with the Kconfig line, and what would make it apply.
#[test]
fn a_report_gives_the_reason_an_option_was_not_applied() {
    let mut kconfig = String::from("config GATE\n\tbool \"gate\"\n");
    for o in 0..OPTIONS {
        kconfig.push_str(&format!("config OPT_{o}\n\tbool \"option {o}\"\n"));
        if o == 10 {
            kconfig.push_str("\tdepends on GATE\n");
        }
    }
    let (_dir, repo) = hunted("", None, Some(&kconfig));
    // GATE is at lines 1-2, OPT_o at 3 + 2o; OPT_10's `depends on` follows its prompt.
    let why = "it depends on `GATE` (Kconfig:25), and GATE is n";
    let md = report(&repo, "md");
    assert!(
        md.contains(&format!(
            "Not applied by the build: `CONFIG_OPT_10` (asked `y`, got `not set`: {why}; would apply with CONFIG_GATE=y)."
        )),
        "{md}"
    );
    let page = report(&repo, "html");
    assert!(
        page.contains(&format!(
            "<td><code>CONFIG_OPT_10</code></td><td><code>y</code></td><td><code>not set</code></td><td>{why}; would apply with CONFIG_GATE=y</td>"
        )),
        "{}",
        &page[page.find("<section id=\"not-applied\">").unwrap()..]
    );
}

/// A build that takes two seconds whenever OPT_7 is on: the Markdown and HTML reports
/// name it with what its builds cost (the live display and the JSON answer are tested in
/// cli_bisect_config.rs).
#[test]
fn a_report_names_the_options_that_make_builds_slow() {
    let (_dir, repo) = hunted(
        &format!("normalize = \"{REFUSES_10}\""),
        Some(&format!("if {}; then sleep 2; fi", option_on(7))),
        None,
    );
    let md = report(&repo, "md");
    let line = md
        .lines()
        .find(|l| l.starts_with("Slow to build: "))
        .unwrap_or_else(|| panic!("no build cost line: {md}"));
    assert!(
        line.contains("`CONFIG_OPT_7` (candidates with it took 2 s to build, 0 s without)")
            && line
                .ends_with("; the search built the cheaper of equally useful candidates first.  "),
        "{line}"
    );
    let page = report(&repo, "html");
    let section = &page[page
        .find("<section id=\"build-cost\">")
        .unwrap_or_else(|| panic!("no build cost section: {page}"))..];
    let section = &section[..section.find("</section>").unwrap()];
    let row = section
        .split("<tr>")
        .find(|r| r.starts_with("<td><code>CONFIG_OPT_7</code></td>"))
        .unwrap_or_else(|| panic!("{section}"));
    let seconds: Vec<f64> = row
        .split("<td class=\"num\">")
        .skip(1)
        .map(|c| c[..c.find(" s<").unwrap()].parse().unwrap())
        .collect();
    assert!(
        seconds.len() == 2 && seconds[0] >= 2.0 && seconds[1] < 1.0,
        "{row}"
    );
}
