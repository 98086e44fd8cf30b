//! The automatic fixup rule: after an ambiguous end, or up front at the first failed
//! build, culprit finds the fix itself and the culprit is exact; a fix that arrives as
//! a merge cannot be picked, and the suspect set stays what it was without the rule;
//! `[bisect] auto_fixup` in culprit.toml chooses when, and the flags override it.

use super::window::{toml, History, CULPRIT, FIX, SPLIT};
use super::{assert_automatic_exact, assert_up_front_exact, bisect, suspects, window};
use serde_json::Value;
use std::path::Path;

/// Checks that the hunt with `extra` found no fix and ended (exit 1) with the whole
/// window as its suspects, as it does without the rule.
fn assert_window_suspects(repo: &Path, history: &History, extra: &[&str]) {
    let (code, doc) = bisect(repo, history, extra);
    assert_eq!(code, Some(1), "{doc}");
    let set: Vec<usize> = suspects(history, &doc).into_iter().map(|s| s.0).collect();
    assert_eq!(set, (SPLIT..=FIX).collect::<Vec<_>>(), "{doc}");
}

#[test]
fn the_automatic_fixup_finds_the_fix_and_the_culprit_exactly() {
    let (_dir, repo, history) = window(false);
    assert_automatic_exact(&repo, &history);
    // Without the rule, the same hunt ends with the window as suspects.
    assert_window_suspects(&repo, &history, &["--no-auto-fixup"]);
}

#[test]
fn a_fix_that_does_not_apply_leaves_the_same_exact_suspect_set() {
    let (_dir, repo, history) = window(true);
    let (code, today) = bisect(&repo, &history, &["--no-auto-fixup"]);
    assert_eq!(code, Some(1), "{today}");
    let (code, doc) = bisect(&repo, &history, &[]);
    assert_eq!(code, Some(1), "{doc}");
    assert_eq!(doc["status"], "ambiguous", "{doc}");
    let set = suspects(&history, &doc);
    let numbers: Vec<usize> = set.iter().map(|s| s.0).collect();
    let expected: Vec<usize> = suspects(&history, &today).iter().map(|s| s.0).collect();
    assert_eq!(numbers, expected, "{doc}");
    assert!(
        numbers.contains(&CULPRIT) && numbers.contains(&FIX),
        "{doc}"
    );
    let fix = &history.ids[FIX - 1][..12];
    for (n, reason) in &set {
        if *n == FIX {
            assert_eq!(reason, "first bad commit");
        } else {
            assert!(
                reason.contains(&format!("fixup {fix} does not apply")),
                "{n}: {reason}"
            );
        }
    }
    assert!(doc["fixups"].as_array().unwrap().is_empty(), "{doc}");
}

#[test]
fn up_front_the_fix_is_found_at_the_first_build_failure_and_the_culprit_in_fewer_steps() {
    let (_dir, repo, history) = window(false);
    let after = assert_automatic_exact(&repo, &history);
    let up_front = assert_up_front_exact(&repo, &history, &["--auto-fixup"]);
    // Same history, same exact culprit: up front the window's commits are not skipped
    // one by one first (here 14 steps against 18).
    let steps = |doc: &Value| doc["steps"].as_u64().unwrap();
    assert!(
        steps(&up_front) + 3 <= steps(&after),
        "up front {} steps, after the end {}",
        steps(&up_front),
        steps(&after)
    );
}

#[test]
fn bisect_auto_fixup_in_the_config_chooses_when_and_the_flags_override_it() {
    let (_dir, repo, history) = window(false);
    let with = |value: &str| {
        let text = format!("{}\n[bisect]\nauto_fixup = \"{value}\"\n", toml());
        std::fs::write(repo.join("culprit.toml"), text).unwrap();
    };
    with("up-front");
    assert_up_front_exact(&repo, &history, &["--allow-dirty"]);
    with("off");
    assert_window_suspects(&repo, &history, &["--allow-dirty"]);
    assert_up_front_exact(&repo, &history, &["--allow-dirty", "--auto-fixup"]);
}
