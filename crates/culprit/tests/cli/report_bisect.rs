//! `culprit report` on real bisection sessions, made the way users make them: a git
//! history whose boot is a shell script, `culprit bisect`, then every format.

use crate::common;

use common::{culprit, json, linear_repo};
use serde_json::Value;
use std::path::Path;

/// The boot prints hostile console text (markup, a script, terminal escapes) before an
/// oops from commit `culprit` on; commits 14-16 do not build and 8-9 crash otherwise.
fn toml(culprit: usize) -> String {
    format!(
        r#"[build]
command = "n=$(cat n); if [ $n -ge 14 ] && [ $n -le 16 ]; then echo 'lib.c:3:10: fatal error: toyos/lib_types.h: No such file or directory'; exit 2; fi"

[[test]]
name = "boot"
command = "n=$(cat n); echo 'Linux version 6.1'; if [ $n -ge 8 ] && [ $n -le 9 ]; then echo 'Kernel panic - not syncing: Attempted to kill init! exitcode=0x0000000b'; elif [ $n -ge {culprit} ]; then echo 'Run /init as init process'; printf '\\033[1;31m<script>alert(1)</script> & <img src=x onerror=alert(2)> \"quoted\"\\033[0m\\n'; echo 'BUG: kernel NULL pointer dereference, address: 0000000000000008'; echo 'RIP: 0010:smp_call_function+0x12/0x40'; echo ' <TASK>'; sleep 30; else echo 'Run /init as init process'; echo BOOT-OK; fi"
timeout = "20s"
silence = "2s"
success = ["BOOT-OK"]

[[test]]
name = "net"
command = "echo 'Linux version 6.1'; echo BOOT-OK"
success = ["BOOT-OK"]
"#
    )
}

struct Hunt {
    _dir: tempfile::TempDir,
    repo: std::path::PathBuf,
    ids: Vec<String>,
}

/// A finished bisection; `culprit_at` is the commit expected to be found (None: the
/// hunt ends ambiguous, exit code 1).
fn bisected(commits: usize, culprit_at: usize, expected: Option<usize>) -> Hunt {
    let dir = tempfile::tempdir().unwrap();
    let repo = common::new_dir(dir.path(), "repo");
    let ids = linear_repo(&repo, commits, &toml(culprit_at));
    let out = culprit(
        &repo,
        &["bisect", "--good", &ids[0], "--bad", "main", "--json"],
    );
    let doc = json(&out);
    match expected {
        Some(n) => {
            assert_eq!(out.status.code(), Some(0), "{doc}");
            assert_eq!(doc["culprit"], ids[n - 1].as_str());
        }
        None => {
            assert_eq!(out.status.code(), Some(1), "{doc}");
            assert_eq!(doc["status"], "ambiguous");
        }
    }
    Hunt {
        _dir: dir,
        repo,
        ids,
    }
}

fn report(repo: &Path, args: &[&str]) -> String {
    let mut all = vec!["report"];
    all.extend_from_slice(args);
    common::succeeded(repo, &all)
}

#[test]
fn every_format_tells_the_same_hunt() {
    let hunt = bisected(24, 13, Some(13));
    let culprit_id = &hunt.ids[12];

    let doc: Value = serde_json::from_str(&report(&hunt.repo, &["--format", "json"])).unwrap();
    assert_eq!(doc["session"]["kind"], "bisect");
    assert_eq!(doc["session"]["result"]["culprit"], culprit_id.as_str());
    let steps = doc["steps"].as_array().unwrap();
    assert_eq!(
        steps.len() as u64,
        doc["session"]["result"]["steps"].as_u64().unwrap()
    );
    assert!(steps.iter().all(
        |s| s["result"]["tests"].is_array() && s["started"].as_f64() <= s["finished"].as_f64()
    ));

    let md = report(&hunt.repo, &["--format", "md"]);
    assert!(md.contains(&format!("`{culprit_id}` commit 13")), "{md}");
    assert!(
        md.contains(&format!(
            "culprit run --rev {} --test boot",
            &culprit_id[..12]
        )),
        "{md}"
    );
    assert!(
        md.contains(&format!("git revert --no-edit {}", &culprit_id[..12])),
        "{md}"
    );
    let culprit_row = md
        .lines()
        .find(|l| l.starts_with(&format!("| `{}`", &culprit_id[..12])))
        .unwrap_or_else(|| panic!("no evidence row for the culprit: {md}"));
    assert!(
        culprit_row.contains("| bad")
            && culprit_row.contains("fail `BUG: unable to handle kernel NULL pointer dereference"),
        "{culprit_row}"
    );
    assert!(
        !md.contains("<script>"),
        "console text is never raw markup in Markdown"
    );
    assert_eq!(
        md,
        report(&hunt.repo, &[]),
        "Markdown is the default format"
    );

    let xml = report(&hunt.repo, &["--format", "junit"]);
    check_junit(&xml, steps);

    let page = report(&hunt.repo, &["--format", "html"]);
    assert!(page.contains(&culprit_id[..12]));
    assert!(
        page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "the evidence shows the console, escaped"
    );
    assert!(page.contains("&lt;img src=x onerror=alert(2)&gt; &quot;quoted&quot;"));
    assert!(
        !page.contains("<script") && !page.contains("<img"),
        "nothing from a log becomes markup"
    );
    assert!(!page.contains('\u{1b}'), "terminal escapes are stripped");
    assert!(page.contains("<mark>BUG: kernel NULL pointer dereference, address: 0000000000000008"));
    assert!(page.contains("How the suspects narrowed") && page.matches("<svg").count() == 2);
    for load in ["src=\"", "href=\"", "url(", "@import", "http"] {
        assert!(
            !page.contains(load),
            "the page loads nothing, yet has {load}"
        );
    }
}

