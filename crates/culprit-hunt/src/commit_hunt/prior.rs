//! Prior weights from the crash itself: a commit whose diff touches the function the
//! crash's title names, or its file, is a likelier culprit than one that touches
//! documentation. The weights only steer which candidates run (see
//! `culprit_search::commit::BisectOptions::prior`): a wrong prior costs runs, never the
//! answer.

use super::endpoints::Endpoints;
use super::CommitHunt;
use crate::prior_use::{PriorChoice, PriorUse};
use crate::target::Target;
use culprit_exec::git::Touch;
use culprit_search::commit::CommitGraph;
use regex::Regex;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::LazyLock;

/// How much all the commits that touch a named function weigh together, and all those
/// that touch only a named file, against the commits that touch neither (which weigh 1
/// each): a function is strong evidence, a file weaker (it holds many functions).
const FUNCTION_MASS: f64 = 1.0;
const FILE_MASS: f64 = 0.25;

/// Words of a title that look like identifiers but are the report's own (group: the
/// kernel's report types and toyos's assertion format).
const NOT_FUNCTIONS: &[&str] = &[
    // Kernel report headers.
    "not_syncing",
    "BUG",
    "WARNING",
    "KASAN",
    "KCSAN",
    "UBSAN",
    // Assertion reports.
    "ASSERTION",
    "FAIL",
];

/// Files as crashes name them: a path or a base name with a source suffix, maybe with
/// a line number after it.
static FILE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[A-Za-z0-9_./-]*[A-Za-z0-9_]\.(?:c|h|S|cc|cpp|rs|go)\b").expect("built-in")
});
/// A frame of a call trace or a program counter line: `function+0xoffset/0xsize`.
static FRAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"([A-Za-z_][A-Za-z0-9_.]*)\+0x[0-9a-fA-F]+/0x[0-9a-fA-F]+").expect("built-in")
});
/// The frames a prior takes from a report, and the most of a log it reads for them.
const MAX_FRAMES: usize = 4;
const MAX_REPORT: usize = 64 * 1024;
/// An identifier, and what follows it (a call's parenthesis, a frame's offset).
static IDENTIFIER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[A-Za-z_][A-Za-z0-9_]*").expect("built-in"));

/// The functions and files a title names: identifiers with a lowercase letter that are
/// called (`f(`), located (`f+0x12`), blamed (`... in f`) or compound (`do_thing`).
pub fn clues_of_title(title: &str) -> (Vec<String>, Vec<String>) {
    let mut files: Vec<String> = Vec::new();
    let mut spans = Vec::new();
    for m in FILE.find_iter(title) {
        spans.push(m.range());
        push_new(&mut files, m.as_str());
    }
    let mut functions: Vec<String> = Vec::new();
    for m in IDENTIFIER.find_iter(title) {
        let word = m.as_str();
        if spans.iter().any(|s| s.contains(&m.start())) || NOT_FUNCTIONS.contains(&word) {
            continue;
        }
        let rest = &title[m.end()..];
        let called = rest.starts_with('(') || rest.starts_with("+0x");
        let blamed = title[..m.start()].ends_with(" in ");
        let compound = word.contains('_');
        let lower = word.chars().any(|c| c.is_ascii_lowercase());
        if lower && (called || blamed || compound) {
            push_new(&mut functions, word);
        }
    }
    (functions, files)
}

fn push_new(list: &mut Vec<String>, item: &str) {
    if !list.iter().any(|i| i == item) {
        list.push(item.to_string());
    }
}

/// The functions of a report's first frames (`f+0x12/0x40`), where the crash happened
/// beside the function its title blames; deeper frames are callers that many commits
/// touch for other reasons.
pub fn frames(report: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    for capture in FRAME.captures_iter(report) {
        if found.len() == MAX_FRAMES {
            break;
        }
        // `f.cold`, `f.isra.0`: the compiler's copies of `f`, which the source names `f`.
        let name = capture[1].split('.').next().unwrap_or_default();
        push_new(&mut found, name);
    }
    found
}

/// The report of a failed run: the part of its log the console classifier pointed at.
fn read_report(log: &Path, evidence: Option<(u64, u64)>) -> Option<String> {
    let (start, end) = evidence?;
    let bytes = std::fs::read(log).ok()?;
    let end = (end as usize)
        .min(bytes.len())
        .min(start as usize + MAX_REPORT);
    let start = (start as usize).min(end);
    Some(String::from_utf8_lossy(&bytes[start..end]).into_owned())
}

/// The functions and files every target's title (and its other titles) names.
pub fn clues(targets: &BTreeMap<String, Target>) -> (Vec<String>, Vec<String>) {
    let (mut functions, mut files) = (Vec::new(), Vec::new());
    for target in targets.values() {
        let Target::Signature { signature, .. } = target else {
            continue;
        };
        for title in std::iter::once(&signature.title).chain(&signature.alternatives) {
            let (f, p) = clues_of_title(title);
            f.iter().for_each(|x| push_new(&mut functions, x));
            p.iter().for_each(|x| push_new(&mut files, x));
        }
    }
    (functions, files)
}

