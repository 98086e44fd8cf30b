//! Measures crash identity on syzkaller's report corpus (`shared/crash-corpus`):
//! whether culprit reports a crash where the corpus expects one, whether its title
//! is the expected one, and whether its titles tell bugs apart as the expected
//! titles do. Shared by the `crash_corpus` test (floors) and example (table).

use culprit_console::{classify, Ending, Outcome, Rules};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One report file: its expected reading and its console log.
pub struct Report {
    pub system: String,
    pub name: String,
    /// `None`: no crash is to be reported.
    pub title: Option<String>,
    pub alternatives: Vec<String>,
    pub corrupted: bool,
    pub log: Vec<u8>,
}

/// What culprit read in one report.
pub struct Reading {
    pub title: Option<String>,
    pub corrupted: bool,
}

/// The corpus beside the checkout, which a worktree may nest deeper than the main one.
pub fn corpus_dir() -> Result<PathBuf, String> {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    crate_dir
        .ancestors()
        .map(|a| a.join("shared/crash-corpus"))
        .find(|d| d.join("README.md").is_file())
        .map(|d| d.join("syzkaller"))
        .ok_or_else(|| {
            format!(
                "the crash corpus is missing: expected shared/crash-corpus beside the repository (above {})",
                crate_dir.display()
            )
        })
}

/// Every report of every system, in a stable order.
pub fn load(dir: &Path) -> Result<Vec<Report>, String> {
    let read_dir =
        |d: &Path| std::fs::read_dir(d).map_err(|e| format!("cannot list {}: {e}", d.display()));
    let mut reports = Vec::new();
    for system in read_dir(dir)? {
        let system = system.map_err(|e| e.to_string())?.path();
        if !system.is_dir() {
            continue;
        }
        for file in read_dir(&system)? {
            let path = file.map_err(|e| e.to_string())?.path();
            let bytes =
                std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            let name = |p: &Path| p.file_name().map(|n| n.to_string_lossy().into_owned());
            reports.push(parse(
                name(&system).unwrap_or_default(),
                name(&path).unwrap_or_default(),
                &bytes,
            ));
        }
    }
    reports.sort_by(|a, b| {
        (&a.system, a.name.parse::<u32>().ok(), &a.name).cmp(&(
            &b.system,
            b.name.parse::<u32>().ok(),
            &b.name,
        ))
    });
    Ok(reports)
}