/// One suite per step with its runs, the counts in the attributes matching the
/// elements; before them, the answer's suite, whose properties say how the hunt ended.
fn check_junit(xml: &str, steps: &[Value]) {
    assert!(!xml.contains("<script>"), "escaped: {xml}");
    let doc = roxmltree::Document::parse(xml).unwrap_or_else(|e| panic!("{e}\n{xml}"));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    let (answer, suites): (Vec<_>, Vec<_>) = root
        .children()
        .filter(|n| n.has_tag_name("testsuite"))
        .partition(|n| n.attribute("name") == Some("answer"));
    let property = |name: &str| {
        answer[0]
            .descendants()
            .find(|p| p.has_tag_name("property") && p.attribute("name") == Some(name))
            .and_then(|p| p.attribute("value"))
    };
    assert_eq!(answer.len(), 1, "{xml}");
    assert_eq!(property("status"), Some("found"), "{xml}");
    assert!(
        property("prior").is_some_and(|p| p.starts_with("prior: ")),
        "{xml}"
    );
    assert_eq!(suites.len(), steps.len());
    let count =
        |node: roxmltree::Node, attr: &str| node.attribute(attr).unwrap().parse::<usize>().unwrap();
    let mut totals = [0usize; 3];
    for (suite, step) in suites.iter().zip(steps) {
        let cases: Vec<_> = suite
            .children()
            .filter(|n| n.has_tag_name("testcase"))
            .collect();
        let runs = step["result"]["tests"].as_array().unwrap().len()
            + usize::from(!step["result"]["build"].is_null());
        assert_eq!(cases.len(), runs, "suite {:?}", suite.attribute("name"));
        let failures = cases
            .iter()
            .filter(|c| c.children().any(|n| n.has_tag_name("failure")))
            .count();
        let skipped = cases
            .iter()
            .filter(|c| c.children().any(|n| n.has_tag_name("skipped")))
            .count();
        assert_eq!(count(*suite, "tests"), cases.len());
        assert_eq!(count(*suite, "failures"), failures);
        assert_eq!(count(*suite, "skipped"), skipped);
        let phase = step["candidate"]["phase"].as_str().unwrap();
        let key = &step["candidate"]["key"].as_str().unwrap()[..12];
        assert_eq!(
            suite.attribute("name"),
            Some(format!("{phase} {key}").as_str())
        );
        for case in &cases {
            assert!(case.attribute("time").unwrap().parse::<f64>().is_ok());
            if let Some(failure) = case.children().find(|n| n.has_tag_name("failure")) {
                let classname = case.attribute("classname").unwrap();
                let kind = failure.attribute("type").unwrap();
                match classname {
                    "boot" if kind == "oops" => {
                        assert!(
                            failure
                                .text()
                                .unwrap()
                                .contains("<script>alert(1)</script>"),
                            "the evidence, parsed back"
                        );
                        assert_eq!(
                            failure.attribute("message"),
                            Some("BUG: unable to handle kernel NULL pointer dereference in smp_call_function")
                        );
                    }
                    "boot" => assert_eq!(kind, "panic"),
                    "build" => assert_eq!(kind, "compiler"),
                    other => panic!("unexpected failure in {other}"),
                }
            }
        }
        totals[0] += cases.len();
        totals[1] += failures;
        totals[2] += skipped;
    }
    assert_eq!(
        [
            count(root, "tests"),
            count(root, "failures"),
            count(root, "skipped")
        ],
        totals
    );
    assert!(
        totals[1] >= 3,
        "the bad endpoint, a search step and the verification fail"
    );
}

