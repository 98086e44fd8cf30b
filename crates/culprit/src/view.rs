//! How runs are shown in plain text: tables, excerpts and lines cut to the width. The
//! `--json` documents are the library's types (the names there are a contract with
//! users' scripts and CI); the tables are for people and may change.

use culprit_hunt::option_request::Applied;
pub use culprit_hunt::record::relative;
use culprit_hunt::record::{RunRecord, StepResult};
use culprit_report::step_view::StepView;
use std::path::Path;

/// One line per requested option: applied, or what the build system made of it.
pub fn applied_lines(requested: &[Applied]) -> String {
    requested
        .iter()
        .map(|a| {
            if a.applied {
                format!("{}={}: applied\n", a.option, a.requested)
            } else if a.why.is_empty() {
                format!(
                    "{}={}: NOT applied, the configuration has {} (a dependency is off, or the option is in another `if` block)\n",
                    a.option, a.requested, a.got
                )
            } else {
                let needs = if a.needs.is_empty() {
                    String::new()
                } else {
                    format!("; it would apply with {}", a.needs.join(" "))
                };
                format!(
                    "{}={}: NOT applied, the configuration has {}: {}{needs}\n",
                    a.option,
                    a.requested,
                    a.got,
                    a.why.join("; ")
                )
            }
        })
        .collect()
}

/// Each excerpt of a step, under a heading naming its run, for the plain output.
pub fn excerpts(view: &StepView) -> String {
    let mut shown = std::collections::BTreeSet::new();
    view.build
        .iter()
        .chain(&view.tests)
        .filter_map(|run| {
            let text = run.excerpt.as_ref()?;
            // Tests that did not run for a failed build carry the build's log.
            if !shown.insert(run.log.as_str()) {
                return None;
            }
            let heading = format!("--- {}: {} ({}) ", run.name, run.outcome, run.log);
            Some(format!(
                "\n{heading:-<78}\n{}\n",
                text.trim_end_matches('\n')
            ))
        })
        .collect()
}

/// The per-test table `culprit run` prints.
pub fn step_table(step: &StepResult, base: &Path) -> String {
    let rows: Vec<[String; 5]> = step
        .build
        .iter()
        .map(|b| row("(build)", b, base))
        .chain(step.tests.iter().map(|t| row(&t.name, t, base)))
        .collect();
    table(
        &["test", "outcome", "signature / stage", "time", "log"],
        &rows,
    )
}

fn row(name: &str, run: &RunRecord, base: &Path) -> [String; 5] {
    let detail = match run.outcome.title() {
        Some(title) => title,
        None => format!("stage {}", run.stage),
    };
    [
        name.to_string(),
        run.outcome.word().to_string(),
        detail,
        format!("{:.1}s", run.duration_s),
        relative(&run.log, base),
    ]
}

/// Left-aligned columns separated by two spaces; the last column is never padded.
pub fn table<const N: usize>(header: &[&str; N], rows: &[[String; N]]) -> String {
    let mut widths = header.map(|h| h.chars().count());
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let header: Vec<String> = header.iter().map(|h| h.to_string()).collect();
    for cells in std::iter::once(header.as_slice()).chain(rows.iter().map(|r| r.as_slice())) {
        let mut line = String::new();
        for (i, cell) in cells.iter().enumerate() {
            if i + 1 == N {
                line.push_str(cell);
            } else {
                line.push_str(&format!("{:<width$}  ", cell, width = widths[i]));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// How wide a line may be: the terminal's width when stderr is one, else 160.
pub fn width() -> usize {
    let term = console::Term::stderr();
    if term.is_term() {
        if let Some((_, columns)) = term.size_checked() {
            return usize::from(columns).max(40);
        }
    }
    160
}

/// `text` cut to `width` characters, with `…` where it was cut.
pub fn fit(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    let kept: String = text.chars().take(width.saturating_sub(1)).collect();
    format!("{}…", kept.trim_end())
}

/// A commit id as people quote it (12 characters); any other name as it is.
pub fn short(name: &str) -> String {
    if name.len() == 40 && name.bytes().all(|b| b.is_ascii_hexdigit()) {
        name[..12].to_string()
    } else {
        name.to_string()
    }
}

/// A failure's title without the decorations a console puts around it (`>>> `, `*** `,
/// `=== `, at the start or after a `: `) or the `(custom)` kind of a user's own pattern.
pub fn clean_title(title: &str) -> String {
    let title = title.trim();
    let title = title.strip_suffix(" (custom)").unwrap_or(title);
    title
        .split(": ")
        .map(|part| {
            let words = part.trim_start_matches(DECORATION);
            if words.len() < part.len() && words.starts_with(' ') {
                words.trim_start()
            } else {
                part
            }
        })
        .collect::<Vec<_>>()
        .join(": ")
}

/// What consoles put in front of a line to make it stand out (followed by a space).
const DECORATION: &[char] = &['>', '*', '=', '#', '!', '-', '<'];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_lose_their_decorations_and_keep_their_words() {
        assert_eq!(
            clean_title(">>> TOYOS FATAL ERROR: CPU exception 0 (divide error) on CPU (custom)"),
            "TOYOS FATAL ERROR: CPU exception 0 (divide error) on CPU"
        );
        assert_eq!(
            clean_title("smp_mutex: another failure: *** FAULT in x"),
            "smp_mutex: another failure: FAULT in x"
        );
        assert_eq!(clean_title("smp_mutex: >>> FAULT"), "smp_mutex: FAULT");
        assert_eq!(
            clean_title("BUG: KASAN: use-after-free in f"),
            "BUG: KASAN: use-after-free in f"
        );
        assert_eq!(clean_title("error: -EINVAL"), "error: -EINVAL");
    }

    #[test]
    fn lines_are_cut_to_the_width_with_a_mark() {
        assert_eq!(fit("abcdef", 6), "abcdef");
        assert_eq!(fit("abcdefg", 6), "abcde…");
        assert_eq!(fit("abcdefg", 6).chars().count(), 6);
    }
}
