//! The commit bisection the binary drives: ask for candidates, run them, record verdicts.

use super::evidence::Evidence;
use super::graph::CommitGraph;
use super::inform::{Informer, Pick};
use super::model::{BisectOptions, Likelihood, SearchError, Verdict, Weighing};
use super::posterior::Posterior;
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
    weighing: Weighing,
    confidence: f64,
    /// Each suspect's prior weight, 1 on average.
    prior: Vec<f64>,
    posterior: Posterior,
    /// A good endpoint, which the search may run when the rates are unknown.
    clear: Option<usize>,
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
        let weighing = Weighing::from_options(&options)?;
        let suspects = Suspects::new(graph, good, bad, options.first_parent);
        if suspects.len() == 0 {
            return Err(SearchError::NoSuspects);
        }
        let prior = local_prior(graph, &suspects, &options)?;
        let evidence = Evidence::new(suspects.len());
        let posterior = Posterior::new(&evidence, &weighing, &prior);
        let confidence = if matches!(weighing, Weighing::Known(Likelihood::Trusted)) {
            1.0
        } else {
            1.0 - (1.0 - options.confidence) / 2.0
        };
        Ok(Self {
            graph,
            suspects,
            evidence,
            weighing,
            confidence,
            prior,
            posterior,
            clear: good.first().copied(),
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
        self.posterior = Posterior::new(&self.evidence, &self.weighing, &self.prior);
        Ok(())
    }

    /// Up to `k` distinct candidates to run next, best first; empty when the search is
    /// over. Asking again without recording anything gives the same answer.
    pub fn next(&self, k: usize) -> Vec<usize> {
        self.next_with_pending(k, &[])
    }

    /// Like [`next`](Self::next), while the `pending` candidates are still running: the
    /// new candidates are chosen to complement them, and none of them is repeated. With
    /// unknown rates a candidate may be a good endpoint (the first one given).
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
        let (Weighing::Known(likelihood), None) = (&self.weighing, &self.posterior.expected) else {
            return self.inform(k, pending, &pending_local, &pending_contained);
        };
        let trusted = *likelihood == Likelihood::Trusted;
        let (weights, _) = self.posterior.steering(trusted);
        let rates = self.evidence.rates(likelihood, &weights);
        let selector = Selector {
            suspects: &self.suspects,
            evidence: &self.evidence,
            weights: &weights,
            rates: &rates,
        };
        selector
            .choose(k, &pending_local, &pending_contained)
            .into_iter()
            .map(|local| self.suspects.global(local))
            .collect()
    }

    /// The choice with unknown rates, which may run a good endpoint.
    fn inform(
        &self,
        k: usize,
        pending: &[usize],
        pending_local: &[usize],
        pending_contained: &[Vec<u32>],
    ) -> Vec<usize> {
        let Some(expected) = &self.posterior.expected else {
            return Vec::new();
        };
        let informer = Informer {
            suspects: &self.suspects,
            evidence: &self.evidence,
            steering: self.posterior.steering(false),
            expected,
        };
        let clear = self.clear.filter(|c| !pending.contains(c));
        informer
            .choose(k, pending_local, pending_contained, clear.is_some())
            .into_iter()
            .filter_map(|pick| match pick {
                Pick::Suspect(local) => Some(self.suspects.global(local)),
                Pick::Clear => clear,
            })
            .collect()
    }

    pub fn status(&self) -> Status {
        assess(
            &self.suspects,
            &self.evidence,
            &self.posterior,
            self.confidence,
        )
    }

    /// The probability that each commit is the culprit (with the prior), likeliest
    /// first, without the commits ruled out. With unknown rates the rest of the
    /// probability is that of no culprit.
    pub fn posterior(&self) -> Vec<(usize, f64)> {
        let total = self.posterior.total();
        if total <= 0.0 {
            return Vec::new();
        }
        let mut posterior: Vec<(usize, f64)> = self
            .posterior
            .weights
            .iter()
            .enumerate()
            .filter(|(_, &w)| w > 0.0)
            .map(|(local, &w)| (self.suspects.global(local), w / total))
            .collect();
        posterior.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        posterior
    }

    /// With unknown rates, what the runs taught of them: how often a candidate that
    /// contains the culprit fails and how often one without it does, each the mean over
    /// the culprit hypotheses weighed by the posterior (`None` with rates given up front,
    /// or when every suspect is ruled out).
    pub fn learned_rates(&self) -> Option<(f64, f64)> {
        let expected = self.posterior.expected.as_ref()?;
        let mass: f64 = self.posterior.flat.iter().sum();
        if mass <= 0.0 {
            return None;
        }
        let mean = |rates: &[f64]| {
            rates
                .iter()
                .zip(&self.posterior.flat)
                .map(|(r, w)| r * w)
                .sum::<f64>()
                / mass
        };
        Some((mean(&expected.inside), mean(&expected.outside)))
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

/// Each suspect's prior weight from the options, scaled to 1 on average.
fn local_prior(
    graph: &CommitGraph,
    suspects: &Suspects,
    options: &BisectOptions,
) -> Result<Vec<f64>, SearchError> {
    let mut prior = vec![1.0; suspects.len()];
    for (&node, &weight) in &options.prior {
        if node >= graph.len() {
            return Err(SearchError::UnknownNode(node));
        }
        if !(weight > 0.0 && weight.is_finite()) {
            return Err(SearchError::InvalidPrior(node));
        }
        if let Some(local) = suspects.local(node) {
            prior[local] = weight;
        }
    }
    let scale = prior.len() as f64 / prior.iter().sum::<f64>();
    if scale != 1.0 {
        prior.iter_mut().for_each(|p| *p *= scale);
    }
    Ok(prior)
}
