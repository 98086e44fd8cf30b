//! The classifier on real-looking text from the seed hunts and on user rules.

use crate::support::rules_with;
use culprit_console::{
    classify, CaseResult, Classification, Classifier, Ending, Mode, Outcome, RuleError, Rules,
    Signature, SignatureKind as Kind, StageMarker, MAX_SIGNATURES,
};
use std::time::Duration;

fn boot(log: &str, ending: Ending) -> Classification {
    classify(&Rules::boot(), log.as_bytes(), &ending).unwrap()
}

fn build(log: &str, ending: Ending) -> Classification {
    classify(&Rules::build(), log.as_bytes(), &ending).unwrap()
}

fn fail(kind: Kind, title: &str) -> Outcome {
    Outcome::Fail {
        signature: Signature::new(kind, title),
    }
}

fn evidence<'a>(log: &'a str, c: &Classification) -> &'a str {
    let (start, end) = c.evidence.expect("evidence");
    &log[start as usize..end as usize]
}

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
        Outcome::Hang {
            stage: "bootloader".into(),
            last_line: Some("Booting from ROM..".into()),
        }
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
    assert_eq!(
        boot(log, Ending::WallTimeout).outcome,
        Outcome::Hang {
            stage: "none".into(),
            last_line: None,
        }
    );
}

#[test]
fn rustc_error_takes_its_file() {
    let log = "error[E0308]: mismatched types\n --> src/sched/mod.rs:41:17\n   |\n41 |     let x: u32 = \"a\";\n";
    assert_eq!(
        build(log, Ending::Exited { code: 101 }).outcome,
        Outcome::BuildError {
            signature: Signature::new(Kind::Compiler, "mod.rs: error[E0308]: mismatched types")
        }
    );
}

const OOPS_IN: &str =
    "[   12.345678] BUG: kernel NULL pointer dereference, address: 0000000000000008\r\n\
[   12.345901] #PF: supervisor read access in kernel mode\r\n\
[   12.346012] #PF: error_code(0x0000) - not-present page\r\n\
[   12.346208] Oops: 0000 [#1] PREEMPT SMP NOPTI\r\n\
[   12.346402] CPU: 1 PID: 87 Comm: modprobe Not tainted 6.1.0 #1\r\n\
[   12.346800] RIP: 0010:FUNC+0x1d/0x60 [foo]\r\n\
[   12.347000] Call Trace:\r\n\
[   12.347100]  <TASK>\r\n\
[   12.347200]  do_one_initcall+0x41/0x200\r\n\
[   12.347300]  </TASK>\r\n\
[   12.347400] ---[ end trace 0000000000000000 ]---\r\n";

#[test]
fn oops_title_names_the_faulting_function_and_evidence_ends_with_the_trace() {
    let log = format!(
        "[    1.0] Run /init as init process\r\n{}[   13.0] after\r\n",
        OOPS_IN.replace("FUNC", "foo_probe")
    );
    let c = boot(&log, Ending::WallTimeout);
    let signature = Signature {
        alternatives: vec!["bad-access in foo_probe".into()],
        ..Signature::new(
            Kind::Oops,
            "BUG: unable to handle kernel NULL pointer dereference in foo_probe",
        )
    };
    assert_eq!(c.outcome, Outcome::Fail { signature });
    assert_eq!(
        c.signatures.len(),
        1,
        "the Oops line is part of the same report"
    );
    let shown = evidence(&log, &c);
    assert!(shown.starts_with("[   12.345678] BUG: kernel NULL"));
    assert!(shown.ends_with("---[ end trace 0000000000000000 ]---\r\n"));
}

#[test]
fn the_same_oops_twice_is_one_signature_and_another_function_is_another() {
    let log = format!(
        "{}{}{}",
        OOPS_IN.replace("FUNC", "foo_probe"),
        OOPS_IN
            .replace("FUNC", "foo_probe")
            .replace("[   12.", "[   99."),
        OOPS_IN.replace("FUNC", "bar_remove")
    );
    let titles: Vec<String> = boot(&log, Ending::Unknown)
        .signatures
        .into_iter()
        .map(|s| s.title)
        .collect();
    assert_eq!(
        titles,
        [
            "BUG: unable to handle kernel NULL pointer dereference in foo_probe",
            "BUG: unable to handle kernel NULL pointer dereference in bar_remove",
        ]
    );
}

