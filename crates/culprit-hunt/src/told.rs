//! What a hunt tells as it goes, as facts with their parts: the front end decides the
//! words (a live display shortens and regroups them; the full text stays in the journal,
//! `culprit log`, the JSON and the reports).

use crate::judgement::Judgement;
use crate::prior_use::PriorUse;
use crate::record::Place;
use crate::target::Target;
use culprit_console::{LearnedHang, Outcome};
use std::path::PathBuf;

/// One thing a hunt tells. Candidates are named by their keys (full commit ids, or the
/// artifact's path); `replayed` marks a step read back from the journal on resume.
#[derive(Clone, Debug)]
pub enum Told {
    /// A resumed session found `steps` steps in the journal: they do not run again.
    Resumed { steps: usize },

    // Commit hunts.
    /// Both endpoints are being tested.
    CheckingEndpoints { bad: String, good: Vec<String> },
    /// The bad endpoint showed what `test` is hunted for.
    TargetFound { test: String, target: Target },
    /// An endpoint's run hit a lab fault: it runs again.
    EndpointAgain {
        phase: String,
        candidate: String,
        outcome: Outcome,
    },
    /// The bad endpoint passed some of its runs: the search goes on with a model.
    Intermittent {
        failed: u32,
        runs: u32,
        confidence: f64,
    },
    /// The prior the search starts from: what the targets name, and the commits whose
    /// diffs touch it.
    Prior(PriorUse),
    /// The search took a candidate.
    Testing {
        candidate: String,
        suspects: usize,
        /// The likeliest suspect and its probability, for a Bayesian search.
        likeliest: Option<(String, f64)>,
        /// The fixups applied on top of it.
        fixups: Vec<String>,
        /// Taken while the bad endpoint still runs (see `commit_hunt/early.rs`).
        early: bool,
        replayed: bool,
    },
    /// A search step's verdict.
    Judged {
        candidate: String,
        judgement: Judgement,
        /// The fixups the verdict was obtained with.
        fixups: Vec<String>,
        place: Option<Place>,
        /// The log of the run that decided it, when one did.
        log: Option<PathBuf>,
        replayed: bool,
    },
    /// An early step stopped at its first failure before the targets were known, which
    /// does not judge it: it is tested again if the search still wants it.
    SetAside {
        candidate: String,
        judgement: Judgement,
        replayed: bool,
    },
    /// A candidate was bad with fixups: its parent must pass with them, or the fixup
    /// may carry the failure itself.
    CheckingFixupParent {
        candidate: String,
        parent: String,
        fixups: Vec<String>,
    },
    /// How that parent came out.
    FixupParentJudged {
        parent: String,
        judgement: Judgement,
    },
    /// Suspects left that only builds tell apart: the commit that ended the build
    /// failure is looked for.
    LookingForFix {
        suspects: usize,
        build_error: String,
    },
    /// Up front (`--auto-fixup`): a candidate that does not build sends the hunt looking
    /// for its fix now, or, with `waits`, no descendant known to build leads back yet.
    FixWanted {
        candidate: String,
        build_error: String,
        waits: bool,
    },
    /// The first commit after `after` whose build no longer fails is tried as a fixup.
    FixFound {
        fix: String,
        after: String,
        build_error: String,
    },
    /// A run of `candidate` was stopped as a hang by the deadline passing runs taught,
    /// before its fixed `silence` or `timeout`.
    LearnedDeadline {
        candidate: String,
        test: String,
        hang: LearnedHang,
        replayed: bool,
    },
    /// The culprit and its parents run again.
    Verifying { candidate: String, runs: u32 },

    // Configuration hunts.
    /// Candidates are evaluated by culprit's own Kconfig evaluator.
    NativeKconfig { tree: String },
    /// How many options the good and the bad configuration differ in.
    OptionsDiffer { count: usize },
    /// An option applies only with others: candidates with it get them too.
    AppliesOnlyWith { option: String, needs: Vec<String> },
    /// The tests with something to hunt, each with its target.
    Hunting { targets: Vec<(String, Target)> },
    /// Build `number` started: `options` of the `of` changes on the good configuration.
    Building {
        number: usize,
        options: Vec<String>,
        of: usize,
        replayed: bool,
    },
    /// Build `number` hit a lab fault: it runs again.
    BuildAgain { number: usize, replayed: bool },
    /// Build `number`'s verdict per test (`good`, `bad`, `fails another way: …`).
    Built {
        number: usize,
        verdicts: Vec<(String, String)>,
        place: Option<Place>,
        replayed: bool,
    },
    /// An option makes builds slow; the search builds the cheaper candidates first.
    Costly {
        option: String,
        seconds_with: f64,
        seconds_without: f64,
    },
}
