//! Helpers shared by the tests of this binary and the crash_corpus example.

pub mod crash_corpus;

use culprit_console::{
    Classification, Classifier, Ending, Outcome, Rules, Signature, SignatureKind,
};
use proptest::sample::Index;
use std::time::Duration;

/// What the classifier says of `bytes` fed in pieces, cut where `cuts` point, then ended
/// by `ending`: the streaming classifier must say what it says of the whole.
pub fn classified_in_pieces(
    rules: &Rules,
    bytes: &[u8],
    cuts: &[Index],
    ending: &Ending,
) -> Classification {
    let mut cuts: Vec<usize> = cuts.iter().map(|i| i.index(bytes.len() + 1)).collect();
    cuts.sort_unstable();
    let mut classifier = Classifier::new(rules).unwrap();
    let mut at = 0;
    for cut in cuts.into_iter().chain([bytes.len()]) {
        classifier.feed(&bytes[at..cut], Duration::ZERO);
        at = cut;
    }
    classifier.finish(ending)
}

/// The boot rules with the one success marker `success`.
pub fn rules_with(success: &str) -> Rules {
    Rules {
        success: vec![success.to_string()],
        ..Rules::boot()
    }
}

/// A failure with the signature of `kind` titled `title`.
pub fn fail(kind: SignatureKind, title: &str) -> Outcome {
    Outcome::Fail {
        signature: Signature::new(kind, title),
    }
}

/// A hang at `stage`, after `last_line` when the console printed one.
pub fn hang(stage: &str, last_line: Option<&str>) -> Outcome {
    Outcome::Hang {
        stage: stage.into(),
        last_line: last_line.map(Into::into),
    }
}