#[test]
fn a_warning_is_a_failure() {
    let log = "[    2.1] ------------[ cut here ]------------\n\
[    2.1] WARNING: CPU: 0 PID: 1 at drivers/misc/demo.c:31 demo_probe+0x3f4/0x410\n\
[    2.1] RIP: 0010:demo_probe+0x3f4/0x410\n\
[    2.1] Call Trace:\n\
[    2.1]  really_probe+0x1/0x2\n\
[    2.2] ---[ end trace 0000000000000000 ]---\n";
    assert_eq!(
        boot(log, Ending::Exited { code: 0 }).outcome,
        fail(Kind::Warning, "WARNING in demo_probe")
    );
}

#[test]
fn rust_panic_message_on_the_next_line() {
    let log = "thread 'main' panicked at src/sched.rs:88:13:\nready queue corrupted\nnote: run with `RUST_BACKTRACE=1`\n";
    assert_eq!(
        boot(log, Ending::Exited { code: 101 }).outcome,
        fail(
            Kind::Panic,
            "panicked at src/sched.rs: ready queue corrupted"
        )
    );
}

#[test]
fn qemu_that_cannot_start_is_an_infra_error() {
    let log = "qemu-system-x86_64: could not load kernel 'vmlinuz': No such file or directory\n";
    let c = boot(log, Ending::Exited { code: 1 });
    assert_eq!(
        c.outcome,
        Outcome::InfraError {
            reason:
                "qemu-system-x86_64: could not load kernel 'vmlinuz': No such file or directory"
                    .into()
        }
    );
    assert_eq!(c.evidence, Some((0, log.len() as u64)));
}

#[test]
fn user_failure_patterns_are_custom_signatures() {
    let rules = Rules {
        failure: vec![r"selftest: \w+ FAILED".into()],
        ..Rules::boot()
    };
    let log = "[    3.210000] selftest: spinlock FAILED (cpu 3, 0xffff888003e4c000)\n";
    let c = classify(&rules, log.as_bytes(), &Ending::Exited { code: 0 }).unwrap();
    assert_eq!(
        c.outcome,
        fail(Kind::Custom, "selftest: spinlock FAILED (CPU, ADDR)")
    );
    let in_build = Rules {
        mode: Mode::Build,
        failure: vec!["is deprecated".into()],
        ..Rules::boot()
    };
    let c = classify(
        &in_build,
        b"foo.c:3:1: warning: 'bar' is deprecated\n",
        &Ending::Exited { code: 0 },
    )
    .unwrap();
    assert_eq!(
        c.outcome,
        fail(Kind::Custom, "foo.c: warning: 'bar' is deprecated")
    );
}

#[test]
fn bad_rules_say_what_is_wrong() {
    let bad = Rules {
        failure: vec!["ok".into(), "oops (unclosed".into()],
        ..Rules::boot()
    };
    let message = Classifier::new(&bad)
        .err()
        .expect("invalid regex")
        .to_string();
    assert!(
        message.contains("oops (unclosed") && message.contains("not a valid regex"),
        "{message}"
    );
    let empty = Rules {
        failure: vec!["x*".into()],
        ..Rules::boot()
    };
    assert!(matches!(
        Classifier::new(&empty),
        Err(RuleError::EmptyFailurePattern { .. })
    ));
    let empty_marker = Rules {
        success: vec![String::new()],
        ..Rules::boot()
    };
    assert!(matches!(
        Classifier::new(&empty_marker),
        Err(RuleError::EmptySuccessMarker { index: 0 })
    ));
    let tiny = Rules {
        max_line: 10,
        ..Rules::boot()
    };
    assert!(matches!(
        Classifier::new(&tiny),
        Err(RuleError::LineCapTooSmall { .. })
    ));
}

