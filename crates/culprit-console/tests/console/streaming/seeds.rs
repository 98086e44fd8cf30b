//! The seed hunts' consoles and build logs, as the hunts quoted them: Zephyr faults
//! and ztest suites, the silent arm64 boot, the masking build failures.

use super::*;

/// Seed 002, as the hunt quoted it from the board's console.
const SEED_002_FAULT: &str = "*** Booting Zephyr OS build v4.4.0 ***\r\n\
Running TESTSUITE mutex_api\r\n\
===================================================================\r\n\
START - test_complex_inversion\r\n\
E: ***** USAGE FAULT *****\r\n\
E: Faulting instruction address (r15/pc): 0x080003f4\r\n\
E: >>> ZEPHYR FATAL ERROR 0: CPU exception on CPU 0\r\n";

#[test]
fn seed_002_usage_fault() {
    let c = boot(SEED_002_FAULT, Ending::WallTimeout);
    assert_eq!(c.outcome, fail(Kind::Fault, "USAGE FAULT"));
    assert_eq!(c.stage, "test");
    assert_eq!(
        c.signatures,
        [
            Signature::new(Kind::Fault, "USAGE FAULT"),
            Signature::new(Kind::Fault, "ZEPHYR FATAL ERROR: CPU exception"),
        ]
    );
    let shown = evidence(SEED_002_FAULT, &c);
    assert!(shown.starts_with("E: ***** USAGE FAULT") && shown.ends_with("on CPU 0\r\n"));
}

#[test]
fn zephyr_fault_reason_completes_the_title_and_halting_ends_it() {
    let log = "*** Booting Zephyr OS build v4.4.0 ***\n\
E: ***** MPU FAULT *****\n\
E:   Data Access Violation\n\
E:   MMFAR Address: 0x20001000\n\
E: r0/a1:  0x00000000  r1/a2:  0x20000718  r2/a3:  0x00000001\n\
E: >>> ZEPHYR FATAL ERROR 19: Unknown error on CPU 0\n\
E: Current thread: 0x20000718 (test_mutex)\n";
    let mut classifier = Classifier::new(&Rules::boot()).unwrap();
    classifier.feed(log.as_bytes(), Duration::from_secs(3));
    assert!(!classifier.is_certain(Duration::from_secs(4)));
    classifier.feed(b"E: Halting system\n", Duration::from_secs(3));
    assert!(classifier.is_certain(Duration::from_secs(3)));
    let c = classifier.finish(&Ending::StoppedEarly);
    assert_eq!(
        c.outcome,
        fail(Kind::Fault, "MPU FAULT: Data Access Violation")
    );
    assert_eq!(c.stage, "kernel");
}

#[test]
fn ztest_failure_waits_for_the_end_of_the_suite() {
    let head = "Running TESTSUITE mutex_api_1cpu\n\
START - test_mutex_priority_inheritance\n\
\n    Assertion failed at tests/kernel/mutex/mutex_api/src/main.c:312: test_mutex_priority_inheritance: (k_thread_priority_get(k_current_get()) not equal to 10)\n\
 FAIL - test_mutex_priority_inheritance in 0.520 seconds\n";
    let tail = "TESTSUITE mutex_api_1cpu failed.\n\
------ TESTSUITE SUMMARY START ------\n\
SUITE FAIL -  80.00% [mutex_api_1cpu]: pass = 4, fail = 1, skip = 0, total = 5 duration = 6.521 seconds\n\
 - FAIL - [mutex_api_1cpu.test_mutex_priority_inheritance] duration = 0.520 seconds\n\
------ TESTSUITE SUMMARY END ------\n\
PROJECT EXECUTION FAILED\n";
    let mut classifier = Classifier::new(&Rules::boot()).unwrap();
    classifier.feed(head.as_bytes(), Duration::from_secs(1));
    assert!(
        !classifier.is_certain(Duration::from_secs(100)),
        "a failed test is not the end of the suite"
    );
    classifier.feed(tail.as_bytes(), Duration::from_secs(7));
    assert!(classifier.is_certain(Duration::from_secs(7)));
    let c = classifier.finish(&Ending::StoppedEarly);
    assert_eq!(
        c.outcome,
        fail(Kind::TestFailure, "FAIL - test_mutex_priority_inheritance")
    );
    assert_eq!(
        c.signatures,
        [
            Signature::new(Kind::TestFailure, "FAIL - test_mutex_priority_inheritance"),
            Signature::new(Kind::TestFailure, "PROJECT EXECUTION FAILED"),
        ]
    );
}

