//! Built-in signature packs: what Linux, Zephyr, Rust, test protocols, toolchains
//! and QEMU print when something goes wrong, and the lines that mark boot stages.
//!
//! Every rule names literal substrings; the classifier scans each line once for
//! all literals of all packs, and only runs a rule's detector (usually a regex) on
//! lines that contain one of its literals. When several signature rules fire on
//! one line, the first in pack order wins, so specific rules come before general
//! ones (`BUG: KASAN:` before `BUG:`).

mod bsd;
mod buildlog;
mod executor;
mod firmware;
mod fuchsia;
mod golang;
mod linux;
mod openbsd;
mod qemu;
mod rust;
mod tap;
mod toolchain;
mod zephyr;

use crate::rules::Mode;
use crate::stack::Stack;
use crate::stage::Builtin;
use crate::SignatureKind;

/// The end of a trace: the verdict is certain once it is seen (when `certain`).
fn end(certain: bool) -> Effect {
    Effect::EndOfTrace {
        certain,
        confirm: |_| true,
    }
}

/// A detector gets the line's body (see `normalize::body`).
pub(crate) type Detect = fn(&str) -> Option<Found>;

/// A signature found on one line, before title normalization.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Found {
    pub kind: SignatureKind,
    pub title: String,
    /// The line alone does not say enough; a later line completes the title.
    pub wants: Option<Want>,
    /// A crash report: its frames give the function the title ends with.
    pub stack: Option<Box<Stack>>,
    /// A line that continues the report before it when that report has shown
    /// no registers or frames yet (`Oops:` after `BUG: unable to handle`,
    /// `invalid opcode` after `kernel BUG at`, `panic: trap` after `uvm_fault`).
    pub continues: bool,
}

impl Found {
    pub(crate) fn new(kind: SignatureKind, title: impl Into<String>) -> Found {
        Found {
            kind,
            title: title.into(),
            wants: None,
            stack: None,
            continues: false,
        }
    }

    pub(crate) fn continuing(mut self) -> Found {
        self.continues = true;
        self
    }

    pub(crate) fn with_stack(mut self, stack: Stack) -> Found {
        self.stack = Some(Box::new(stack));
        self
    }

    /// A KASAN report: the line after the header says whether it read or wrote.
    pub(crate) fn with_access(mut self) -> Found {
        self.stack = self.stack.map(|s| Box::new(s.with_access()));
        self
    }

    /// A report that prints its frames right after its header, with no
    /// `Call Trace:` line (KMSAN).
    pub(crate) fn with_frames_next(mut self) -> Found {
        self.stack = self.stack.map(|s| Box::new(s.with_frames_next()));
        self
    }

    pub(crate) fn wanting(mut self, want: Want) -> Found {
        self.wants = Some(want);
        self
    }
}

/// What a later line can add to a title that is too generic on its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Want {
    /// The next non-empty line is the message (Rust panics since 1.73).
    Message,
    /// The line was wrapped: the next line carries the rest, up to the first
    /// colon (what follows it are values and module names).
    Continuation,
    /// rustc's ` --> file:line:col` names the file the error is in.
    SourceFile,
}

impl Want {
    /// How many non-empty lines to wait for the completing line.
    pub(crate) fn patience(self) -> u16 {
        match self {
            Want::Message | Want::Continuation => 1,
            Want::SourceFile => 4,
        }
    }

    /// The completed title, if `body` is the line this want waits for.
    pub(crate) fn complete(self, title: &str, body: &str) -> Option<String> {
        let with_message = |msg: &str| format!("{title}: {}", msg.trim());
        match self {
            Want::Message => Some(crate::stack::message(body))
                .filter(|m| !m.trim().is_empty())
                .map(with_message),
            Want::Continuation => {
                let line = body.trim();
                let head = line
                    .split(": ")
                    .next()
                    .unwrap_or(line)
                    .trim_end_matches(':');
                (!head.is_empty()).then(|| with_message(head))
            }
            Want::SourceFile => toolchain::source_file(body).map(|file| format!("{file}: {title}")),
        }
    }
}

/// What a rule does when its literal is on a line.
#[derive(Clone, Copy)]
pub(crate) enum Effect {
    /// A failure signature, if the detector confirms it.
    Signature(Detect),
    /// A signature used only when no other one was seen (`ld returned 1 exit
    /// status` says that a link failed, never why).
    Fallback(Detect),
    Stage(Builtin),
    /// The line may carry a test case's start or result (see `cases`).
    Case,
    Success,
    /// The machinery, not the target, failed; the detector gives the reason.
    Infra(fn(&str) -> Option<String>),
    /// The trace of a failure ends here. `certain`: nothing more will be printed
    /// about it, so the verdict need not wait for the grace period.
    EndOfTrace {
        certain: bool,
        confirm: fn(&str) -> bool,
    },
}

pub(crate) struct Rule {
    pub literals: &'static [&'static str],
    pub effect: Effect,
}

impl Rule {
    pub(crate) const fn new(literals: &'static [&'static str], effect: Effect) -> Rule {
        Rule { literals, effect }
    }
}

/// The rules for one mode, in priority order.
pub(crate) fn rules(mode: Mode) -> Vec<Rule> {
    let mut rules = vec![Rule::new(
        &["=========="],
        Effect::EndOfTrace {
            certain: false,
            confirm: |body| body.len() >= 10 && body.bytes().all(|b| b == b'='),
        },
    )];
    match mode {
        Mode::Boot => {
            rules.extend(executor::rules());
            rules.extend(golang::rules());
            rules.extend(openbsd::rules());
            rules.extend(bsd::rules());
            rules.extend(fuchsia::rules());
            rules.extend(linux::rules());
            rules.extend(zephyr::rules());
            rules.extend(rust::rules());
            rules.extend(tap::rules());
            rules.extend(firmware::rules());
            rules.push(Rule::new(crate::cases::LITERALS, Effect::Case));
            rules.extend(buildlog::rules());
        }
        Mode::Build => {
            rules.extend(toolchain::rules());
            rules.extend(rust::rules());
        }
    }
    rules.extend(qemu::rules());
    rules
}

#[cfg(test)]
pub(crate) mod testing {
    //! Runs a pack's rules over one line the way the classifier does.

    use super::{Effect, Found, Rule};
    use crate::normalize::{body, normalize_title};

    /// The first signature the rules find on `line`, with its title normalized.
    pub(crate) fn signature(rules: &[Rule], line: &str) -> Option<Found> {
        let body = body(line);
        rules
            .iter()
            .filter(|r| r.literals.iter().any(|l| line.contains(l)))
            .find_map(|r| match r.effect {
                Effect::Signature(detect) => detect(body),
                _ => None,
            })
            .map(|mut found| {
                found.title = normalize_title(&found.title);
                found
            })
    }

    pub(crate) fn title(rules: &[Rule], line: &str) -> Option<String> {
        signature(rules, line).map(|f| f.title)
    }
}
