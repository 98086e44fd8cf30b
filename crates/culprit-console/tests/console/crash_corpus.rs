//! Crash identity on syzkaller's report corpus (`shared/crash-corpus`): culprit
//! must report a crash exactly where the corpus does, title it as kernel
//! engineers do, and give one bug one title and two bugs two. The floors are
//! what the rules reach today; a change that lowers any of them is a regression.
//! `cargo run -p culprit-console --example crash_corpus` prints the table.

use crate::support::crash_corpus;

use crash_corpus::{corpus_dir, load, read, score, table};

/// Per system: detection, title, function, pair precision, pair recall; each
/// a little under what the rules reach today.
const FLOORS: &[(&str, [f64; 5])] = &[
    ("linux", [0.99, 0.88, 0.90, 0.96, 0.94]),
    ("darwin", [1.0, 1.0, 1.0, 1.0, 1.0]),
    ("freebsd", [1.0, 0.75, 1.0, 1.0, 1.0]),
    ("fuchsia", [0.93, 0.71, 0.77, 1.0, 1.0]),
    ("gvisor", [1.0, 0.86, 1.0, 1.0, 1.0]),
    ("netbsd", [1.0, 0.85, 0.75, 1.0, 1.0]),
    ("openbsd", [1.0, 0.71, 1.0, 1.0, 1.0]),
];

#[test]
fn titles_on_the_crash_corpus_stay_above_their_floors() {
    let dir = corpus_dir().unwrap_or_else(|e| panic!("{e}"));
    let reports = load(&dir).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        reports.len() > 400,
        "only {} reports in {}",
        reports.len(),
        dir.display()
    );
    let readings: Vec<_> = reports.iter().map(read).collect();
    let scores = score(&reports, &readings);
    let mut below = Vec::new();
    for (system, floor) in FLOORS {
        let s = &scores[*system];
        let got = [
            s.detection(),
            s.title(),
            s.function_rate(),
            s.precision,
            s.recall,
        ];
        for ((name, got), want) in ["detection", "title", "function", "precision", "recall"]
            .iter()
            .zip(got)
            .zip(floor)
        {
            if got + 1e-9 < *want {
                below.push(format!("{system} {name}: {got:.3} < {want}"));
            }
        }
    }
    assert!(below.is_empty(), "{}\n{}", below.join("\n"), table(&scores));
}
