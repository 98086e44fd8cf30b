//! The streaming classifier: bytes in, one reading out.
//!
//! Memory stays flat whatever the size of the log: the partial line (at most
//! `max_line` bytes), at most [`MAX_SIGNATURES`] signatures, and a few counters
//! and byte ranges. A few SIMD (Teddy) searches stride through each chunk for
//! the literals of every pack; only the few lines they flag get the full
//! Aho-Corasick scan that tells which literals are there, and regexes run only
//! for those.

mod feeding;
mod prefilter;
mod reboot;
mod signatures;
mod user_failure;

use crate::cases::Cases;
use crate::decide::{decide, Facts, Range, Seen};
use crate::lines::{LineReader, LineSink};
use crate::normalize::{body, normalize_title};
use crate::packs::{self, Effect, Found, Want};
use crate::rules::{Mode, RuleError, Rules, MIN_MAX_LINE};
use crate::stack::{Origin, Progress, Stack};
use crate::stage::{Builtin, Ladder};
use crate::{Classification, Ending, Outcome, Signature, SignatureKind};
use aho_corasick::AhoCorasick;
use feeding::Feeding;
use prefilter::Prefilter;
pub use prefilter::{Marker, Marks};
use reboot::Clock;
use regex::Regex;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use user_failure::{user_failure, UserFailure};

/// Signatures kept per run; a guest that warns in a loop must not grow memory,
/// and the first few are the ones that matter.
pub const MAX_SIGNATURES: usize = 32;
/// Lines of trace kept in a signature's evidence when time does not end it
/// (reading a log file, where no time passes).
const MAX_TRACE_LINES: u32 = 512;

/// What a literal found on a line asks for, with stage ranks resolved.
#[derive(Clone, Copy)]
enum Action {
    Pack(Effect),
    Stage(usize),
    /// A literal that every match of the user's failure patterns holds.
    UserFailure,
}

/// Classifies one console or build log as it streams.
pub struct Classifier {
    reader: LineReader,
    /// SIMD (Teddy) searches for every literal; they need SIMD support, and
    /// without it the automaton filters alone.
    marker: Marker,
    state: State,
}

struct State {
    mode: Mode,
    grace: Duration,
    /// Time of the chunk being fed.
    now: Duration,
    automaton: AhoCorasick,
    /// For each automaton pattern, the actions of every rule that names it.
    literal_actions: Vec<Vec<u32>>,
    actions: Vec<Action>,
    /// The user's failure patterns as one alternation, tried on the lines that hold
    /// one of its literals (on every line when it has none).
    user_failure: Option<UserFailure>,
    success_configured: bool,
    /// The user's success markers alone, for the line still being received.
    prompts: Option<AhoCorasick>,
    ladder: Ladder,
    stage_line: Option<Range>,
    /// Scratch for the actions hit on the current line.
    hits: Vec<u32>,
    entries: Vec<Entry>,
    /// How many entries still wait for a line to complete their title.
    wanting: usize,
    trace: Option<Trace>,
    fallback: Option<Seen>,
    success: Option<Range>,
    /// The success marker came before any failure signature.
    success_first: bool,
    infra: Option<(String, Range)>,
    fatal_at: Option<Duration>,
    /// A failure's trace ended with a line after which nothing more comes.
    ended: bool,
    cases: Cases,
    /// The last non-empty line so far (at most `max_line` bytes): a hang's title
    /// quotes it.
    last_line: String,
    /// `Rules::source_roots`, each with its trailing `/`.
    source_roots: Vec<String>,
    clock: Clock,
}

/// A signature as recorded while the log streams.
struct Entry {
    seen: Seen,
    /// A later line may still complete the title; with the number of non-empty
    /// lines left to wait for it.
    want: Option<(Want, u16)>,
    /// A crash report still reading its frames; the title gets its function
    /// when they are complete.
    stack: Option<Box<Stack>>,
    /// Its completed title repeats an earlier signature: left out of the reading.
    duplicate: bool,
}