#[test]
fn user_stages_rank_in_order_after_init() {
    let rules = Rules {
        success: vec!["BOOT-OK".into()],
        stages: vec![
            StageMarker {
                name: "rootfs".into(),
                marker: "mounted root".into(),
            },
            StageMarker {
                name: "shell".into(),
                marker: "/ # ".into(),
            },
        ],
        ..Rules::boot()
    };
    let log = "Linux version 6.1\nRun /init as init process\n/ # \nmounted root\n";
    let mut classifier = Classifier::new(&rules).unwrap();
    classifier.feed(log.as_bytes(), Duration::ZERO);
    assert_eq!(classifier.stage(), "shell");
    let c = classifier.finish(&Ending::Exited { code: 0 });
    assert_eq!(
        c.outcome,
        Outcome::Fail {
            signature: Signature::new(
                Kind::Exit,
                "exited with status 0 at stage shell without the success marker"
            )
        }
    );
}

#[test]
fn success_after_a_failure_does_not_pass() {
    let rules = rules_with("BOOT-OK");
    let log = "[ 1.0] BUG: scheduling while atomic: init/1/0x00000002\nBOOT-OK\n";
    let mut classifier = Classifier::new(&rules).unwrap();
    classifier.feed(log.as_bytes(), Duration::from_secs(1));
    assert!(!classifier.is_certain(Duration::from_secs(2)));
    assert!(classifier.is_certain(Duration::from_secs(3)));
    let signature = Signature {
        corrupted: true,
        ..Signature::new(Kind::Bug, "BUG: scheduling while atomic in corrupted")
    };
    assert_eq!(
        classifier.finish(&Ending::StoppedEarly).outcome,
        Outcome::Fail { signature },
        "no trace followed, so the title names no function"
    );
}

#[test]
fn lines_after_the_grace_period_are_not_evidence() {
    let mut classifier = Classifier::new(&Rules::boot()).unwrap();
    let panic = "[ 1.0] Kernel panic - not syncing: Fatal exception\n";
    classifier.feed(panic.as_bytes(), Duration::from_secs(1));
    classifier.feed(b"[ 1.1] CPU: 0 PID: 1 Comm: init\n", Duration::from_secs(2));
    classifier.feed(b"[ 9.0] much later\n", Duration::from_secs(9));
    let c = classifier.finish(&Ending::WallTimeout);
    assert_eq!(c.evidence, Some((0, (panic.len() + 32) as u64)));
}

#[test]
fn memory_stays_bounded_under_floods() {
    let mut classifier = Classifier::new(&Rules::boot()).unwrap();
    for i in 0..10_000 {
        let line = format!(
            "[ {i}.0] WARNING: CPU: 0 PID: 1 at kernel/f{i}.c:1 f{i}+0x1/0x2\n[ {i}.0] RIP: 0010:f{i}+0x1/0x2\n"
        );
        classifier.feed(line.as_bytes(), Duration::ZERO);
    }
    let c = classifier.finish(&Ending::Unknown);
    assert_eq!(c.signatures.len(), MAX_SIGNATURES);
    assert_eq!(c.signatures[0].title, "WARNING in f0");

    let mut classifier = Classifier::new(&Rules::boot()).unwrap();
    let repeated = "[ 1.0] WARNING: CPU: 0 PID: 1 at kernel/f.c:1 f+0x1/0x2\n".repeat(10_000);
    classifier.feed(repeated.as_bytes(), Duration::ZERO);
    let c = classifier.finish(&Ending::Unknown);
    assert_eq!(c.signatures.len(), 1);
    let (start, end) = c.evidence.unwrap();
    assert_eq!(start, 0);
    assert!(
        end < 600 * 60,
        "evidence stops at the trace line cap when no time passes"
    );
}

#[test]
fn endless_line_is_capped_and_the_next_line_still_counts() {
    let rules = rules_with("BOOT-OK");
    let mut classifier = Classifier::new(&rules).unwrap();
    let junk = vec![b'#'; 1 << 20];
    classifier.feed(&junk, Duration::ZERO);
    classifier.feed(
        b"BOOT-OK hidden past the cap\r\n\x1b[32mBOOT-OK\x1b[0m\r\n",
        Duration::ZERO,
    );
    let c = classifier.finish(&Ending::WallTimeout);
    assert_eq!(c.outcome, Outcome::Pass);
    let start = junk.len() as u64 + 29;
    assert_eq!(c.evidence, Some((start, start + 18)));
}

