//! The commit bisection the binary drives: ask for candidates, run them, record verdicts.

use super::evidence::Evidence;
use super::graph::CommitGraph;
use super::model::{BisectOptions, Likelihood, SearchError, Verdict};
use super::select::Selector;
use super::status::{assess, Status};
use super::suspects::Suspects;

/// A search for the commit that introduced a failure.
///
/// Its answers depend only on the verdicts recorded (as a multiset: order does not
/// matter), so a killed session resumes by recording its journal into a fresh one.
#[derive(Debug, Clone)]
pub struct Bisection<'g> {
    graph: &'g CommitGraph,
    suspects: Suspects,
    evidence: Evidence,
    likelihood: Likelihood,
    confidence: f64,
    weights: Vec<f64>,
}

impl<'g> Bisection<'g> {
    /// Suspects are the ancestors (inclusive) of `bad` that are not ancestors (inclusive)
    /// of any `good`, as in git; `good` may be empty when the graph holds only the range.
    /// A good commit that is not an ancestor of `bad` still clears its own ancestors
    /// (git does the same after testing merge bases); the caller should warn about it
    /// ([`CommitGraph::is_ancestor`]).
    pub fn new(
        graph: &'g CommitGraph,
        good: &[usize],
        bad: usize,
        options: BisectOptions,
    ) -> Result<Self, SearchError> {
        if let Some(&unknown) = good.iter().chain([&bad]).find(|&&n| n >= graph.len()) {
            return Err(SearchError::UnknownNode(unknown));
        }
        if !(options.confidence > 0.0 && options.confidence <= 1.0) {
            return Err(SearchError::InvalidConfidence(options.confidence));
        }
        let likelihood = Likelihood::from_options(&options)?;
        let suspects = Suspects::new(graph, good, bad, options.first_parent);
        if suspects.len() == 0 {
            return Err(SearchError::NoSuspects);
        }
        let evidence = Evidence::new(suspects.len());
        let weights = evidence.weights(&likelihood);
        let confidence = match likelihood {
            Likelihood::Trusted => 1.0,
            _ => 1.0 - (1.0 - options.confidence) / 2.0,
        };
        Ok(Self {
            graph,
            suspects,
            evidence,
            likelihood,
            confidence,
            weights,
        })
    }

    /// Records one run of `candidate` (any node of the graph). With trusted verdicts a
    /// second, contrary verdict for the same commit makes the search contradictory
    /// rather than silently preferring one.
    pub fn record(&mut self, candidate: usize, verdict: Verdict) -> Result<(), SearchError> {
        if candidate >= self.graph.len() {
            return Err(SearchError::UnknownNode(candidate));
        }
        let failed = match verdict {
            Verdict::Skip { reason } => {
                if let Some(local) = self.suspects.local(candidate) {
                    self.evidence.add_skip(local, reason);
                }
                return Ok(());
            }
            Verdict::Good => false,
            Verdict::Bad => true,
        };
        let contained = self
            .suspects
            .contained_in(self.graph, candidate)
            .ok_or(SearchError::OffFirstParentChain(candidate))?;
        self.evidence
            .add_run(self.suspects.local(candidate), &contained, failed);
        self.weights = self.evidence.weights(&self.likelihood);
        Ok(())
    }

    /// Up to `k` distinct candidates to run next, best first; empty when the search is
    /// over. Asking again without recording anything gives the same answer.
    pub fn next(&self, k: usize) -> Vec<usize> {
        self.next_with_pending(k, &[])
    }

    /// Like [`next`](Self::next), while the `pending` candidates are still running: the
    /// new candidates are chosen to complement them, and none of them is repeated.
    pub fn next_with_pending(&self, k: usize, pending: &[usize]) -> Vec<usize> {
        if !matches!(self.status(), Status::Searching { .. }) {
            return Vec::new();
        }
        let pending_local: Vec<usize> = pending
            .iter()
            .filter_map(|&p| self.suspects.local(p))
            .collect();
        let pending_contained: Vec<Vec<u32>> = pending
            .iter()
            .filter(|&&p| p < self.graph.len())
            .filter_map(|&p| self.suspects.contained_in(self.graph, p))
            .collect();
        let rates = self.evidence.rates(&self.likelihood, &self.weights);
        let selector = Selector {
            suspects: &self.suspects,
            evidence: &self.evidence,
            weights: &self.weights,
            rates: &rates,
        };
        selector
            .choose(k, &pending_local, &pending_contained)
            .into_iter()
            .map(|local| self.suspects.global(local))
            .collect()
    }

    pub fn status(&self) -> Status {
        assess(
            &self.suspects,
            &self.evidence,
            &self.weights,
            self.confidence,
        )
    }

    /// The probability that each commit is the culprit, likeliest first, without the
    /// commits ruled out.
    pub fn posterior(&self) -> Vec<(usize, f64)> {
        let total: f64 = self.weights.iter().sum();
        if total <= 0.0 {
            return Vec::new();
        }
        let mut posterior: Vec<(usize, f64)> = self
            .weights
            .iter()
            .enumerate()
            .filter(|(_, &w)| w > 0.0)
            .map(|(local, &w)| (self.suspects.global(local), w / total))
            .collect();
        posterior.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        posterior
    }

    /// How many commits were suspects before any verdict.
    pub fn initial_suspects(&self) -> usize {
        self.suspects.len()
    }

    /// Whether `node` was a suspect before any verdict.
    pub fn is_suspect(&self, node: usize) -> bool {
        self.suspects.local(node).is_some()
    }
}