/// The trace following a signature, whose lines extend its evidence.
struct Trace {
    /// Index in `entries` of the first signature of this trace; signatures
    /// found inside the trace share its end.
    first: usize,
    since: Duration,
    lines: u32,
}

impl Classifier {
    pub fn new(rules: &Rules) -> Result<Classifier, RuleError> {
        let (ladder, user_failure) = rules.own_parts()?;
        let user_failure = user_failure.map(UserFailure::new);
        let mut literals: Vec<String> = Vec::new();
        let mut literal_actions: Vec<Vec<u32>> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut actions: Vec<Action> = Vec::new();
        // One action per rule, whichever of its literals a line holds.
        let mut add = |rule_literals: &[&str], action: Action| {
            let id = actions.len() as u32;
            actions.push(action);
            for &literal in rule_literals {
                let at = *index.entry(literal.to_string()).or_insert_with(|| {
                    literals.push(literal.to_string());
                    literal_actions.push(Vec::new());
                    literals.len() - 1
                });
                if !literal_actions[at].contains(&id) {
                    literal_actions[at].push(id);
                }
            }
        };
        for rule in packs::rules(rules.mode) {
            let action = match rule.effect {
                Effect::Stage(stage) => Action::Stage(ladder.builtin_rank(stage)),
                effect => Action::Pack(effect),
            };
            add(rule.literals, action);
        }
        let markers: Vec<&str> = rules.success.iter().map(String::as_str).collect();
        add(&markers, Action::Pack(Effect::Success));
        for (i, stage) in rules.stages.iter().enumerate() {
            add(&[stage.marker.as_str()], Action::Stage(ladder.user_rank(i)));
        }
        if let Some(literals) = user_failure.as_ref().and_then(|f| f.literals.as_ref()) {
            let literals: Vec<&str> = literals.iter().map(String::as_str).collect();
            add(&literals, Action::UserFailure);
        }
        let automaton = AhoCorasick::builder()
            .kind(Some(aho_corasick::AhoCorasickKind::DFA))
            .build(&literals)
            .map_err(|e| RuleError::Automaton {
                reason: e.to_string(),
            })?;
        let prefilter = Prefilter::new(&literals).map(Arc::new);
        let prompts = match rules.success.is_empty() {
            true => None,
            false => Some(
                AhoCorasick::new(&rules.success).map_err(|e| RuleError::Automaton {
                    reason: e.to_string(),
                })?,
            ),
        };
        Ok(Classifier {
            reader: LineReader::new(rules.max_line),
            marker: Marker { prefilter },
            state: State {
                mode: rules.mode,
                grace: rules.grace,
                now: Duration::ZERO,
                automaton,
                literal_actions,
                actions,
                user_failure,
                success_configured: !rules.success.is_empty(),
                prompts,
                ladder,
                stage_line: None,
                hits: Vec::new(),
                entries: Vec::new(),
                wanting: 0,
                trace: None,
                fallback: None,
                success: None,
                success_first: false,
                infra: None,
                fatal_at: None,
                ended: false,
                cases: Cases::default(),
                last_line: String::new(),
                source_roots: rules
                    .source_roots
                    .iter()
                    .filter(|root| !root.is_empty())
                    .map(|root| format!("{}/", root.trim_end_matches('/')))
                    .collect(),
                clock: Clock::default(),
            },
        })
    }

    /// Reads the next bytes of the log; `now` is the time since the run started.
    /// Any split of the same bytes gives the same reading.
    pub fn feed(&mut self, bytes: &[u8], now: Duration) {
        let marks = self.marker.mark(bytes);
        self.feed_marked(bytes, &marks, now);
    }

    /// What marks chunks for [`Classifier::feed_marked`], on any thread.
    pub fn marker(&self) -> Marker {
        self.marker.clone()
    }