#[test]
fn interrupted_and_spawn_failures_are_infra_errors() {
    assert_eq!(
        boot("", Ending::Interrupted).outcome,
        Outcome::InfraError {
            reason: "interrupted".into()
        }
    );
    assert_eq!(
        boot(
            "",
            Ending::SpawnFailed {
                reason: "qemu-system-x86_64: not found".into()
            }
        )
        .outcome,
        Outcome::InfraError {
            reason: "qemu-system-x86_64: not found".into()
        }
    );
    assert_eq!(
        boot("", Ending::Signalled { signal: 9 }).outcome,
        fail(Kind::Exit, "killed by signal 9")
    );
}

mod soup {
    //! Random mixes of the lines the packs react to, in random chunks.

    use super::*;
    use crate::support::classified_in_pieces;
    use proptest::prelude::*;

    const LINES: &[&str] = &[
        "[ 1.0] BUG: kernel NULL pointer dereference, address: 0000000000000008\r\n",
        "[ 1.0] Oops: 0000 [#1] PREEMPT SMP NOPTI\r\n",
        "[ 1.0] RIP: 0010:foo_probe+0x1d/0x60 [foo]\r\n",
        "[ 1.0] RIP: 0010:bar_remove+0x1d/0x60 [foo]\r\n",
        "[ 1.0] ---[ end trace 0000000000000000 ]---\r\n",
        "[ 1.0] Kernel panic - not syncing: Fatal exception\r\n",
        "[ 1.0] Kernel Offset: 0x37c00000 from 0xffffffff81000000\r\n",
        "[ 1.0] WARNING: CPU: 0 PID: 1 at kernel/f.c:1 f+0x1/0x2\r\n",
        "E: ***** USAGE FAULT *****\n",
        "E:   Attempt to execute undefined instruction\n",
        "thread 'main' panicked at src/x.rs:1:2:\n",
        " FAIL - test_a in 0.1 seconds\n",
        "PROJECT EXECUTION FAILED\n",
        "BOOT-OK\n",
        "buildroot login: BOOT-OK",
        "Linux version 6.1\r\n",
        "SeaBIOS\x1bc\x1b[?7l",
        "\x1b[2J\r",
        "\n",
        "qemu-system-x86_64: -foo: invalid option\n",
        "plain text \u{fffd}\0\n",
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn any_mix_in_any_chunks_reads_the_same(
            picks in proptest::collection::vec(0..LINES.len(), 0..120),
            cuts in proptest::collection::vec(any::<prop::sample::Index>(), 0..20),
        ) {
            let log: String = picks.iter().map(|&i| LINES[i]).collect();
            let bytes = log.as_bytes();
            let rules = rules_with("BOOT-OK");
            let whole = classify(&rules, bytes, &Ending::Unknown).unwrap();
            let split = classified_in_pieces(&rules, bytes, &cuts, &Ending::Unknown);
            prop_assert_eq!(&split, &whole);
            prop_assert!(whole.signatures.len() <= MAX_SIGNATURES);
            for (i, a) in whole.signatures.iter().enumerate() {
                prop_assert!(!whole.signatures[i + 1..].contains(a), "{} repeated", a);
            }
            if let Some((start, end)) = whole.evidence {
                prop_assert!(start < end && end <= bytes.len() as u64);
            }
        }
    }
}

#[test]
fn a_classifier_can_move_to_the_runners_thread() {
    fn assert_send<T: Send>() {}
    assert_send::<Classifier>();
}

#[test]
fn flags_in_one_failure_pattern_do_not_leak_into_another() {
    let rules = Rules {
        failure: vec!["(?i)fatal".into(), "STRICT".into()],
        ..Rules::boot()
    };
    let reading = |log: &str| {
        classify(&rules, log.as_bytes(), &Ending::Exited { code: 0 })
            .unwrap()
            .outcome
    };
    assert_eq!(
        reading("a FaTaL thing\n"),
        fail(Kind::Custom, "a FaTaL thing")
    );
    assert_eq!(
        reading("STRICT mode off\n"),
        fail(Kind::Custom, "STRICT mode off")
    );
    assert_eq!(reading("strict mode off\n"), Outcome::Pass);
}

