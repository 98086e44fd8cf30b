//! Every real QEMU capture in `shared/console-logs/` reads as its README says.

use crate::support::{classified_in_pieces, fail, hang, rules_with};
use culprit_console::{
    classify, Classification, Classifier, Ending, Outcome, Rules, SignatureKind,
};
use proptest::prelude::*;
use std::path::{Path, PathBuf};
use std::time::Duration;

fn logs_dir() -> PathBuf {
    // Beside the checkout, which a worktree may nest deeper than the main one.
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let beside = |a: &Path| a.join("shared/console-logs");
    let dir = (crate_dir.ancestors().map(beside))
        .find(|d| d.join("README.md").is_file())
        .unwrap_or_else(|| crate_dir.join("../../../shared/console-logs"));
    assert!(
        dir.join("README.md").is_file(),
        "the real console logs are missing: expected them in {} (the shared/ directory beside the repository)",
        dir.display()
    );
    dir
}

fn log(name: &str) -> Vec<u8> {
    let path = logs_dir().join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn read(name: &str, success: &str, ending: Ending) -> Classification {
    classify(&rules_with(success), &log(name), &ending).expect("valid rules")
}

/// A boot log read as culprit reads a boot that exited 0: it passes on BOOT-OK.
fn read_boot(name: &str) -> Classification {
    read(name, "BOOT-OK", Ending::Exited { code: 0 })
}

fn evidence_text(name: &str, c: &Classification) -> String {
    let (start, end) = c.evidence.expect("evidence");
    String::from_utf8_lossy(&log(name)[start as usize..end as usize]).into_owned()
}

#[test]
fn boot_ok_passes_on_its_marker() {
    let c = read_boot("linux-boot-ok.log");
    assert_eq!(c.outcome, Outcome::Pass);
    assert_eq!(c.stage, "success");
    assert_eq!(evidence_text("linux-boot-ok.log", &c), "BOOT-OK\r\n");
    assert!(c.signatures.is_empty());
    assert_eq!(c.bytes, log("linux-boot-ok.log").len() as u64);
}

#[test]
fn boot_ok_passes_on_a_clean_exit_without_markers() {
    let c = classify(
        &Rules::boot(),
        &log("linux-boot-ok.log"),
        &Ending::Exited { code: 0 },
    )
    .unwrap();
    assert_eq!(c.outcome, Outcome::Pass);
    assert_eq!(c.stage, "init");
}

#[test]
fn a_panic_fails_with_its_reason_at_the_stage_it_came_in() {
    for (name, reason, stage) in [
        ("linux-sysrq-crash.log", "sysrq triggered crash", "init"),
        ("linux-init-exits.log", "Attempted to kill init!", "init"),
        (
            "linux-no-rootfs.log",
            "VFS: Unable to mount root fs on unknown-block",
            "kernel",
        ),
    ] {
        let c = read_boot(name);
        let title = format!("kernel panic: {reason}");
        assert_eq!(c.outcome, fail(SignatureKind::Panic, &title), "{name}");
        assert_eq!(c.stage, stage, "{name}");
    }
}

#[test]
fn sysrq_crash_has_the_whole_trace_as_evidence() {
    let c = read_boot("linux-sysrq-crash.log");
    let evidence = evidence_text("linux-sysrq-crash.log", &c);
    assert!(evidence
        .starts_with("[    1.951718] Kernel panic - not syncing: sysrq triggered crash\r\n"));
    assert!(evidence.contains("sysrq_handle_crash+0x16/0x20"));
    assert!(evidence.ends_with("(relocation range: 0xffffffff80000000-0xffffffffbfffffff)\r\n"));
}

#[test]
fn init_exit_is_one_signature() {
    assert_eq!(read_boot("linux-init-exits.log").signatures.len(), 1);
}

#[test]
fn spinning_init_passes_on_an_early_marker_and_hangs_on_a_later_one() {
    let c = read("linux-init-spins.log", "BOOT-OK", Ending::WallTimeout);
    assert_eq!(c.outcome, Outcome::Pass);
    let c = read("linux-init-spins.log", "LATER-MARKER", Ending::WallTimeout);
    assert_eq!(c.outcome, hang("init", Some("BOOT-OK")));
    assert_eq!(
        c.outcome.title().as_deref(),
        Some("hang at stage init after \"BOOT-OK\"")
    );
    assert_eq!(
        evidence_text("linux-init-spins.log", &c),
        "[    1.772331] Run /init as init process\r\n"
    );
}

#[test]
fn the_runner_stopping_qemu_is_not_an_infra_error() {
    let c = classify(
        &Rules::boot(),
        &log("linux-init-spins.log"),
        &Ending::WallTimeout,
    )
    .unwrap();
    assert!(matches!(c.outcome, Outcome::Hang { stage, .. } if stage == "init"));
}

#[test]
fn no_console_output_and_exit_0_is_an_exit_at_the_bootloader_not_a_hang() {
    let c = read_boot("linux-no-console-output.log");
    assert_eq!(
        c.outcome,
        fail(
            SignatureKind::Exit,
            "exited with status 0 at stage bootloader without the success marker"
        )
    );
    assert_eq!(
        evidence_text("linux-no-console-output.log", &c),
        "Booting from ROM...\r\n"
    );
}

#[test]
fn tiny_kernel_passes_and_is_certain_as_soon_as_the_marker_line_arrives() {
    let name = "linux-tiny-halts-after-init.log";
    let bytes = log(name);
    let marker = b"BOOT-OK: init reached, kernel 6.1.192\r\n";
    let at = bytes
        .windows(marker.len())
        .position(|w| w == marker)
        .expect("marker in log");
    let mut classifier = Classifier::new(&rules_with("BOOT-OK")).unwrap();
    classifier.feed(&bytes[..at + 6], Duration::from_secs(1));
    assert!(
        !classifier.is_certain(Duration::from_secs(50)),
        "certain before the marker arrived"
    );
    assert_eq!(classifier.stage(), "init");
    classifier.feed(&bytes[at + 6..at + 7], Duration::from_secs(1));
    assert!(
        classifier.is_certain(Duration::from_secs(1)),
        "the marker counts before its line ends"
    );
    assert_eq!(classifier.stage(), "success");
    classifier.feed(&bytes[at + 7..at + marker.len()], Duration::from_secs(1));
    assert!(classifier.is_certain(Duration::from_secs(1)));
    classifier.feed(&bytes[at + marker.len()..], Duration::from_secs(60));
    let c = classifier.finish(&Ending::StoppedEarly);
    assert_eq!(c.outcome, Outcome::Pass);
    assert_eq!(
        evidence_text(name, &c),
        "BOOT-OK: init reached, kernel 6.1.192\r\n"
    );
}

#[test]
fn a_panic_is_certain_at_kernel_offset_or_after_the_grace_period() {
    let bytes = log("linux-no-rootfs.log");
    let marker = b"Kernel panic - not syncing";
    let at = bytes
        .windows(marker.len())
        .position(|w| w == marker)
        .expect("panic in log");
    let line_end = at
        + bytes[at..]
            .iter()
            .position(|&b| b == b'\n')
            .expect("line end")
        + 1;
    let mut classifier = Classifier::new(&rules_with("BOOT-OK")).unwrap();
    classifier.feed(&bytes[..line_end], Duration::from_secs(5));
    assert!(!classifier.is_certain(Duration::from_secs(6)));
    assert!(classifier.is_certain(Duration::from_secs(7)));
    let mut classifier = Classifier::new(&rules_with("BOOT-OK")).unwrap();
    classifier.feed(&bytes, Duration::from_secs(5));
    assert!(
        classifier.is_certain(Duration::from_secs(5)),
        "Kernel Offset: ends a panic"
    );
}

#[test]
fn a_clean_boot_is_never_certain_without_a_marker() {
    let mut classifier = Classifier::new(&rules_with("LATER-MARKER")).unwrap();
    classifier.feed(&log("linux-boot-ok.log"), Duration::from_secs(1));
    assert!(!classifier.is_certain(Duration::from_secs(1000)));
}

const LOGS: [&str; 7] = [
    "linux-boot-ok.log",
    "linux-sysrq-crash.log",
    "linux-init-exits.log",
    "linux-no-rootfs.log",
    "linux-init-spins.log",
    "linux-no-console-output.log",
    "linux-tiny-halts-after-init.log",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn any_chunking_of_any_log_gives_the_same_reading(
        which in 0..LOGS.len(),
        cuts in proptest::collection::vec(any::<prop::sample::Index>(), 0..40),
        marker in prop_oneof![Just("BOOT-OK"), Just("LATER-MARKER")],
        ending in prop_oneof![Just(Ending::Exited { code: 0 }), Just(Ending::WallTimeout), Just(Ending::Unknown)],
    ) {
        let bytes = log(LOGS[which]);
        let rules = rules_with(marker);
        let whole = classify(&rules, &bytes, &ending).unwrap();
        prop_assert_eq!(classified_in_pieces(&rules, &bytes, &cuts, &ending), whole);
    }

}

#[test]
fn byte_at_a_time_feeding_gives_the_same_reading() {
    for name in LOGS {
        let bytes = log(name);
        let rules = rules_with("BOOT-OK");
        let whole = classify(&rules, &bytes, &Ending::Unknown).unwrap();
        let mut classifier = Classifier::new(&rules).unwrap();
        for b in &bytes {
            classifier.feed(std::slice::from_ref(b), Duration::ZERO);
        }
        assert_eq!(classifier.finish(&Ending::Unknown), whole, "{name}");
    }
}

#[test]
fn too_many_markers_for_the_simd_prefilter_still_read_the_same() {
    let mut many = rules_with("BOOT-OK");
    many.success
        .extend((0..300).map(|i| format!("NEVER-PRINTED-MARKER-{i}")));
    for name in LOGS {
        let bytes = log(name);
        let few = classify(&rules_with("BOOT-OK"), &bytes, &Ending::Exited { code: 0 }).unwrap();
        assert_eq!(
            classify(&many, &bytes, &Ending::Exited { code: 0 }).unwrap(),
            few,
            "{name}"
        );
    }
}
