//! The user's rules: failure patterns, success markers, stages, and the errors that
//! name what is wrong in them.

use super::*;

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