#[test]
fn a_prompt_marker_counts_before_its_line_ends() {
    let rules = Rules {
        success: vec!["login: ".into()],
        ..Rules::boot()
    };
    let log = "Run /init as init process\r\nWelcome to Buildroot\r\nbuildroot login: ";
    let mut classifier = Classifier::new(&rules).unwrap();
    classifier.feed(&log.as_bytes()[..log.len() - 3], Duration::from_secs(4));
    assert!(!classifier.is_certain(Duration::from_secs(4)));
    classifier.feed(&log.as_bytes()[log.len() - 3..], Duration::from_secs(4));
    assert!(classifier.is_certain(Duration::from_secs(4)));
    assert_eq!(classifier.stage(), "success");
    let c = classifier.finish(&Ending::StoppedEarly);
    assert_eq!(c.outcome, Outcome::Pass);
    assert_eq!(evidence(log, &c), "buildroot login: ");
    assert_eq!(
        c,
        classify(&rules, log.as_bytes(), &Ending::StoppedEarly).unwrap()
    );
}

#[test]
fn a_build_log_read_as_a_console_is_a_build_error() {
    let log = "  CC      kernel/fork.o\nkernel/fork.c:1234:5: error: 'foo' undeclared (first use in this function)\nmake[2]: *** [scripts/Makefile.build:250: kernel/fork.o] Error 1\nmake: *** [Makefile:1234: kernel] Error 2\n";
    let c = boot(log, Ending::Unknown);
    assert_eq!(
        c.outcome,
        Outcome::BuildError {
            signature: Signature::new(
                Kind::Compiler,
                "kernel/fork.c: error: 'foo' undeclared (first use in this function)"
            )
        }
    );
    assert_eq!(c.outcome.bisect_exit_code(), 125);
    // Once something booted, the same words are the guest's business.
    let booted = format!("Linux version 6.1\n{log}");
    assert!(matches!(
        boot(&booted, Ending::Unknown).outcome,
        Outcome::Hang { .. }
    ));
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

/// An out-of-tree Kbuild build names sources by absolute path, which differs per worker;
/// the title names the file relative to the tree, the evidence keeps path and line.
#[test]
fn build_error_titles_name_the_file_in_the_tree_in_every_worktree() {
    let log = |tree: &str, line: u32| {
        format!(
            "  CC      drivers/tty/serial/8250/8250_port.o\n\
             {tree}/drivers/tty/serial/8250/8250_port.c:{line}:9: error: 'UART_LCR_WLEN9' undeclared (first use in this function)\n\
             make[5]: *** [{tree}/scripts/Makefile.build:250: drivers/tty/serial/8250/8250_port.o] Error 1\n"
        )
    };
    let read = |tree: &str, root: &str, line: u32| {
        let rules = Rules {
            source_roots: vec![root.to_string()],
            ..Rules::build()
        };
        let text = log(tree, line);
        let c = classify(&rules, text.as_bytes(), &Ending::Exited { code: 2 }).unwrap();
        let evidence = evidence(&text, &c).to_string();
        (c.outcome, evidence)
    };
    let (w0, evidence) = read("/state/worktrees/w0", "/state/worktrees/w0", 2021);
    assert_eq!(
        w0,
        Outcome::BuildError {
            signature: Signature::new(
                Kind::Compiler,
                "drivers/tty/serial/8250/8250_port.c: error: 'UART_LCR_WLEN9' undeclared (first use in this function)"
            )
        }
    );
    assert!(
        evidence.contains("8250_port.c:2021:9: error:"),
        "the evidence keeps the line: {evidence}"
    );
    let (w1, _) = read("/state/worktrees/w1", "/state/worktrees/w1/", 2024);
    assert_eq!(w0, w1, "same title in another worktree, lines moved");
}
