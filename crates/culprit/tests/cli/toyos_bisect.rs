//! Commit bisection end to end on toyos: a generated history of about 200 commits with
//! merges, an unbuildable window hiding the commit that makes a test hang, crashing
//! commits; real builds, real QEMU boots, two workers, the window tested with the fix
//! the automatic rule finds.

use crate::common;

#[test]
fn names_the_hanging_commit_through_an_unbuildable_window_with_two_workers() {
    let (_dir, repo, planted) = common::toyos_history(&[]);
    assert!(planted["commits"].as_u64().unwrap() >= 200, "{planted}");
    let merges = common::git(&repo, &["rev-list", "--merges", "--count", "main"]);
    assert!(merges.parse::<u32>().unwrap() >= 5, "merges: {merges}");

    let doc = common::toyos_hunt_ok(&repo, &[]);
    assert_eq!(doc["status"], "found");
    assert_eq!(doc["culprit"], planted["culprit"], "{doc}");
    assert_eq!(doc["target"]["smp_semaphore"], "hang at stage test");
    assert!(
        doc["verification"][0].as_str().unwrap().contains("1 of 1"),
        "{doc}"
    );
    let unbuildable = common::strings(&planted["unbuildable"]);
    let crashing = common::strings(&planted["crashing"]);
    // The culprit sits inside the window that does not build: the automatic rule found
    // the commit that ended it and tested the window with it.
    let fix = &planted["fix"].as_str().unwrap()[..12];
    assert_eq!(doc["fixups"][0]["commit"], planted["fix"], "{doc}");
    assert_eq!(doc["fixups"][0]["automatic"], true, "{doc}");
    assert!(
        doc["message"]
            .as_str()
            .unwrap()
            .contains(&format!("tested with fixup {fix} applied to")),
        "{doc}"
    );
    let mut skipped = 0;
    let mut fixed_up = 0;
    for candidate in doc["candidates"].as_array().unwrap() {
        let rev = candidate["rev"].as_str().unwrap();
        let verdict = candidate["verdict"].as_str().unwrap();
        if unbuildable.iter().any(|u| u == rev) {
            // Skipped on its own; tested with the fix once the automatic rule found it.
            assert!(
                verdict.starts_with("skip") && verdict.contains("lib_types.h"),
                "{rev}: {verdict}"
            );
            if verdict.contains(&format!("(with fixup {fix})")) {
                // The window is linear: the culprit and the commits after it are bad.
                let at = |id: &str| unbuildable.iter().position(|u| *u == id);
                let after = at(rev) >= at(planted["culprit"].as_str().unwrap());
                let expected = if after {
                    "bad (with fixup"
                } else {
                    "good (with fixup"
                };
                assert!(verdict.contains(expected), "{rev}: {verdict}");
                fixed_up += 1;
            }
            skipped += 1;
        } else if crashing.iter().any(|c| c == rev) {
            assert!(
                verdict.starts_with("skip") && verdict.contains("general protection fault"),
                "{rev}: {verdict}"
            );
            skipped += 1;
        } else {
            assert!(
                verdict.starts_with("good") || verdict.starts_with("bad"),
                "{rev}: {verdict}"
            );
        }
    }
    assert!(skipped >= 1, "the search met the unbuildable window: {doc}");
    assert!(fixed_up >= 2, "the window was tested with the fix: {doc}");
    assert!(doc["steps"].as_u64().unwrap() <= 28, "{doc}");
}
