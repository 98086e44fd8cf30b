//! How a deterministic bisection narrowed its suspects, step by step, re-derived from
//! the verdicts: a good candidate clears itself and its ancestors, a bad one clears
//! everything that is not its ancestor, a skip clears nothing.

use super::steps::{StepEntry, VerdictClass};
use culprit_hunt::commit_hunt::{CandidateKind, EARLY_PHASE};
use std::collections::{BTreeMap, BTreeSet};

/// The suspects before the search and after each of its steps: `(seq, suspects)`,
/// starting with `(0, all)`.
pub fn suspects_left(kind: &CandidateKind, steps: &[StepEntry<'_>]) -> Vec<(i64, usize)> {
    let parents: BTreeMap<&str, Vec<&str>> = match kind {
        CandidateKind::Commits { range, .. } => range
            .iter()
            .map(|(id, parents)| (id.as_str(), parents.iter().map(String::as_str).collect()))
            .collect(),
        CandidateKind::Artifacts { list, .. } => list
            .iter()
            .enumerate()
            .skip(1)
            .map(|(i, item)| (item.as_str(), vec![list[i - 1].as_str()]))
            .collect(),
    };
    let mut suspects: BTreeSet<&str> = parents.keys().copied().collect();
    let mut points = vec![(0, suspects.len())];
    for step in steps
        .iter()
        .filter(|s| s.phase == "search" || s.phase == EARLY_PHASE)
    {
        if !parents.contains_key(step.key.as_str()) {
            continue;
        }
        let below = ancestors(&parents, &step.key);
        match step.verdict.class {
            VerdictClass::Good => suspects.retain(|s| !below.contains(s)),
            VerdictClass::Bad => suspects.retain(|s| below.contains(s)),
            VerdictClass::Skip => {}
        }
        points.push((step.row.seq, suspects.len()));
    }
    points
}

/// `from` and every commit below it within the range.
fn ancestors<'a>(parents: &BTreeMap<&'a str, Vec<&'a str>>, from: &str) -> BTreeSet<&'a str> {
    let mut seen = BTreeSet::new();
    let mut stack: Vec<&str> = parents
        .get_key_value(from)
        .map(|(k, _)| *k)
        .into_iter()
        .collect();
    while let Some(node) = stack.pop() {
        if seen.insert(node) {
            if let Some(ps) = parents.get(node) {
                stack.extend(ps.iter().filter(|p| parents.contains_key(*p)));
            }
        }
    }
    seen
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::steps::Verdict;
    use culprit_hunt::journal::StepRow;
    use culprit_hunt::record::StepResult;

    fn row(seq: i64) -> StepRow {
        StepRow {
            seq,
            candidate: serde_json::Value::Null,
            result: StepResult::default(),
            started: 0.0,
            finished: 0.0,
        }
    }

    fn entry<'a>(row: &'a StepRow, key: &str, class: VerdictClass) -> StepEntry<'a> {
        StepEntry {
            row,
            phase: "search".into(),
            key: key.into(),
            label: key.into(),
            detail: String::new(),
            size: None,
            unapplied: Vec::new(),
            cached: false,
            verdict: Verdict {
                class,
                text: class.word().into(),
            },
        }
    }

    /// The suspects left after each of `verdicts` (candidate key and class), in order.
    fn narrowing(kind: &CandidateKind, verdicts: &[(&str, VerdictClass)]) -> Vec<(i64, usize)> {
        let rows: Vec<StepRow> = (1..=verdicts.len() as i64).map(row).collect();
        let steps: Vec<StepEntry> = rows
            .iter()
            .zip(verdicts)
            .map(|(row, &(key, class))| entry(row, key, class))
            .collect();
        suspects_left(kind, &steps)
    }

    #[test]
    fn a_merge_history_narrows_by_ancestry() {
        // b1 - b2 \
        //          m - d   (a1 - a2 on the other side of the merge)
        // a1 - a2 /
        let range = vec![
            ("d".to_string(), vec!["m".to_string()]),
            ("m".into(), vec!["b2".into(), "a2".into()]),
            ("b2".into(), vec!["b1".into()]),
            ("b1".into(), vec!["good".into()]),
            ("a2".into(), vec!["a1".into()]),
            ("a1".into(), vec!["good".into()]),
        ];
        let kind = CandidateKind::Commits {
            range,
            trees: BTreeMap::new(),
        };
        let points = narrowing(
            &kind,
            &[
                ("m", VerdictClass::Bad),
                ("b2", VerdictClass::Good),
                ("a1", VerdictClass::Skip),
                ("a2", VerdictClass::Bad),
            ],
        );
        assert_eq!(points, vec![(0, 6), (1, 5), (2, 3), (3, 3), (4, 2)]);
    }

    #[test]
    fn artifacts_narrow_as_a_line() {
        let list: Vec<String> = (0..9).map(|i| format!("/a/{i}.img")).collect();
        let kind = CandidateKind::Artifacts {
            list,
            digests: Vec::new(),
        };
        let points = narrowing(
            &kind,
            &[
                ("/a/4.img", VerdictClass::Good),
                ("/a/6.img", VerdictClass::Bad),
            ],
        );
        assert_eq!(points, vec![(0, 8), (1, 4), (2, 2)]);
    }
}
