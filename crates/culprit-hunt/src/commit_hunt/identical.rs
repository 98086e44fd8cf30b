//! A culprit that builds the same bytes as its parent: whatever tells their runs apart,
//! it is not the code those bytes hold (syzkaller's bisection checks the same). The
//! answer then names what is likelier instead of claiming the commit.

use crate::record::StepResult;

/// The artifact digest the culprit's runs share with a parent's runs, if any.
pub(super) fn shared_digest<'a>(
    culprit: &'a [StepResult],
    parents: &[StepResult],
) -> Option<&'a str> {
    culprit
        .iter()
        .filter_map(|r| r.artifact_digest.as_deref())
        .find(|digest| {
            parents
                .iter()
                .any(|p| p.artifact_digest.as_deref() == Some(*digest))
        })
}

/// The answer's words for it.
pub(super) fn message(culprit: &str, digest: &str) -> String {
    format!(
        "the culprit {culprit} builds the same artifacts as its parent (sha256 {}…), so its code cannot have brought the failure: an intermittent failure (try --flaky), the build environment, or tests that read more than the [build] artifacts are likelier; no commit is claimed",
        &digest[..digest.len().min(12)]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn built(digest: Option<&str>) -> StepResult {
        StepResult {
            artifact_digest: digest.map(str::to_string),
            ..StepResult::default()
        }
    }

    #[test]
    fn only_a_digest_both_sides_built_is_shared() {
        let culprit = [built(Some("aa")), built(None)];
        assert_eq!(shared_digest(&culprit, &[built(Some("bb"))]), None);
        assert_eq!(shared_digest(&culprit, &[built(None)]), None);
        assert_eq!(
            shared_digest(&culprit, &[built(Some("bb")), built(Some("aa"))]),
            Some("aa")
        );
        assert!(message("1a2b", "0123456789abcdef").contains("(sha256 0123456789ab…)"));
    }
}
