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
        assert!(classifier.prefilter.is_some(), "{:?}", rules.mode);
    }
}

/// The prefilter drops literals that hold another and splits the rest: a
/// line holding any one literal of a pack must still be flagged.
#[test]
fn the_prefilter_flags_a_line_holding_any_literal() {
    for rules in modes() {
        let Some(prefilter) = Classifier::new(&rules).unwrap().prefilter else {
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