    /// [`Classifier::feed`] with the chunk's marks already found by its
    /// [`Classifier::marker`]; marks of a chunk of another length are found again.
    pub fn feed_marked(&mut self, bytes: &[u8], marks: &Marks, now: Duration) {
        let found;
        let marks = match marks.len == bytes.len() {
            true => marks,
            false => {
                found = self.marker.mark(bytes);
                &found
            }
        };
        self.state.now = now;
        let mut feeding = Feeding {
            base: self.reader.consumed(),
            prefilter: self.marker.prefilter.as_deref(),
            marks: &marks.starts,
            next_mark: 0,
            state: &mut self.state,
        };
        self.reader.feed(bytes, &mut feeding);
        self.state
            .prompt(self.reader.partial(), self.reader.consumed());
    }

    /// Whether the verdict can no longer change, so the runner may stop the guest
    /// now: a success marker came before any failure (a user marker counts as
    /// soon as its bytes arrive, since a prompt such as `login: ` never gets a
    /// newline); or a failure's trace ended
    /// with a line after which the guest prints nothing more (`Kernel Offset:`,
    /// `---[ end Kernel panic`, `PROJECT EXECUTION ...`, Zephyr's `Halting
    /// system`); or `grace` has passed since the first fatal signature. Test
    /// failures are not fatal (the suite goes on and its end is worth reading),
    /// and a build is never stopped early: its exit status is part of its
    /// verdict.
    pub fn is_certain(&self, now: Duration) -> bool {
        let s = &self.state;
        if s.success_first {
            return true;
        }
        if s.mode == Mode::Build || s.entries.is_empty() {
            return false;
        }
        s.ended
            || s.fatal_at
                .is_some_and(|at| now.saturating_sub(at) >= s.grace)
    }

    /// The last boot stage reached so far.
    ///
    /// Stages form one ladder: `none` < `bootloader` (SeaBIOS, iPXE, `Booting from
    /// ROM`, U-Boot, GRUB, OpenSBI, OVMF) < `kernel` (`Linux version`, `*** Booting
    /// Zephyr OS`) < `init` (`Run /init as init process`, `Freeing unused kernel`)
    /// < the user's stages, in the order of `Rules::stages` < `test` (`Running
    /// TESTSUITE`, `START - `, `TAP version`, `KTAP version`) < `success` (a success
    /// marker). A marker moves the stage only upwards: one ranking at or below the
    /// current stage changes nothing.
    pub fn stage(&self) -> &str {
        self.state.ladder.name()
    }

    /// Reads the partial last line, then decides. Calling it again gives the same
    /// reading.
    ///
    /// Boot logs: a failure signature seen before any success marker gives
    /// `fail` with the first signature; else a success marker gives `pass`; else
    /// a QEMU startup error gives `infra-error`; else the ending decides:
    /// interrupted or not started is `infra-error`; a timeout, an early stop or an
    /// unknown ending is `hang` at the stage reached; exit 0 is `pass` only when no
    /// success marker was configured (with one, the guest left without saying it
    /// succeeded: `hang`); any other exit or a signal is `fail` (kind `exit`).
    ///
    /// Build logs: a user failure pattern gives `fail` (the build is bad, not
    /// unbuildable); exit 0 is `pass` whatever text went by; otherwise
    /// `build-error` titled by the first compiler or linker signature, else by a
    /// summary line such as `ld returned 1 exit status`, else by the exit status.
    pub fn finish(&mut self, ending: &Ending) -> Classification {
        self.reader.flush(&mut Feeding {
            base: self.reader.consumed(),
            prefilter: self.marker.prefilter.as_deref(),
            marks: &[],
            next_mark: 0,
            state: &mut self.state,
        });
        self.state.settle_all();
        let s = &self.state;
        let mut seen: Vec<Seen> = Vec::with_capacity(s.entries.len());
        for entry in s.entries.iter().filter(|e| !e.duplicate) {
            if !seen
                .iter()
                .any(|earlier| earlier.signature == entry.seen.signature)
            {
                seen.push(entry.seen.clone());
            }
        }
        let last_line = last_line_title(&s.last_line);
        let facts = Facts {
            mode: s.mode,
            success_configured: s.success_configured,
            seen: &seen,
            success: s.success,
            success_first: s.success_first,
            fallback: s.fallback.as_ref(),
            infra: s
                .infra
                .as_ref()
                .map(|(reason, range)| (reason.as_str(), *range)),
            stage: s.ladder.name(),
            stage_line: s.stage_line,
            last_line: last_line.as_deref(),
        };
        let (outcome, evidence) = decide(&facts, ending);
        let failed_at = match &outcome {
            Outcome::Fail { signature } => Some(
                seen.iter()
                    .find(|seen| seen.signature == *signature)
                    .map_or_else(|| s.ladder.name().to_string(), |seen| seen.stage.clone()),
            ),
            _ => None,
        };
        let recorded: Vec<(Signature, bool)> = s
            .entries
            .iter()
            .map(|e| (e.seen.signature.clone(), is_fatal(e.seen.signature.kind)))
            .collect();
        Classification {
            outcome,
            stage: s.ladder.name().to_string(),
            failed_at,
            evidence,
            signatures: seen.into_iter().map(|seen| seen.signature).collect(),
            bytes: self.reader.consumed(),
            cases: s.cases.finish(&recorded),
        }
    }
}