#[test]
fn untestable_candidates_are_skips_and_suspects() {
    // Commit 17 is the culprit; 14-16 do not build, so it cannot be told from them.
    let hunt = bisected(20, 17, None);
    let xml = report(&hunt.repo, &["--format", "junit"]);
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let skipped: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("skipped"))
        .collect();
    assert!(
        !skipped.is_empty(),
        "an unbuildable commit was tested: {xml}"
    );
    for skip in &skipped {
        assert_eq!(skip.attribute("message"), Some("not run: the build failed"));
        assert_eq!(skip.parent().unwrap().attribute("classname"), Some("boot"));
    }
    let page = report(&hunt.repo, &["--format", "html"]);
    assert!(
        page.contains("<span class=\"pill skip\">skip</span>"),
        "untestable steps read as skips"
    );
    assert!(
        page.contains("toyos/lib_types.h: No such file or directory"),
        "with the build's evidence"
    );
    let md = report(&hunt.repo, &["--format", "md"]);
    assert!(
        // Skipped on their own, then again with the automatic fixup, which conflicts;
        // each skip says why.
        md.contains("| skip (another failure: lib.c: error: toyos/lib_types.h")
            && md.contains("skip (fixup ")
            && md.contains("does not apply: conflict in n)")
            && md.contains("build-error `lib.c: error: toyos/lib_types.h"),
        "{md}"
    );
    assert!(md.contains("**No single culprit** (ambiguous)"), "{md}");
    for n in 14..=17 {
        assert!(
            md.contains(&format!("- `{}`", &hunt.ids[n - 1][..12])),
            "suspect {n}: {md}"
        );
    }
    assert!(
        !md.contains("To reproduce"),
        "no culprit, no reproduction: {md}"
    );
    assert!(
        page.contains("why it cannot be cleared"),
        "the suspects table"
    );
}

#[test]
fn writes_to_a_file_and_picks_sessions() {
    let hunt = bisected(12, 7, Some(7));
    let out = culprit(&hunt.repo, &["run", "--json"]);
    assert_eq!(out.status.code(), Some(1), "HEAD fails");
    let file = hunt.repo.join("report.html");
    let out = culprit(
        &hunt.repo,
        &["report", "--format", "html", "-o", file.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty(), "with -o nothing goes to stdout");
    let page = std::fs::read_to_string(&file).unwrap();
    assert!(
        page.contains("culprit bisect session 1"),
        "the default is the newest hunt, not the newer run"
    );
    let run: Value = serde_json::from_str(&report(&hunt.repo, &["2", "--format", "json"])).unwrap();
    assert_eq!(run["session"]["kind"], "run");
    assert_eq!(run["steps"].as_array().unwrap().len(), 1);
    let md = report(&hunt.repo, &["2"]);
    assert!(
        md.starts_with("### culprit run (session 2): fail\n"),
        "{md}"
    );
    // A run of the working tree, and its verdict.
    common::assert_says(&md, &["`(working tree)`", "| bad |"]);
}

#[test]
fn bad_input_is_named_and_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let repo = common::new_dir(dir.path(), "repo");
    linear_repo(&repo, 2, &toml(2));
    let cases: [(&[&str], &str); 4] = [
        (&["report"], "no sessions yet"),
        (&["report", "7"], "no session 7"),
        (&["report", "--format", "pdf"], "invalid value 'pdf'"),
        (
            &["report", "--format", "md", "-o", "/nonexistent-dir/r.md"],
            "cannot write the report to /nonexistent-dir/r.md",
        ),
    ];
    for (i, (args, message)) in cases.iter().enumerate() {
        if i == 3 {
            let out = culprit(&repo, &["run", "--json"]);
            assert!(out.status.code().is_some());
        }
        let out = culprit(&repo, args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(message), "{args:?}: {stderr}");
    }
}

