//! Prints culprit's crash identity figures on syzkaller's report corpus
//! (`shared/crash-corpus`), per system; with `-v`, every report whose title is
//! not the expected one.
//!
//! `cargo run -p culprit-console --example crash_corpus [-v]`

#[path = "../tests/support/crash_corpus.rs"]
mod crash_corpus;

use crash_corpus::{corpus_dir, load, read, score, table};

fn main() -> Result<(), String> {
    let verbose = std::env::args().any(|a| a == "-v");
    let reports = load(&corpus_dir()?)?;
    let readings: Vec<_> = reports.iter().map(read).collect();
    if verbose {
        for (report, reading) in reports.iter().zip(&readings) {
            let expected = report.title.as_deref().unwrap_or("-");
            let got = reading.title.as_deref().unwrap_or("-");
            let right = report.title.is_none() && reading.title.is_none()
                || std::iter::once(expected)
                    .chain(report.alternatives.iter().map(String::as_str))
                    .any(|t| Some(t) == reading.title.as_deref());
            if !right {
                let flag = if reading.corrupted {
                    " [corrupted]"
                } else {
                    ""
                };
                println!(
                    "{}/{}: {expected} => {got}{flag}",
                    report.system, report.name
                );
            }
        }
    }
    print!("{}", table(&score(&reports, &readings)));
    Ok(())
}