impl Rules {
    /// Finds what [`Classifier::new`] would refuse in the rules' own parts (markers,
    /// stages, failure patterns, the line cap) without compiling the signature packs:
    /// validating a culprit.toml of thousands of tests, each with its own markers, then
    /// takes time in proportion to those markers, not a classifier per test.
    pub fn check(&self) -> Result<(), RuleError> {
        self.own_parts().map(|_| ())
    }

    /// The rules' own parts, checked and built: the stage ladder and the user's failure
    /// patterns, which a classifier keeps.
    fn own_parts(&self) -> Result<(Ladder, Option<Regex>), RuleError> {
        if self.max_line < MIN_MAX_LINE {
            return Err(RuleError::LineCapTooSmall {
                max_line: self.max_line,
                min: MIN_MAX_LINE,
            });
        }
        let ladder = Ladder::new(&self.stages)?;
        if let Some(index) = self.success.iter().position(String::is_empty) {
            return Err(RuleError::EmptySuccessMarker { index });
        }
        Ok((ladder, user_failure(&self.failure)?))
    }
}

/// Classifies a whole log at once.
pub fn classify(rules: &Rules, bytes: &[u8], ending: &Ending) -> Result<Classification, RuleError> {
    let mut classifier = Classifier::new(rules)?;
    classifier.feed(bytes, Duration::ZERO);
    Ok(classifier.finish(ending))
}

/// Characters of the last line a hang's title quotes.
const LAST_LINE_CHARS: usize = 120;

fn last_line_title(line: &str) -> Option<String> {
    let title = normalize_title(body(line));
    let title: String = title.chars().take(LAST_LINE_CHARS).collect();
    (!title.is_empty()).then_some(title)
}

fn is_fatal(kind: SignatureKind) -> bool {
    kind != SignatureKind::TestFailure
}

impl State {
    /// `text` with the source tree's directories cut from its paths, when it names any.
    fn without_source_roots(&self, text: &str) -> Option<String> {
        let mut relative: Option<String> = None;
        for root in &self.source_roots {
            let current = relative.as_deref().unwrap_or(text);
            if current.contains(root.as_str()) {
                relative = Some(current.replace(root.as_str(), ""));
            }
        }
        relative
    }

