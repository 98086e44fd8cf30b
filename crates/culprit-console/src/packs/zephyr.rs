//! Zephyr RTOS: fatal errors, architecture fault banners, assertions, and the
//! ztest protocol (`Running TESTSUITE`, `START - t`, ` PASS - t`, ` FAIL - t`,
//! `PROJECT EXECUTION SUCCESSFUL|FAILED`).

use super::{end, Effect, Found, Rule};
use crate::normalize::basename;
use crate::stack::Stack;
use crate::stage::Builtin;
use crate::SignatureKind as Kind;

pub(crate) fn rules() -> Vec<Rule> {
    vec![
        Rule::new(&["PROJECT EXECUTION", "Halting system"], end(true)),
        Rule::new(&["PROJECT EXECUTION SUCCESSFUL"], Effect::Success),
        Rule::new(
            &["PROJECT EXECUTION FAILED"],
            Effect::Signature(project_failed),
        ),
        Rule::new(&["***** "], Effect::Signature(fault_banner)),
        Rule::new(&[">>> ZEPHYR FATAL ERROR"], Effect::Signature(fatal_error)),
        Rule::new(&["ASSERTION FAIL"], Effect::Signature(assertion)),
        Rule::new(&["FAIL - "], Effect::Signature(test_failed)),
        Rule::new(&["*** Booting Zephyr OS"], Effect::Stage(Builtin::Kernel)),
        Rule::new(
            &["Running TESTSUITE", "START - ", "PASS - "],
            Effect::Stage(Builtin::Test),
        ),
    ]
}

fn project_failed(_: &str) -> Option<Found> {
    Some(Found::new(Kind::TestFailure, "PROJECT EXECUTION FAILED"))
}

/// `***** USAGE FAULT *****`; the reason is on the next line and the faulting
/// function, when the dump symbolizes it, further down, so the title waits for
/// the dump (`USAGE FAULT: Attempt to execute undefined instruction in f`).
fn fault_banner(body: &str) -> Option<Found> {
    let c = regex!(r"^(?:E: |<err> \w+: )?\s*\*{5} ([A-Za-z][^*]*?)\s*(?:\*{5})?\s*$")
        .captures(body)?;
    // `CPU Page Fault (error code 0x2)`: the code varies with the access.
    let banner = regex!(r"\s*\(error code [^)]*\)").replace(&c[1], "");
    Some(Found::new(Kind::Fault, banner).with_stack(Stack::firmware()))
}

fn fatal_error(body: &str) -> Option<Found> {
    // The reason's number and its words say the same; the words stay.
    let c = regex!(r">>> ZEPHYR FATAL ERROR \d+: (.*?)(?: on CPU \d+)?\s*$").captures(body)?;
    Some(Found::new(
        Kind::Fault,
        format!("ZEPHYR FATAL ERROR: {}", &c[1]),
    ))
}

fn assertion(body: &str) -> Option<Found> {
    let c = regex!(r"ASSERTION FAIL \[(.*)\](?: @ (\S+))?").captures(body)?;
    let title = match c.get(2) {
        Some(at) => format!("ASSERTION FAIL [{}] @ {}", &c[1], basename(at.as_str())),
        None => format!("ASSERTION FAIL [{}]", &c[1]),
    };
    Some(Found::new(Kind::Assertion, title))
}

