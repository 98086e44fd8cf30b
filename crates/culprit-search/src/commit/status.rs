//! Where a bisection stands: still searching, a culprit, or a set that cannot be split.

use std::collections::BTreeMap;
use std::fmt;

use super::evidence::Evidence;
use super::posterior::Posterior;
use super::suspects::Suspects;

/// The state of a bisection. Node numbers are the graph's.
#[derive(Debug, Clone, PartialEq)]
pub enum Status {
    /// More runs are needed. `suspects`: how many commits hold the required confidence
    /// (with trusted verdicts: every commit still possible); `top`: the likeliest
    /// culprit and its probability.
    Searching { suspects: usize, top: (usize, f64) },
    /// The culprit, with its posterior probability (1 with trusted verdicts).
    Found { culprit: usize, confidence: f64 },
    /// The culprit is one of these, and no testable candidate can tell them apart
    /// (typically a culprit next to commits that were skipped). Likeliest first.
    Ambiguous { suspects: Vec<Suspect> },
    /// The trusted verdicts rule out every commit: the failure is flaky, or not caused by
    /// a single commit, or an endpoint was misjudged.
    Contradiction,
    /// No commit in the range changes how often the failure shows: it is a flake (only
    /// with unknown rates). `probability`: that there is no culprit; `rate`: how often
    /// the failure shows throughout; `good` and `bad`: the runs at the good endpoints
    /// (and their ancestors) and at the bad one.
    NoCulprit {
        probability: f64,
        rate: f64,
        good: RunCount,
        bad: RunCount,
    },
}

/// How many of some runs failed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunCount {
    pub fails: u32,
    pub runs: u32,
}

impl RunCount {
    fn new((fails, passes): (u32, u32)) -> Self {
        Self {
            fails,
            runs: fails + passes,
        }
    }
}

/// A commit that may be the culprit, and why it is still a suspect.
#[derive(Debug, Clone, PartialEq)]
pub struct Suspect {
    pub node: usize,
    pub probability: f64,
    pub reason: SuspectReason,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SuspectReason {
    /// It is known bad (it failed, or it is the bad endpoint), and nothing testable
    /// below it is.
    FirstBad,
    /// It could not be tested; the skip reasons, joined.
    Skipped { reason: String },
    /// It was never run (every candidate that contains it also contains the others).
    Untested,
}

impl fmt::Display for SuspectReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::FirstBad => f.write_str("first bad commit"),
            Self::Skipped { reason } => write!(f, "skipped: {reason}"),
            Self::Untested => f.write_str("not tested"),
        }
    }
}

/// The share of the allowed error that "no culprit" may keep when a commit is named.
///
/// A search that hunts a flake spends its runs on the one boundary it suspects, so a
/// streak of lucky passes just below it (a 30% flake passing seven times in a row: 8%)
/// fakes a step more often than the posterior says: with the whole error allowed, about
/// 1 in 300 simulated hunts of a 30% flake over 200 commits named a commit at 0.995;
/// with a tenth, 1 in 1,200 (`flaky_bench`). Hunts with a culprit pay for it with about
/// 8% more runs (1,000 commits, bad fails half the time: 69 on average instead of 64).
const FLAKE_SHARE: f64 = 0.1;

/// Decides the status from the posterior; `confidence` is 1 for trusted verdicts, whose
/// weights are exactly 0 or 1.
pub(crate) fn assess(
    suspects: &Suspects,
    evidence: &Evidence,
    posterior: &Posterior,
    confidence: f64,
) -> Status {
    let weights = &posterior.weights;
    let total = posterior.total();
    if total <= 0.0 {
        return Status::Contradiction;
    }
    let no_culprit = posterior.no_culprit();
    if no_culprit >= confidence {
        return Status::NoCulprit {
            probability: no_culprit,
            rate: posterior
                .expected
                .as_ref()
                .map_or(0.0, |expected| expected.no_culprit),
            good: RunCount::new(evidence.clear()),
            bad: RunCount::new(evidence.own(suspects.len() - 1)),
        };
    }
    let Some(top) = likeliest(weights) else {
        return Status::Contradiction;
    };
    // A commit (or a set) is named only when "no culprit" is also all but ruled out.
    let flake_ruled_out = no_culprit <= (1.0 - confidence) * FLAKE_SHARE;
    let top_probability = posterior.probability_of(&[top]);
    if top_probability >= confidence && flake_ruled_out {
        return Status::Found {
            culprit: suspects.global(top),
            confidence: top_probability,
        };
    }
    let class = heaviest_class(suspects, evidence, weights);
    if class.len() > 1 && posterior.probability_of(&class) >= confidence && flake_ruled_out {
        let mut members: Vec<Suspect> = class
            .iter()
            .filter(|&&s| weights[s] > 0.0)
            .map(|&s| Suspect {
                node: suspects.global(s),
                probability: posterior.probability_of(&[s]),
                reason: reason(suspects, evidence, s),
            })
            .collect();
        members.sort_by(|a, b| {
            b.probability
                .total_cmp(&a.probability)
                .then(a.node.cmp(&b.node))
        });
        return Status::Ambiguous { suspects: members };
    }
    Status::Searching {
        suspects: covering_count(weights, confidence * total),
        top: (suspects.global(top), top_probability),
    }
}