#[test]
fn ztest_success_is_a_builtin_marker() {
    let log = "*** Booting Zephyr OS build v4.4.0 ***\n\
Running TESTSUITE mutex_api\n\
START - test_mutex_recursive\n\
 PASS - test_mutex_recursive in 0.011 seconds\n\
TESTSUITE mutex_api succeeded\n\
PROJECT EXECUTION SUCCESSFUL\n";
    let mut classifier = Classifier::new(&Rules::boot()).unwrap();
    classifier.feed(log.as_bytes(), Duration::from_secs(2));
    assert!(classifier.is_certain(Duration::from_secs(2)));
    let c = classifier.finish(&Ending::StoppedEarly);
    assert_eq!((c.outcome, c.stage.as_str()), (Outcome::Pass, "success"));
}

#[test]
fn seed_000_hang_before_the_zephyr_banner() {
    let log = "SeaBIOS (version 1.16.2-debian-1.16.2-1)\r\nBooting from ROM..\r\n";
    assert_eq!(
        boot(log, Ending::WallTimeout).outcome,
        hang("bootloader", Some("Booting from ROM.."))
    );
}

#[test]
fn seed_000_build_failures() {
    let lto = "   Compiling gale_ffi v0.1.0 (/__w/gale/gale/ffi)\n\
warning: linking module flags 'Code Model':\n    IDs have conflicting values: 'i32 2' from , and 'i32 1' from gale_ffi...\n\
error: failed to load bitcode of module \"core-...rcgu.o\"\n\
error: could not compile `gale_ffi` (lib) due to 1 previous error\n";
    let c = build(lto, Ending::Exited { code: 101 });
    assert_eq!(
        c.outcome,
        Outcome::BuildError {
            signature: Signature::new(
                Kind::Linker,
                "linking module flags 'Code Model': IDs have conflicting values"
            )
        }
    );
    assert_eq!(c.signatures.len(), 2);

    let got =
        "[412/420] Linking C executable zephyr/zephyr_pre0.elf\nFAILED: zephyr/zephyr_pre0.elf\n\
ld.bfd: discarded output section: `.got.plt'\nld.bfd: final link failed\n\
collect2: error: ld returned 1 exit status\nninja: build stopped: subcommand failed.\n";
    let c = build(got, Ending::Exited { code: 1 });
    assert_eq!(
        c.outcome,
        Outcome::BuildError {
            signature: Signature::new(Kind::Linker, "discarded output section: `.got.plt'")
        }
    );
    assert_eq!(
        evidence(got, &c),
        "ld.bfd: discarded output section: `.got.plt'\n"
    );
    assert_eq!(
        build(got, Ending::Exited { code: 0 }).outcome,
        Outcome::Pass
    );

    let bare = "collect2: error: ld returned 1 exit status\n";
    assert_eq!(
        build(bare, Ending::Exited { code: 1 }).outcome,
        Outcome::BuildError {
            signature: Signature::new(Kind::Exit, "collect2: error: ld returned 1 exit status")
        }
    );
    assert_eq!(
        build("nothing useful\n", Ending::Exited { code: 2 }).outcome,
        Outcome::BuildError {
            signature: Signature::new(Kind::Exit, "build command exited with status 2")
        }
    );
}

#[test]
fn seed_001_silent_arm64_boot_killed_by_timeout() {
    let log = "qemu-system-aarch64: terminating on signal 15 from pid 690472 (timeout)\n";
    assert_eq!(boot(log, Ending::WallTimeout).outcome, hang("none", None));
}

#[test]
fn a_fault_inside_a_ztest_case_blames_that_case() {
    let log = "*** Booting Zephyr OS build v3.7.0 ***\r\n\
Running TESTSUITE mutex_api\r\n\
START - test_mutex_lock_unlock\r\n\
 PASS - test_mutex_lock_unlock in 0.011 seconds\r\n\
START - test_complex_inversion\r\n\
E: ***** USAGE FAULT *****\r\n\
E:   Attempt to execute undefined instruction\r\n\
E: >>> ZEPHYR FATAL ERROR 0: CPU exception on CPU 0\r\n\
E: Halting system\r\n";
    let c = boot(log, Ending::StoppedEarly);
    let cases: Vec<(&str, CaseResult)> = c
        .cases
        .iter()
        .map(|k| (k.name.as_str(), k.result))
        .collect();
    assert_eq!(
        cases,
        [
            ("mutex_api.test_mutex_lock_unlock", CaseResult::Pass),
            ("mutex_api.test_complex_inversion", CaseResult::Crash),
        ]
    );
    assert_eq!(
        c.cases[1].signature.as_ref().map(|s| s.title.as_str()),
        Some("USAGE FAULT: Attempt to execute undefined instruction")
    );
}
