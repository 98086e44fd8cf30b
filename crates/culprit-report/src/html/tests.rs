use super::evidence::reason;
use super::*;

/// Issue 14: one test, two failures: one row each, the hang named as a hang.
#[test]
fn each_failure_of_a_test_gets_its_own_row() {
    let found: ConfigResult = serde_json::from_value(serde_json::json!({
        "status": "found",
        "culprits": [
            {"test": "boot", "options": ["CONFIG_BINFMT_ELF"], "outcome": "fail",
             "title": "Kernel panic - not syncing: No working init found",
             "reproduce": "# CONFIG_BINFMT_ELF is not set\n", "reproduce_verified": true,
             "cure": "CONFIG_BINFMT_ELF=y\nCONFIG_CMDLINE_BOOL=y\n", "cure_verified": true},
            {"test": "boot", "options": ["CONFIG_CMDLINE", "CONFIG_CMDLINE_BOOL"],
             "outcome": "hang", "title": "hang at stage init",
             "cure": "CONFIG_BINFMT_ELF=y\nCONFIG_CMDLINE_BOOL=y\n", "cure_verified": true}
        ],
        "tests": {"boot": "fails at bad: fail: Kernel panic"}
    }))
    .unwrap();
    let mut page = String::new();
    config_matrix(&mut page, &found);
    assert_eq!(
        page.matches("<tr><th scope=\"row\">boot</th>").count(),
        2,
        "{page}"
    );
    assert!(page.contains("<code>hang at stage init</code>"), "{page}");
    let mut page = String::new();
    config_reproduction(&mut page, &found);
    assert!(
        page.contains(
            "No working init found: on the good configuration, apply (built and checked)"
        ),
        "{page}"
    );
    assert!(page.contains("this cures it (built and checked)"), "{page}");
}

#[test]
fn verdict_reasons_are_unwrapped() {
    assert_eq!(
        reason("skip (boot: build-error: x (y))"),
        "boot: build-error: x (y)"
    );
    assert_eq!(reason("good"), "");
}

#[test]
fn clocks_are_utc() {
    assert_eq!(clock(0.0, false), "00:00:00");
    assert_eq!(clock(86_400.0 + 3_661.0, true), "1970-01-02 01:01:01 UTC");
}