fn likeliest(weights: &[f64]) -> Option<usize> {
    let mut top: Option<usize> = None;
    for (s, &w) in weights.iter().enumerate() {
        if w > 0.0 && top.is_none_or(|t| w > weights[t]) {
            top = Some(s);
        }
    }
    top
}

/// How many of the likeliest suspects it takes to reach `mass`.
fn covering_count(weights: &[f64], mass: f64) -> usize {
    let mut sorted: Vec<f64> = weights.iter().copied().filter(|&w| w > 0.0).collect();
    sorted.sort_by(|a, b| b.total_cmp(a));
    let mut sum = 0.0;
    for (i, w) in sorted.iter().enumerate() {
        sum += w;
        if sum >= mass {
            return i + 1;
        }
    }
    sorted.len()
}

fn reason(suspects: &Suspects, evidence: &Evidence, suspect: usize) -> SuspectReason {
    let is_bad_endpoint = suspect + 1 == suspects.len();
    if let Some(reasons) = evidence.skip_reasons(suspect) {
        let joined: Vec<&str> = reasons.iter().map(String::as_str).collect();
        SuspectReason::Skipped {
            reason: joined.join("; "),
        }
    } else if is_bad_endpoint || evidence.own_fails(suspect) > 0 {
        SuspectReason::FirstBad
    } else {
        SuspectReason::Untested
    }
}

/// The heaviest set of suspects that no testable candidate can tell apart.
///
/// Two suspects are told apart by a candidate that contains one and not the other, so a
/// class is the suspects with the same testable descendants. A testable suspect is alone
/// in its class except for skipped suspects whose only nearest testable descendant it is;
/// skipped suspects are grouped by their nearest testable descendants, found by walking
/// up through skipped commits only.
fn heaviest_class(suspects: &Suspects, evidence: &Evidence, weights: &[f64]) -> Vec<usize> {
    let mut by_descendants: BTreeMap<Vec<u32>, Vec<usize>> = BTreeMap::new();
    for s in evidence.skipped() {
        if weights[s] > 0.0 {
            by_descendants
                .entry(nearest_testable_descendants(suspects, evidence, s))
                .or_default()
                .push(s);
        }
    }
    let mut attached_mass = vec![0.0; suspects.len()];
    let mut heaviest: (f64, Vec<usize>) = (0.0, Vec::new());
    for (key, members) in &by_descendants {
        let mass: f64 = members.iter().map(|&s| weights[s]).sum();
        if let [testable] = key.as_slice() {
            attached_mass[*testable as usize] += mass;
        } else if mass > heaviest.0 {
            heaviest = (mass, members.clone());
        }
    }
    let mut best_testable: Option<(f64, usize)> = None;
    for s in 0..suspects.len() {
        if evidence.is_skipped(s) {
            continue;
        }
        let mass = weights[s] + attached_mass[s];
        if mass > 0.0 && best_testable.is_none_or(|(m, _)| mass > m) {
            best_testable = Some((mass, s));
        }
    }
    match best_testable {
        Some((mass, testable)) if mass >= heaviest.0 => {
            let mut class = vec![testable];
            if let Some(skipped) = by_descendants.get(&vec![testable as u32]) {
                class.extend(skipped);
            }
            class
        }
        _ => heaviest.1,
    }
}

/// The minimal testable descendants of a skipped suspect.
fn nearest_testable_descendants(
    suspects: &Suspects,
    evidence: &Evidence,
    skipped: usize,
) -> Vec<u32> {
    let mut seen = std::collections::HashSet::new();
    let mut stack = vec![skipped];
    seen.insert(skipped);
    let mut found: Vec<u32> = Vec::new();
    while let Some(node) = stack.pop() {
        for &child in suspects.children(node) {
            let child = child as usize;
            if !seen.insert(child) {
                continue;
            }
            if evidence.is_skipped(child) {
                stack.push(child);
            } else {
                found.push(child as u32);
            }
        }
    }
    found.sort_unstable();
    let minimal: Vec<u32> = found
        .iter()
        .copied()
        .filter(|&f| {
            !found
                .iter()
                .any(|&other| other != f && suspects.is_ancestor(other as usize, f as usize))
        })
        .collect();
    minimal
}
