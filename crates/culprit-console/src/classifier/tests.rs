use super::*;

/// What validation asks of a test's rules is what building its classifier asks:
/// each user mistake is refused by both, with the same error, and good rules pass.
#[test]
fn checking_rules_refuses_what_a_classifier_would() {
    let stage = |name: &str, marker: &str| crate::rules::StageMarker {
        name: name.into(),
        marker: marker.into(),
    };
    let mistakes: Vec<Rules> = vec![
        Rules {
            success: vec!["OK".into(), String::new()],
            ..Rules::boot()
        },
        Rules {
            failure: vec!["(unclosed".into()],
            ..Rules::boot()
        },
        Rules {
            failure: vec!["x*".into()],
            ..Rules::boot()
        },
        Rules {
            stages: vec![stage("userland", "")],
            ..Rules::boot()
        },
        Rules {
            stages: vec![stage("a", "A"), stage("a", "B")],
            ..Rules::boot()
        },
        Rules {
            max_line: 1,
            ..Rules::boot()
        },
    ];
    for rules in &mistakes {
        let checked = rules.check().expect_err("a mistake");
        let built = Classifier::new(rules).err().expect("refused too");
        assert_eq!(checked.to_string(), built.to_string(), "{rules:?}");
    }
    let good = Rules {
        success: vec!["BOOT-OK".into()],
        failure: vec!["FAIL: .*".into()],
        stages: vec![stage("userland", "Run /init")],
        ..Rules::boot()
    };
    assert!(good.check().is_ok());
    assert!(Classifier::new(&good).is_ok());
}

fn modes() -> [Rules; 2] {
    [Rules::boot(), Rules::build()]
}

/// Without the SIMD prefilter every line walks the automaton, which halves
/// the throughput: a pack that adds literals past what Teddy takes must not
/// silently lose it.
#[test]
#[cfg(target_arch = "x86_64")]
fn every_mode_keeps_its_simd_prefilter() {
    if !std::arch::is_x86_feature_detected!("ssse3") {
        return;
    }
    for rules in modes() {
        let classifier = Classifier::new(&rules).unwrap();
        assert!(classifier.marker.prefilter.is_some(), "{:?}", rules.mode);
    }
}

/// The prefilter drops literals that hold another and splits the rest: a
/// line holding any one literal of a pack must still be flagged.
#[test]
fn the_prefilter_flags_a_line_holding_any_literal() {
    for rules in modes() {
        let Some(prefilter) = Classifier::new(&rules).unwrap().marker.prefilter else {
            continue;
        };
        for rule in packs::rules(rules.mode) {
            for literal in rule.literals {
                let line = format!("[   12.5] x {literal} y");
                assert!(prefilter.find(&line), "{:?}: {literal:?}", rules.mode);
            }
        }
        assert!(!prefilter.find("[   12.5] virtio_net virtio0 eth0: link up"));
    }
}

fn first_title(log: &str) -> Option<String> {
    let reading = classify(&Rules::boot(), log.as_bytes(), &Ending::Exited { code: 0 }).ok()?;
    match reading.outcome {
        Outcome::Fail { signature } => Some(signature.title),
        _ => None,
    }
}

#[test]
fn a_kernel_booting_again_mid_run_is_a_reboot() {
    // the log starts in a running system; the clock restarts with the banner
    let zircon = "[00037.711] 07800.07847> PageFault: 500574 free pages
[00037.717] 0788[00000.000] 00000.00000> zbi: @ 0xffffff8000c62000
[00000.000] 00000.00000> welcome to Zircon
";
    assert_eq!(
        first_title(zircon).as_deref(),
        Some("unexpected kernel reboot")
    );
    let linux = "[    0.000000] Linux version 6.1.0 (gcc)
[    1.900000] Run /init as init process
[    0.000000] Linux version 6.1.0 (gcc)
";
    assert_eq!(
        first_title(linux).as_deref(),
        Some("unexpected kernel reboot")
    );
    // one boot, its banner first or after firmware lines: no reboot
    let boot = "SeaBIOS (version 1.16)
[    0.000000] Linux version 6.1.0 (gcc)
[    1.900000] Run /init as init process
";
    assert_eq!(first_title(boot), None);
}

#[test]
fn a_go_panic_behind_a_zircon_thread_prefix_is_read() {
    let log = "[00121.386] 05209.05460> panic: payload too small
[00121.386] 05209.05460> 
[00121.387] 05209.05460> goroutine 8 [running]:
[00121.387] 05209.05460> syscall/zx/fidl.(*decoder).readUint(0x4eb3f40305c0, 0x8)
[00121.389] 05209.05460> \tsyscall/zx/fidl/encoding.go:685 +0x71
";
    assert_eq!(
        first_title(log).as_deref(),
        Some("panic: payload too small")
    );
}

#[test]
fn a_bsd_panic_names_the_function_only_past_a_shared_checker() {
    // raised by the bug's own code: its message is the bug's name
    let own = "panic: size_on_all_streams = 2644 smaller than control length 4096
KDB: stack backtrace:
db_trace_self_wrapper() at db_trace_self_wrapper+0x47/frame 0xfffffe000c95b2f0
vpanic() at vpanic+0x1e0/frame 0xfffffe000c95b350
panic() at panic+0x43/frame 0xfffffe000c95b3b0
sctp_deliver_reasm_check() at sctp_deliver_reasm_check+0x167c/frame 0xfffffe000c95b460
";
    assert_eq!(
        first_title(own).as_deref(),
        Some("panic: size_on_all_streams smaller than control length")
    );
    // raised by a lock's assertion for its caller
    let checker = "panic: sx lock still held
KDB: stack backtrace:
vpanic() at vpanic+0x1e0/frame 0xfffffe001fa457d0
panic() at panic+0x43/frame 0xfffffe001fa45830
sx_destroy() at sx_destroy+0x5e/frame 0xfffffe001fa45850
solisten_proto() at solisten_proto+0xde/frame 0xfffffe001fa458b0
";
    assert_eq!(
        first_title(checker).as_deref(),
        Some("panic: sx lock still held in solisten_proto")
    );
}

#[test]
fn one_search_strides_for_the_long_literals_of_every_mode() {
    for rules in modes() {
        let Some(prefilter) = Classifier::new(&rules).unwrap().marker.prefilter else {
            continue;
        };
        // the long literals' search and the 3-byte TAP literals' own
        assert!(prefilter.searchers.len() <= 2, "{:?}", rules.mode);
    }
}

#[test]
fn keys_shared_by_many_user_markers_still_flag_each_marker() {
    let mut rules = Rules::boot();
    rules.success = (0..150).map(|n| format!("selftest {n} passed")).collect();
    let prefilter = Classifier::new(&rules).unwrap().marker.prefilter.unwrap();
    for marker in &rules.success {
        assert!(prefilter.find(&format!("[ 1.0] {marker}")), "{marker}");
    }
    assert!(!prefilter.find("[   12.5] virtio_net virtio0 eth0: link up"));
}