/// ` FAIL - test_x in 0.520 seconds`; the summary's ` - FAIL - [suite.test_x]`
/// repeats it and is not matched.
fn test_failed(body: &str) -> Option<Found> {
    let c = regex!(r"^(?:E: )?\s*FAIL - (\S+)").captures(body)?;
    Some(Found::new(Kind::TestFailure, format!("FAIL - {}", &c[1])))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packs::testing::{signature, title};

    fn t(line: &str) -> Option<String> {
        title(&rules(), line)
    }

    /// The title the whole classifier gives a boot log.
    fn read(log: &str) -> (String, bool) {
        let got = crate::classify(
            &crate::Rules::boot(),
            log.as_bytes(),
            &crate::Ending::SilenceTimeout,
        )
        .unwrap();
        let signature = got.outcome.signature().unwrap().clone();
        (signature.title, signature.corrupted)
    }

    #[test]
    fn fault_dump_from_seed_002() {
        let f = signature(&rules(), "E: ***** USAGE FAULT *****").unwrap();
        assert_eq!((f.kind, f.title.as_str()), (Kind::Fault, "USAGE FAULT"));
        assert!(f.stack.is_some(), "the banner reads the dump after it");
        let log = "Running TESTSUITE mutex_api\nSTART - test_complex_inversion\n\
            E: ***** USAGE FAULT *****\n\
            E:   Attempt to execute undefined instruction\n\
            E: r0/a1:  0x00000000  r1/a2:  0x20000a10  r2/a3:  0x00000001\n\
            E: Faulting instruction address (r15/pc): 0x080003f4\n\
            E: >>> ZEPHYR FATAL ERROR 0: CPU exception on CPU 0\n\
            E: Current thread: 0x20000118 (test_complex_inversion)\n\
            E: Halting system\n";
        assert_eq!(
            read(log),
            (
                "USAGE FAULT: Attempt to execute undefined instruction".to_string(),
                false
            ),
            "an unsymbolized dump keeps banner and reason, and is not corrupted"
        );
        assert_eq!(
            t("E: Faulting instruction address (r15/pc): 0x080003f4"),
            None
        );
        assert_eq!(
            t("E: >>> ZEPHYR FATAL ERROR 0: CPU exception on CPU 0").as_deref(),
            Some("ZEPHYR FATAL ERROR: CPU exception")
        );
    }

    #[test]
    fn a_symbolized_dump_names_the_faulting_function() {
        // addr2line's answer for the faulting address wins over the call trace.
        let addr2line = "E: ***** USAGE FAULT *****\n\
            E:   Attempt to execute undefined instruction\n\
            E: Faulting instruction address (r15/pc): 0x080003F4\n\
            0x080003f4: gale_mutex_unlock_body at /src/gale/mutex.c:88\n\
            0x08001a10: test_complex_inversion at /src/tests/mutex_api/main.c:412\n\
            E: >>> ZEPHYR FATAL ERROR 0: CPU exception on CPU 0\n";
        assert_eq!(
            read(addr2line).0,
            "USAGE FAULT: Attempt to execute undefined instruction in gale_mutex_unlock_body"
        );
        // Zephyr's own symbol table: the fault handlers are machinery.
        let symtab = "<err> os: ***** BUS FAULT *****\n\
            <err> os:   Precise data bus error\n\
            <err> os: call trace:\n\
            <err> os:       0: lr: 0x08000c41 [z_arm_fault+0x5c]\n\
            <err> os:       1: lr: 0x08001233 [demo_dma_store.constprop.0+0x1a]\n\
            <err> os:       2: lr: 0x080004f1 [z_thread_entry+0x30]\n\
            <err> os: >>> ZEPHYR FATAL ERROR 0: CPU exception on CPU 0\n";
        assert_eq!(
            read(symtab).0,
            "BUS FAULT: Precise data bus error in demo_dma_store"
        );
    }

    #[test]
    fn every_arm_fault_banner() {
        for (line, want) in [
            ("E: ***** MPU FAULT *****", "MPU FAULT"),
            ("E: ***** BUS FAULT *****", "BUS FAULT"),
            ("E: ***** HARD FAULT *****", "HARD FAULT"),
            (
                "[00:00:00.012,000] <err> os: ***** USAGE FAULT *****",
                "USAGE FAULT",
            ),
            (
                "E: ***** CPU Page Fault (error code 0x0000000000000002)",
                "CPU Page Fault",
            ),
        ] {
            assert_eq!(t(line).as_deref(), Some(want), "{line}");
        }
        assert_eq!(
            t("**********************************************************"),
            None
        );
        assert_eq!(
            read("<err> os: ***** USAGE FAULT *****\n<err> os:   Stacking error\n").0,
            "USAGE FAULT: Stacking error"
        );
    }

    #[test]
    fn assertions_keep_expression_and_file_not_line() {
        assert_eq!(
            t("ASSERTION FAIL [z_spin_lock_valid(l)] @ WEST_TOPDIR/zephyr/include/zephyr/spinlock.h:136").as_deref(),
            Some("ASSERTION FAIL [z_spin_lock_valid(l)] @ spinlock.h")
        );
    }

    #[test]
    fn ztest_protocol() {
        let f = signature(
            &rules(),
            " FAIL - test_mutex_priority_inheritance in 0.520 seconds",
        )
        .unwrap();
        assert_eq!(
            (f.kind, f.title.as_str()),
            (Kind::TestFailure, "FAIL - test_mutex_priority_inheritance")
        );
        assert_eq!(
            t(" - FAIL - [mutex_api.test_mutex_priority_inheritance] duration = 0.520 seconds"),
            None
        );
        assert_eq!(t(" PASS - test_complex_inversion in 6.001 seconds"), None);
        assert_eq!(
            t("PROJECT EXECUTION FAILED").as_deref(),
            Some("PROJECT EXECUTION FAILED")
        );
        assert_eq!(t("PROJECT EXECUTION SUCCESSFUL"), None);
        assert_eq!(t("*** Booting Zephyr OS build v4.4.0 ***"), None);
    }
}