    /// One line; `literals`: whether the prefilter found a literal in it.
    fn line(&mut self, text: &str, start: u64, end: u64, literals: bool) {
        // QEMU's own `terminating on signal` is the runner's doing, not the guest's.
        if !text.trim_end().is_empty() && !text.starts_with("qemu-") {
            self.last_line.clear();
            self.last_line.push_str(text);
        }
        self.clock.first_line(text);
        self.extend_trace(text, end);
        if self.wanting > 0 && !text.trim().is_empty() {
            self.complete_titles(text);
        }
        self.hits.clear();
        if literals {
            for m in self.automaton.find_overlapping_iter(text) {
                self.hits
                    .extend_from_slice(&self.literal_actions[m.pattern().as_usize()]);
            }
        }
        let custom = self.user_failure.as_ref().is_some_and(|failure| {
            let flagged = failure.literals.is_none()
                || self
                    .hits
                    .iter()
                    .any(|&h| matches!(self.actions[h as usize], Action::UserFailure));
            flagged && failure.regex.is_match(body(text))
        });
        if self.hits.is_empty() && !custom {
            return;
        }
        self.hits.sort_unstable();
        self.hits.dedup();
        let body = body(text);
        let range = (start, end);
        let mut found = custom.then(|| Found::new(SignatureKind::Custom, body));
        let mut end_of_trace = None;
        let mut banner = false;
        let mut case_line = false;
        for i in 0..self.hits.len() {
            match self.actions[self.hits[i] as usize] {
                Action::Stage(rank) => {
                    banner |= rank == self.ladder.builtin_rank(Builtin::Kernel);
                    if self.ladder.reach(rank) {
                        self.stage_line = Some(range);
                    }
                }
                Action::Pack(Effect::Signature(detect)) => {
                    if found.is_none() {
                        found = detect(body);
                    }
                }
                Action::Pack(Effect::Fallback(detect)) => {
                    if self.fallback.is_none() {
                        self.fallback = detect(body).map(|f| Seen {
                            signature: Signature::new(f.kind, normalize_title(&f.title)),
                            range,
                            stage: self.ladder.name().to_string(),
                        });
                    }
                }
                Action::Pack(Effect::Success) => self.succeed(range),
                Action::Pack(Effect::Infra(detect)) => {
                    if self.infra.is_none() {
                        self.infra = detect(body).map(|reason| (reason, range));
                    }
                }
                Action::Pack(Effect::EndOfTrace { certain, confirm }) => {
                    if confirm(body) {
                        end_of_trace = Some(certain || end_of_trace == Some(true));
                    }
                }
                Action::Pack(Effect::Case) => case_line = true,
                Action::UserFailure => {}
                Action::Pack(Effect::Stage(_)) => {}
            }
        }
        if case_line {
            self.cases.line(text, self.entries.len());
        }
        if self.clock.rebooted(text, banner) {
            found = found.or_else(|| Some(reboot::reboot()));
        }
        if let Some(found) = found {
            self.record(found, Origin::of(text), range);
        }
        if let Some(certain) = end_of_trace {
            if !self.entries.is_empty() {
                self.trace = None;
                self.ended |= certain;
                self.settle_stacks(None);
            }
        }
    }

    fn succeed(&mut self, range: Range) {
        match &mut self.success {
            None => {
                self.success = Some(range);
                self.success_first = self.entries.is_empty();
            }
            // Seen while the line was still arriving: now it is whole.
            Some(seen) if seen.0 == range.0 => seen.1 = range.1,
            Some(_) => return,
        }
        if self.ladder.reach(self.ladder.success_rank()) {
            self.stage_line = Some(range);
        }
    }

    /// A success marker in the line still being received counts at once: a
    /// prompt is never followed by a newline, and the runner should not wait
    /// for one. The range is completed when the line ends.
    fn prompt(&mut self, (partial, start): (&[u8], u64), consumed: u64) {
        let Some(prompts) = &self.prompts else {
            return;
        };
        if self.success.is_none() && !partial.is_empty() && prompts.is_match(partial) {
            self.succeed((start, consumed));
        }
    }

    /// The `\n` of a `\r\n` pair extends whatever range ended at its `\r`.
    fn extend(&mut self, from: u64, to: u64) {
        let ranges = self
            .entries
            .iter_mut()
            .map(|e| &mut e.seen.range)
            .chain(self.fallback.as_mut().map(|s| &mut s.range))
            .chain(self.success.as_mut())
            .chain(self.infra.as_mut().map(|(_, r)| r))
            .chain(self.stage_line.as_mut());
        for range in ranges {
            if range.1 == from {
                range.1 = to;
            }
        }
    }
}

#[cfg(test)]
mod tests;
