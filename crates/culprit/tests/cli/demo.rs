//! `culprit demo` end to end: both hunts on the embedded toyos, real builds and boots.

use crate::common;

use common::culprit;

#[test]
fn the_demo_names_the_planted_commit_and_the_culprit_options() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("demo");
    let out = culprit(dir.path(), &["demo", "--dir", repo.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(stderr.contains("-- the planted culprit."), "{stderr}");
    assert!(
        stderr.contains("It sits inside the window that does not build")
            && stderr.contains("at that commit with the same fixup"),
        "{stderr}"
    );
    assert!(
        stdout.contains("defconfig: enable SMP validation, CPU masks and IPIs"),
        "{stdout}"
    );
    let culprit_rows: Vec<&str> = stdout.lines().filter(|l| l.starts_with("smp_")).collect();
    assert!(
        culprit_rows
            .iter()
            .any(|l| l.starts_with("smp_semaphore") && l.contains("CONFIG_SPINLOCK_VALIDATE")),
        "{stdout}"
    );
    assert!(
        culprit_rows
            .iter()
            .any(|l| l.starts_with("smp_mutex") && l.contains("CONFIG_CPU_MASK + CONFIG_IPI")),
        "{stdout}"
    );
    assert!(
        culprit_rows.iter().any(|l| l.starts_with("smp_mutex")
            && l.contains("CONFIG_MUTEX_STATS + CONFIG_ZTEST_VERBOSE")
            && l.contains("hang at stage")),
        "{stdout}"
    );
    assert!(
        stdout.contains("not applied: CONFIG_IPI_BROADCAST requested y"),
        "{stdout}"
    );
    for page in ["commit-hunt.html", "config-hunt.html"] {
        let html = std::fs::read_to_string(repo.join(".culprit/demo").join(page)).unwrap();
        assert!(
            html.starts_with("<!DOCTYPE html>") || html.starts_with("<!doctype html>"),
            "{page}"
        );
    }
}