/// A session written by an older culprit (fewer fields) or one that died before its
/// result still renders in every format.
#[test]
fn old_and_unfinished_sessions_still_render() {
    let hunt = bisected(6, 4, Some(4));
    let db = rusqlite::Connection::open(hunt.repo.join(".culprit/journal.sqlite")).unwrap();
    db.execute(
        "INSERT INTO sessions (kind, started, args, status, result) VALUES ('bisect', 0, '{}', 'found', ?1)",
        [r#"{"status": "found", "culprit": "0123456789abcdef0123456789abcdef01234567", "candidates": [{"rev": "x"}]}"#],
    )
    .unwrap();
    db.execute(
        "INSERT INTO sessions (kind, started, args, status, result) VALUES ('bisect-config', 0, '{\"good\": 3}', 'interrupted', ?1)",
        [r#"{"error": "interrupted: <killed>"}"#],
    )
    .unwrap();
    db.execute(
        "INSERT INTO sessions (kind, started, args, status) VALUES ('future-kind', 0, '[]', 'running')",
        [],
    )
    .unwrap();
    for session in ["2", "3", "4"] {
        for format in ["md", "json", "junit", "html"] {
            let text = report(&hunt.repo, &[session, "--format", format]);
            assert!(!text.is_empty(), "{session} {format}");
        }
    }
    assert!(report(&hunt.repo, &["2"]).contains("`0123456789abcdef0123456789abcdef01234567`"));
    let page = report(&hunt.repo, &["3", "--format", "html"]);
    assert!(
        page.contains("The session ended early: interrupted: &lt;killed&gt;"),
        "{page}"
    );
    assert!(
        report(&hunt.repo, &[]).contains("bisect-config (session 3)"),
        "the newest hunt of either kind"
    );
}

/// The browser Debian packages, if installed: the HTML report is checked in it.
fn chromium() -> Option<std::path::PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| ["chromium", "chromium-browser"].map(|name| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

fn headless(browser: &Path, profile: &Path, extra: &[&str], page: &Path) -> std::process::Output {
    std::process::Command::new("timeout")
        .arg("120")
        .arg(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium runs")
}

/// Renders a real report in headless Chromium: it must render without a console error
/// or a blocked load, and its DOM must hold the charts and the escaped evidence. With
/// CULPRIT_REPORT_SCREENSHOT set, the screenshot is kept there.
#[test]
fn the_html_report_renders_in_chromium() {
    let Some(browser) = chromium() else {
        eprintln!("skipped: chromium is not installed (Debian: apt-get install chromium)");
        return;
    };
    let hunt = bisected(20, 11, Some(11));
    let page = hunt.repo.join("report.html");
    let out = culprit(
        &hunt.repo,
        &["report", "--format", "html", "-o", page.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(0));
    let profile = tempfile::tempdir().unwrap();
    let shot = hunt.repo.join("report.png");

    let out = headless(
        &browser,
        profile.path(),
        &[
            "--window-size=1280,2000",
            &format!("--screenshot={}", shot.display()),
        ],
        &page,
    );
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "chromium failed: {log}");
    for line in log.lines() {
        let console_error =
            line.contains("CONSOLE") && (line.contains("Uncaught") || line.contains("Error"));
        let blocked = line.contains("net::ERR")
            || line.contains("Failed to load resource")
            || line.contains("Refused to");
        assert!(!console_error && !blocked, "{line}");
    }
    let png = std::fs::read(&shot).expect("a screenshot");
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let size = |at: usize| u32::from_be_bytes(png[at..at + 4].try_into().unwrap());
    assert_eq!((size(16), size(20)), (1280, 2000), "the IHDR size");
    assert!(
        png.len() > 50_000,
        "a page with content, not a blank: {} bytes",
        png.len()
    );
    if let Some(keep) = std::env::var_os("CULPRIT_REPORT_SCREENSHOT") {
        std::fs::copy(&shot, keep).unwrap();
    }

    let out = headless(&browser, profile.path(), &["--dump-dom"], &page);
    assert!(out.status.success());
    let dom = String::from_utf8_lossy(&out.stdout);
    // The sections, the evidence text still text, and the culprit.
    let escaped = "&lt;script&gt;alert(1)&lt;/script&gt;";
    let sections = ["How the suspects narrowed", "Timeline", "Evidence"];
    common::assert_says(
        &dom,
        &[&sections[..], &[escaped, &hunt.ids[10][..12]]].concat(),
    );
    assert_eq!(dom.matches("<svg").count(), 2, "both charts are in the DOM");
    assert!(
        !dom.contains("<script") && !dom.contains("<img"),
        "the log's markup never became elements"
    );
}