/// The header up to the first empty line, then the log up to `REPORT:` after an
/// empty line.
fn parse(system: String, name: String, bytes: &[u8]) -> Report {
    let bytes: Vec<u8> = bytes.iter().copied().filter(|&b| b != b'\r').collect();
    let header_end = find(&bytes, b"\n\n")
        .map(|at| at + 2)
        .filter(|_| !bytes.starts_with(b"\n"))
        .unwrap_or(usize::from(bytes.starts_with(b"\n")));
    let header = String::from_utf8_lossy(&bytes[..header_end]);
    let mut report = Report {
        system,
        name,
        title: None,
        alternatives: Vec::new(),
        corrupted: false,
        log: Vec::new(),
    };
    for line in header.lines() {
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim().to_string();
        match key {
            "TITLE" if !value.is_empty() => report.title = Some(value),
            "ALT" => report.alternatives.push(value),
            "CORRUPTED" => report.corrupted = value == "Y",
            _ => {}
        }
    }
    let body = &bytes[header_end..];
    let end = find(body, b"\n\nREPORT:\n").map_or(body.len(), |at| at + 1);
    report.log = body[..end].to_vec();
    report
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// culprit's reading of one report: the failure's signature, as a hunt sees it.
pub fn read(report: &Report) -> Reading {
    let classification = classify(&Rules::boot(), &report.log, &Ending::Exited { code: 0 })
        .expect("the default rules are valid");
    match classification.outcome {
        Outcome::Fail { signature } => Reading {
            title: Some(signature.title),
            corrupted: signature.corrupted,
        },
        _ => Reading {
            title: None,
            corrupted: false,
        },
    }
}

/// The figures for one system.
#[derive(Clone, Debug, Default)]
pub struct Score {
    pub reports: usize,
    /// A crash reported exactly where one is expected.
    pub detected: usize,
    pub crashes: usize,
    /// Title equal to the expected title or one of its alternatives.
    pub titled: usize,
    /// Crashes whose expected title names a function.
    pub with_function: usize,
    /// ... and culprit's title names it too.
    pub function: usize,
    pub precision: f64,
    pub recall: f64,
}

impl Score {
    pub fn detection(&self) -> f64 {
        ratio(self.detected, self.reports)
    }
    pub fn title(&self) -> f64 {
        ratio(self.titled, self.crashes)
    }
    pub fn function_rate(&self) -> f64 {
        ratio(self.function, self.with_function)
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        1.0
    } else {
        a as f64 / b as f64
    }
}

/// The function an expected title blames: what follows its last ` in `.
fn blamed(title: &str) -> Option<&str> {
    title.rsplit_once(" in ").map(|(_, f)| f)
}

/// Whether culprit's title names `function` whole: not as a part of a longer
/// name. A Go function's name holds punctuation (`waiter.(*Entry).Next`), so
/// the name is found as it is, then its ends are checked.
fn names(title: &str, function: &str) -> bool {
    let name_char = |c: char| c.is_alphanumeric() || "_.$".contains(c);
    title.match_indices(function).any(|(at, _)| {
        let before = title[..at].chars().next_back();
        let after = title[at + function.len()..].chars().next();
        !before.is_some_and(name_char) && !after.is_some_and(name_char)
    })
}

/// Scores every report; `readings` are in the order of `reports`.
pub fn score(reports: &[Report], readings: &[Reading]) -> BTreeMap<String, Score> {
    let mut scores: BTreeMap<String, Score> = BTreeMap::new();
    let mut identities: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for (report, reading) in reports.iter().zip(readings) {
        let s = scores.entry(report.system.clone()).or_default();
        s.reports += 1;
        s.detected += usize::from(report.title.is_some() == reading.title.is_some());
        let Some(expected) = &report.title else {
            continue;
        };
        s.crashes += 1;
        s.titled += usize::from(reading.title.as_ref().is_some_and(|t| {
            std::iter::once(expected)
                .chain(&report.alternatives)
                .any(|e| e == t)
        }));
        if let Some(function) = blamed(expected) {
            s.with_function += 1;
            s.function += usize::from(reading.title.as_deref().is_some_and(|t| names(t, function)));
        }
        // A corrupted report is no bug's identity: it pairs with nothing.
        if let Some(title) = reading.title.as_ref().filter(|_| !reading.corrupted) {
            if !report.corrupted {
                identities
                    .entry(report.system.clone())
                    .or_default()
                    .push((title.clone(), expected.clone()));
            }
        }
    }
    for (system, pairs) in identities {
        let (mut both, mut ours, mut theirs) = (0usize, 0usize, 0usize);
        for (i, a) in pairs.iter().enumerate() {
            for b in &pairs[i + 1..] {
                let same_ours = a.0 == b.0;
                let same_theirs = a.1 == b.1;
                both += usize::from(same_ours && same_theirs);
                ours += usize::from(same_ours);
                theirs += usize::from(same_theirs);
            }
        }
        if let Some(s) = scores.get_mut(&system) {
            s.precision = ratio(both, ours);
            s.recall = ratio(both, theirs);
        }
    }
    scores
}

/// The scores as a Markdown table.
pub fn table(scores: &BTreeMap<String, Score>) -> String {
    let mut out = String::from(
        "| system | reports | detection | title | function | pair precision | pair recall |\n|---|---:|---:|---:|---:|---:|---:|\n",
    );
    for (system, s) in scores {
        out.push_str(&format!(
            "| {system} | {} | {:.1}% ({}/{}) | {:.1}% ({}/{}) | {:.1}% ({}/{}) | {:.2} | {:.2} |\n",
            s.reports,
            100.0 * s.detection(),
            s.detected,
            s.reports,
            100.0 * s.title(),
            s.titled,
            s.crashes,
            100.0 * s.function_rate(),
            s.function,
            s.with_function,
            s.precision,
            s.recall,
        ));
    }
    out
}
