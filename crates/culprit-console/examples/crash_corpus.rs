//! Prints culprit's crash identity figures on syzkaller's report corpus
//! (`shared/crash-corpus`), per system; with `-v`, every report whose title is
//! not the expected one, with `-a` every report. With `--concat FILE MB`, writes the corpus's console
//! logs end to end, repeated to at least MB megabytes, for timing `culprit
//! classify` on crash-dense input.
//!
//! `cargo run -p culprit-console --example crash_corpus [-v | -a | --concat FILE MB]`

#[path = "../tests/console/support/crash_corpus.rs"]
mod crash_corpus;

use crash_corpus::{corpus_dir, load, read, score, table, Report};

fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let reports = load(&corpus_dir()?)?;
    if let Some(at) = args.iter().position(|a| a == "--concat") {
        let (Some(file), Some(mb)) = (args.get(at + 1), args.get(at + 2)) else {
            return Err("--concat needs a file and a size in megabytes".into());
        };
        let mb: u64 = mb
            .parse()
            .map_err(|e| format!("--concat {file} {mb}: the size is not a number ({e})"))?;
        return concat(&reports, file, mb);
    }
    let readings: Vec<_> = reports.iter().map(read).collect();
    let all = args.iter().any(|a| a == "-a");
    if all || args.iter().any(|a| a == "-v") {
        for (report, reading) in reports.iter().zip(&readings) {
            let expected = report.title.as_deref().unwrap_or("-");
            let got = reading.title.as_deref().unwrap_or("-");
            let right = std::iter::once(expected)
                .chain(report.alternatives.iter().map(String::as_str))
                .any(|t| t == got);
            if all || !right {
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

fn concat(reports: &[Report], file: &str, mb: u64) -> Result<(), String> {
    let one: Vec<u8> = reports.iter().flat_map(|r| r.log.iter().copied()).collect();
    let mut out = Vec::new();
    while (out.len() as u64) < mb * 1_000_000 {
        out.extend_from_slice(&one);
    }
    std::fs::write(file, &out).map_err(|e| format!("cannot write {file}: {e}"))?;
    println!("{file}: {} bytes", out.len());
    Ok(())
}
