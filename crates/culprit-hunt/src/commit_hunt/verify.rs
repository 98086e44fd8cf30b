//! The verification phase: the culprit fails again and its parents pass again (and,
//! when asked, reverting it on the bad revision passes), or the answer is withdrawn.

use super::{identical, CandidateKind, CommitHunt, Conclusion};
use crate::error::Result;
use crate::executor::Prepare;
use crate::judge::judge;
use crate::judgement::Judgement;
use crate::session::Request;
use crate::status::HuntStatus;
use crate::target::Target;
use crate::told::Told;
use culprit_search::commit::CommitGraph;
use std::collections::BTreeMap;

impl CommitHunt<'_, '_> {
    pub(super) fn verify(
        &mut self,
        graph: &CommitGraph,
        culprit: usize,
        targets: &BTreeMap<String, Target>,
        tests: &[String],
        fixups: &[String],
        conclusion: &mut Conclusion,
    ) -> Result<()> {
        let culprit_key = graph.id(culprit);
        let k = self.plan.settings.verify;
        if k == 0 {
            return Ok(());
        }
        let parents: Vec<String> = match &self.plan.kind {
            CandidateKind::Commits { range, .. } => range
                .iter()
                .find(|(id, _)| id == culprit_key)
                .map(|(_, p)| p.clone())
                .unwrap_or_default(),
            CandidateKind::Artifacts { .. } => graph
                .parents(culprit)
                .map(|p| graph.id(p).to_string())
                .collect(),
        };
        self.tell(Told::Verifying {
            candidate: self.plan.label(culprit_key),
            runs: k,
        });
        let runs = k as usize;
        // The culprit's runs and its parents' do not depend on each other: they all go
        // at once, as far as the workers allow.
        // A culprit that was only testable with fixups is verified with them, and so
        // is its parent: the fixup is the same on both sides, so it cannot be what
        // tells them apart.
        let with_fixups = |mut request: Request| {
            request.work.fixups = fixups.to_vec();
            request
        };
        let mut requests: Vec<Request> = (0..runs)
            .map(|_| with_fixups(self.request("verify", culprit_key, tests, &self.stop_at)))
            .collect();
        for parent in &parents {
            requests.extend(
                (0..runs).map(|_| {
                    with_fixups(self.request("verify-parent", parent, tests, &self.stop_at))
                }),
            );
        }
        let who: Vec<(&str, &str)> = std::iter::repeat_n(("verify", culprit_key), runs)
            .chain(
                parents
                    .iter()
                    .flat_map(|p| std::iter::repeat_n(("verify-parent", p.as_str()), runs)),
            )
            .collect();
        // Verification, like every other phase, never counts a flake of the lab against
        // the code: a run that hit an infrastructure error runs again.
        let mut settled = Vec::with_capacity(who.len());
        for ((phase, key), result) in who.into_iter().zip(self.session.run(requests)?) {
            settled.push(self.settle(phase, key, tests, fixups, result)?);
        }
        let identical = identical::shared_digest(&settled[..runs], &settled[runs..])
            .map(|digest| identical::message(&self.label(culprit_key), digest));
        let mut results = settled.into_iter();
        let fails = results
            .by_ref()
            .take(runs)
            .filter(|r| judge(r, targets) == Judgement::Bad)
            .count();
        conclusion
            .verification
            .push(format!("the culprit failed again in {fails} of {k} runs"));
        let mut ok = if conclusion.flaky.is_some() {
            true
        } else {
            fails == runs
        };
        for parent in &parents {
            let passes = results
                .by_ref()
                .take(runs)
                .filter(|r| judge(r, targets) == Judgement::Good)
                .count();
            conclusion.verification.push(format!(
                "its parent {} passed in {passes} of {k} runs",
                self.label(parent)
            ));
            if conclusion.flaky.is_none() && passes != runs {
                ok = false;
            }
        }
        if self.plan.settings.verify_revert {
            if let CandidateKind::Commits { .. } = &self.plan.kind {
                let mut request = self.request("verify-revert", culprit_key, tests, targets);
                request.work.prepare = Prepare::Revert {
                    base: self.plan.bad.clone(),
                    commit: culprit_key.to_string(),
                };
                match self.session.run(vec![request]) {
                    Ok(results) => {
                        let judgement = judge(&results[0], targets);
                        conclusion.verification.push(format!(
                            "reverting it on top of the bad revision: {}",
                            judgement
                        ));
                        if judgement != Judgement::Good {
                            ok = false;
                        }
                    }
                    Err(err) if err.is_interrupted() => return Err(err),
                    Err(err) => conclusion
                        .verification
                        .push(format!("the revert could not be tested: {err:#}")),
                }
            }
        }
        if let Some(message) = identical {
            conclusion
                .verification
                .push("the culprit's artifacts are byte-identical to its parent's".into());
            conclusion.status = HuntStatus::Inconclusive;
            conclusion.message = Some(message);
        } else if !ok {
            conclusion.status = HuntStatus::Inconclusive;
            conclusion.message = Some(
                "verification failed: the culprit or its parent did not behave the same again; the failure may be intermittent (try --flaky)".into(),
            );
        }
        Ok(())
    }
}
