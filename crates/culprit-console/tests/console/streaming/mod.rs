//! The classifier on real-looking text from the seed hunts and on user rules, one module
//! per kind of input; the helpers every module reads logs with.

mod limits;
mod reports;
mod seeds;
mod soup;
mod user_rules;

use crate::support::{fail, hang, rules_with};
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

fn evidence<'a>(log: &'a str, c: &Classification) -> &'a str {
    let (start, end) = c.evidence.expect("evidence");
    &log[start as usize..end as usize]
}
