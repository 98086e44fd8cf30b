//! Configuration bisection end to end on toyos's real Kconfig: a good and a bad
//! configuration 21 options apart, normalized by culprit's own Kconfig evaluator (toyos's
//! culprit.toml has no `normalize` command), built and booted under QEMU.

use crate::common;

use common::{json_ok, strings, toyos_config_pair};
/// The options the bad configuration turns on and off: the demo's culprit commit.
use culprit_toyos::history::{CULPRIT_OPTIONS_OFF as OFF, CULPRIT_OPTIONS_ON as ON};

/// Under the default target, `smp_mutex` has two failures: the divide error of
/// `CPU_MASK` + `IPI`, and behind it the hang of `MUTEX_STATS` + `ZTEST_VERBOSE`.
#[test]
fn names_the_single_culprit_the_interaction_the_hang_behind_it_and_the_refused_option() {
    let dir = tempfile::tempdir().unwrap();
    let (repo, good, bad) = toyos_config_pair(dir.path(), ON, OFF);

    let (good, bad) = (good.to_str().unwrap(), bad.to_str().unwrap());
    let (doc, _) = json_ok(
        &repo,
        &common::bisect_config_args(good, bad, &["-j", "2", "--json"]),
    );
    assert!(doc["changes"].as_u64().unwrap() >= 20, "{doc}");
    let culprits: Vec<(String, Vec<String>, String)> = doc["culprits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["test"].as_str().unwrap().to_string(),
                strings(&c["options"]),
                c["outcome"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        culprits,
        vec![
            (
                "smp_mutex".into(),
                vec!["CONFIG_CPU_MASK".into(), "CONFIG_IPI".into()],
                "fail".into()
            ),
            // Behind the crash, the test hangs: a second failure with its own culprits.
            (
                "smp_mutex".into(),
                vec!["CONFIG_MUTEX_STATS".into(), "CONFIG_ZTEST_VERBOSE".into()],
                "hang".into()
            ),
            (
                "smp_semaphore".into(),
                vec!["CONFIG_SPINLOCK_VALIDATE".into()],
                "hang".into()
            ),
        ],
        "{doc}"
    );
    let hang = &doc["culprits"][1];
    assert!(
        hang["title"]
            .as_str()
            .is_some_and(|t| t.starts_with("hang at stage")),
        "{doc}"
    );
    assert_eq!(hang["reproduce_verified"], true, "{doc}");
    assert_eq!(doc["tests"]["smp_threads"], "passes at bad (pass)");
    let refused = common::field_strings(&doc["not_applied"], "option");
    assert_eq!(refused, vec!["CONFIG_IPI_BROADCAST"], "{doc}");
    assert_eq!(doc["not_applied"][0]["requested"], "y");
    // culprit's own Kconfig evaluator says why: the unmet half of its `depends on`.
    let reason = doc["not_applied"][0]["reasons"][0].as_str().unwrap();
    assert!(
        reason.starts_with("it depends on `SMP_EXPERIMENTAL` (Kconfig:")
            && reason.contains("and SMP_EXPERIMENTAL is n"),
        "{doc}"
    );
    assert_eq!(
        doc["not_applied"][0]["needs"][0], "CONFIG_SMP_EXPERIMENTAL=y",
        "{doc}"
    );
    assert_eq!(
        doc["culprits"][0]["cure"],
        "# CONFIG_CPU_MASK is not set\n# CONFIG_MUTEX_STATS is not set\n"
    );
}
