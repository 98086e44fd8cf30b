//! Endings, bounds and limits: infrastructure errors, the grace period, floods and
//! endless lines, a classifier moving between threads.

use super::*;

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

#[test]
fn a_classifier_can_move_to_the_runners_thread() {
    fn assert_send<T: Send>() {}
    assert_send::<Classifier>();
}
