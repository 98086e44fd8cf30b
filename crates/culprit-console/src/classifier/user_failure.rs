//! The user's failure patterns (`failure = [...]` in culprit.toml): one alternation,
//! and the literals every match holds, so that the regex runs only on the lines the
//! prefilter flags instead of on every line of the log. Checking a culprit.toml builds
//! the alternation alone: only a classifier needs the literals.

use crate::rules::RuleError;
use regex::Regex;
use regex_syntax::hir::literal::{ExtractKind, Extractor};

/// Most literals the patterns may stand for through the prefilter; past that (a
/// case-insensitive word, a character class) the regex runs on every line instead.
const MAX_LITERALS: usize = 32;

/// The user's failure patterns, compiled for a classifier.
pub(super) struct UserFailure {
    pub(super) regex: Regex,
    /// Literals such that every match of the regex holds one; `None` when some pattern
    /// has no such finite set (`\w+ failed`), and every line is then tried.
    pub(super) literals: Option<Vec<String>>,
}

impl UserFailure {
    pub(super) fn new(regex: Regex) -> UserFailure {
        let literals = required_literals(regex.as_str());
        UserFailure { regex, literals }
    }
}

/// Checks each pattern and compiles them as one alternation; `None` for no pattern.
pub(super) fn user_failure(patterns: &[String]) -> Result<Option<Regex>, RuleError> {
    if patterns.is_empty() {
        return Ok(None);
    }
    for pattern in patterns {
        let regex = Regex::new(pattern).map_err(|e| RuleError::InvalidFailurePattern {
            pattern: pattern.clone(),
            source: Box::new(e),
        })?;
        if regex.is_match("") {
            return Err(RuleError::EmptyFailurePattern {
                pattern: pattern.clone(),
            });
        }
    }
    // Each pattern is valid alone, so each is a balanced group: flags set inside
    // one stay inside it.
    let alternation: Vec<String> = patterns.iter().map(|p| format!("(?:{p})")).collect();
    let alternation = alternation.join("|");
    Regex::new(&alternation)
        .map(Some)
        .map_err(|e| RuleError::InvalidFailurePattern {
            pattern: alternation,
            source: Box::new(e),
        })
}

/// Literals such that every match of `pattern` holds one of them: its prefixes, or
/// else its suffixes, when either is a short finite set of non-empty strings.
fn required_literals(pattern: &str) -> Option<Vec<String>> {
    let hir = regex_syntax::Parser::new().parse(pattern).ok()?;
    [ExtractKind::Prefix, ExtractKind::Suffix]
        .into_iter()
        .find_map(|kind| {
            let mut extractor = Extractor::new();
            extractor.kind(kind);
            let seq = extractor.extract(&hir);
            let literals = seq.literals()?;
            if literals.is_empty() || literals.len() > MAX_LITERALS {
                return None;
            }
            literals
                .iter()
                .map(|l| match l.as_bytes() {
                    [] => None,
                    bytes => String::from_utf8(bytes.to_vec()).ok(),
                })
                .collect()
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn literals(patterns: &[&str]) -> Option<Vec<String>> {
        let patterns: Vec<String> = patterns.iter().map(|p| p.to_string()).collect();
        user_failure(&patterns)
            .ok()
            .flatten()
            .and_then(|regex| UserFailure::new(regex).literals)
    }

    #[test]
    fn a_plain_pattern_is_its_own_literal() {
        assert_eq!(
            literals(&["TOYOS FATAL ERROR"]),
            Some(vec!["TOYOS FATAL ERROR".to_string()])
        );
    }

    #[test]
    fn alternatives_and_a_trailing_wildcard_give_their_prefixes() {
        let mut found = literals(&["selftest (failed|aborted)", "oops: .*"]).unwrap_or_default();
        found.sort();
        assert_eq!(found, ["oops: ", "selftest aborted", "selftest failed"]);
    }

    #[test]
    fn a_pattern_that_starts_anywhere_is_read_by_its_suffix() {
        assert_eq!(
            literals(&[r"\w+ FAILED"]),
            Some(vec![" FAILED".to_string()])
        );
    }

    #[test]
    fn a_pattern_without_a_required_literal_is_tried_on_every_line() {
        assert_eq!(literals(&[r"\d+ \w+"]), None);
        assert_eq!(literals(&["FATAL", r"\d+ \w+"]), None);
    }

    proptest! {
        /// Whatever the pattern, a line it matches holds one of the literals: the
        /// prefilter never hides a match from the regex.
        #[test]
        fn every_match_holds_a_literal(
            pattern in r"(\(\?i\))?[a-cX .]{1,4}(\[ab\]|\.\*|\w\+|\(x\|yz\))?[a-c ]{0,3}",
            line in r"[a-cxyzAB X.\-0-9]{0,24}",
        ) {
            let Ok(Some(regex)) = user_failure(std::slice::from_ref(&pattern)) else {
                return Ok(());
            };
            let failure = UserFailure::new(regex);
            if let (true, Some(literals)) = (failure.regex.is_match(&line), &failure.literals) {
                prop_assert!(
                    literals.iter().any(|l| line.contains(l.as_str())),
                    "{pattern:?} matches {line:?} but it holds none of {literals:?}"
                );
            }
        }
    }
}