/// The prior weight of each touching commit among `suspects` commits: those touching a
/// function share [`FUNCTION_MASS`] times the weight of the commits touching nothing,
/// those touching only a file share [`FILE_MASS`] times it.
pub fn weights(suspects: usize, touches: &[(String, Touch)]) -> BTreeMap<String, f64> {
    let count = |kind: Touch| touches.iter().filter(|(_, t)| *t == kind).count();
    let (by_function, by_file) = (count(Touch::Function), count(Touch::File));
    let untouched = suspects.saturating_sub(by_function + by_file).max(1) as f64;
    touches
        .iter()
        .map(|(commit, touch)| {
            let (mass, share) = match touch {
                Touch::Function => (FUNCTION_MASS, by_function),
                Touch::File => (FILE_MASS, by_file),
            };
            // Never below a commit that touches nothing.
            (commit.clone(), (mass * untouched / share as f64).max(1.0))
        })
        .collect()
}

impl CommitHunt<'_, '_> {
    /// The prior over the graph's nodes that the plan asks for, and what it was.
    pub(super) fn prior(
        &self,
        graph: &CommitGraph,
        suspects: usize,
        start: &Endpoints,
    ) -> (BTreeMap<usize, f64>, Option<PriorUse>) {
        if self.plan.prior == PriorChoice::None {
            return (BTreeMap::new(), Some(PriorUse::default()));
        }
        let (mut functions, files) = clues(&start.targets);
        for (log, evidence) in &start.reports {
            // The frames are a hint: a log that cannot be read only leaves them out.
            if let Some(report) = read_report(log, *evidence) {
                frames(&report)
                    .iter()
                    .for_each(|f| push_new(&mut functions, f));
            }
        }
        let mut used = PriorUse {
            choice: PriorChoice::Crash,
            functions,
            files,
            ..PriorUse::default()
        };
        let Some(repo) = &self.repo else {
            used.note =
                Some("no git history to read diffs from; every candidate weighs the same".into());
            return (BTreeMap::new(), Some(used));
        };
        let touches = repo.touching(
            &self.plan.bad,
            &self.plan.good,
            &used.functions,
            &used.files,
        );
        let touches = match touches {
            Ok(touches) => touches,
            Err(err) => {
                used.note = Some(format!(
                    "the diffs could not be read ({err}); every commit weighs the same"
                ));
                Vec::new()
            }
        };
        let mut prior = BTreeMap::new();
        for (commit, weight) in weights(suspects, &touches) {
            if let Some(node) = graph.index(&commit) {
                prior.insert(node, weight);
            }
        }
        used.favoured = touches
            .into_iter()
            .map(|(commit, touch)| {
                let how = match touch {
                    Touch::Function => "function",
                    Touch::File => "file",
                };
                (commit, how.to_string())
            })
            .collect();
        (prior, Some(used))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_name_functions_and_files() {
        let (functions, files) = clues_of_title(
            "ASSERTION FAIL [k_thread_join(&remote, TIMEOUT_US)] @ smp_threads.c:41",
        );
        assert_eq!(functions, vec!["k_thread_join"]);
        assert_eq!(files, vec!["smp_threads.c"]);
        let (functions, files) =
            clues_of_title("BUG: KASAN: slab-use-after-free in ext4_find_extent");
        assert_eq!(functions, vec!["ext4_find_extent"]);
        assert!(files.is_empty());
        assert_eq!(clues_of_title("WARNING in kfree").0, vec!["kfree"]);
        let (functions, files) = clues_of_title("Kernel panic - not syncing: boom");
        assert!(functions.is_empty() && files.is_empty(), "{functions:?}");
    }

    #[test]
    fn a_touched_function_weighs_as_much_as_the_untouched_commits() {
        let touches = vec![
            ("a".to_string(), Touch::Function),
            ("b".to_string(), Touch::Function),
            ("c".to_string(), Touch::File),
        ];
        let w = weights(103, &touches);
        assert_eq!(w["a"], 50.0);
        assert_eq!(w["b"], 50.0);
        assert_eq!(w["c"], 25.0);
        assert!(weights(3, &touches).values().all(|&x| x >= 1.0));
    }

    #[test]
    fn the_first_frames_name_functions() {
        let report = "WARNING: CPU: 0 PID: 1 at kernel/sched/core.c:120 pick_next_task+0x12/0x40\nCall Trace:\n pick_next_task+0x12/0x40\n schedule+0x20/0x80\n do_a+0x1/0x2\n do_b.cold+0x1/0x2\n do_c+0x1/0x2\n";
        assert_eq!(
            frames(report),
            vec!["pick_next_task", "schedule", "do_a", "do_b"]
        );
    }
}
