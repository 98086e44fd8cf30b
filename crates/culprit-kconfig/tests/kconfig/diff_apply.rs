//! Diffs, candidates and the normalization check, on real configuration text.

use std::collections::BTreeSet;
use std::path::Path;

use culprit_kconfig::{
    applied_changes, apply_changes, diff, not_applied, revert_changes, Change, Config, Format,
    Value,
};

fn dot_config(text: &str) -> Config {
    Config::parse(text.as_bytes(), Path::new("t"), Some(Format::DotConfig)).unwrap()
}

fn fragment(text: &str) -> Config {
    Config::parse(text.as_bytes(), Path::new("t"), Some(Format::Fragment)).unwrap()
}

const GOOD: &str = "CONFIG_SMP=y\n\
CONFIG_MP_MAX_NUM_CPUS=2\n\
# CONFIG_GALE_KERNEL_SPINLOCK_VALIDATE is not set\n\
CONFIG_GALE_KERNEL_IPI=n\n\
CONFIG_BOARD=\"qemu_x86_64\"\n\
CONFIG_OLD_ONLY=y\n";

const BAD: &str = "CONFIG_SMP=y\n\
CONFIG_MP_MAX_NUM_CPUS=0x2\n\
CONFIG_GALE_KERNEL_SPINLOCK_VALIDATE=y\n\
CONFIG_GALE_KERNEL_IPI=y\n\
CONFIG_GALE_KERNEL_CPU_MASK=y\n\
# CONFIG_UNRELATED is not set\n\
CONFIG_BOARD=\"qemu_x86_64\"\n";

#[test]
fn diff_lists_only_changes_of_meaning_sorted() {
    let changes = diff(&dot_config(GOOD), &dot_config(BAD));
    let shown: Vec<String> = changes.iter().map(ToString::to_string).collect();
    assert_eq!(
        shown,
        [
            "CONFIG_GALE_KERNEL_CPU_MASK: absent -> y",
            "CONFIG_GALE_KERNEL_IPI: n -> y",
            "CONFIG_GALE_KERNEL_SPINLOCK_VALIDATE: n -> y",
            "CONFIG_OLD_ONLY: y -> absent",
        ]
    );
}

#[test]
fn in_fragments_absence_is_a_change() {
    let changes = diff(
        &fragment("CONFIG_A=y\n"),
        &fragment("CONFIG_A=y\nCONFIG_B=n\n"),
    );
    assert_eq!(
        changes,
        [Change {
            option: "CONFIG_B".into(),
            good: None,
            bad: Some(Value::Bool(false)),
        }]
    );
}

#[test]
fn all_changes_on_good_mean_bad_and_none_mean_good() {
    let good = dot_config(GOOD);
    let bad = dot_config(BAD);
    let changes = diff(&good, &bad);
    assert!(diff(&apply_changes(&good, &changes), &bad).is_empty());
    assert!(diff(&revert_changes(&bad, &changes), &good).is_empty());
    assert_eq!(apply_changes(&good, []), good);
}

#[test]
fn a_candidate_keeps_order_and_writes_absent_as_not_set() {
    let good = dot_config(GOOD);
    let changes = diff(&good, &dot_config(BAD));
    let candidate = apply_changes(&good, [&changes[1], &changes[3]]);
    assert_eq!(
        candidate.to_text().lines().skip(4).collect::<Vec<_>>(),
        [
            "CONFIG_SMP=y",
            "CONFIG_MP_MAX_NUM_CPUS=2",
            "# CONFIG_GALE_KERNEL_SPINLOCK_VALIDATE is not set",
            "CONFIG_GALE_KERNEL_IPI=y",
            "CONFIG_BOARD=\"qemu_x86_64\"",
            "# CONFIG_OLD_ONLY is not set",
        ]
    );
}

#[test]
fn a_fragment_of_changes_shows_what_reproduces() {
    let changes = diff(&dot_config(GOOD), &dot_config(BAD));
    let reproducer = apply_changes(&Config::new(Format::Fragment), &changes[..2]);
    assert_eq!(
        reproducer.to_text(),
        "CONFIG_GALE_KERNEL_CPU_MASK=y\nCONFIG_GALE_KERNEL_IPI=y\n"
    );
}

/// Seed 002: an option placed in the wrong `if` block is silently dropped by Kconfig.
#[test]
fn not_applied_reports_the_silently_dropped_option() {
    let requested = fragment(
        "CONFIG_GALE_KERNEL_MUTEX=y\nCONFIG_GALE_WASM_LTO_MUTEX=y\n# CONFIG_GALE_KERNEL_SEM is not set\nCONFIG_LOG=n\nCONFIG_STACK_SIZE=1024\n",
    );
    let effective = dot_config(
        "CONFIG_GALE_KERNEL_MUTEX=y\n# CONFIG_GALE_KERNEL_SEM is not set\nCONFIG_STACK_SIZE=2048\n",
    );
    let report: Vec<String> = not_applied(&requested, &effective)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        report,
        [
            "CONFIG_GALE_WASM_LTO_MUTEX requested y, absent from the effective configuration",
            "CONFIG_STACK_SIZE requested 1024, got 2048",
        ]
    );
    let effective = dot_config("# CONFIG_GALE_WASM_LTO_MUTEX is not set\n");
    assert_eq!(
        not_applied(&fragment("CONFIG_GALE_WASM_LTO_MUTEX=y\n"), &effective)[0].to_string(),
        "CONFIG_GALE_WASM_LTO_MUTEX requested y, got n"
    );
}

#[test]
fn applied_changes_are_read_from_the_effective_config() {
    let good = dot_config(GOOD);
    let changes = diff(&good, &dot_config(BAD));
    let effective = dot_config(
        "CONFIG_SMP=y\nCONFIG_GALE_KERNEL_IPI=y\nCONFIG_GALE_KERNEL_CPU_MASK=n\nCONFIG_BOARD=\"qemu_x86_64\"\n",
    );
    assert_eq!(
        applied_changes(&changes, &effective),
        BTreeSet::from([1, 3])
    );
}

#[test]
fn read_and_write_files() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("candidate.config");
    let config = dot_config(BAD);
    config.write(&path).unwrap();
    let again = Config::read(&path).unwrap();
    assert_eq!(again.format(), Format::DotConfig);
    assert_eq!(again, config);
    let missing = Config::read(&dir.path().join("nope"))
        .unwrap_err()
        .to_string();
    assert!(missing.contains("nope"), "{missing}");
}
