//! The signatures a run collects: each one recorded as it is found, its title completed
//! from the trace that follows, its stack settled once the trace ends.

use super::*;

impl State {
    /// A line within the open trace extends the evidence of its signatures; a line
    /// after the grace period or the line cap closes the trace. In a build log a
    /// trace is the error's indented context (source excerpt, notes): the next
    /// unindented line is another message.
    pub(super) fn extend_trace(&mut self, text: &str, end: u64) {
        let Some(trace) = &mut self.trace else {
            return;
        };
        let expired =
            self.now.saturating_sub(trace.since) > self.grace || trace.lines >= MAX_TRACE_LINES;
        let unindented = self.mode == Mode::Build && !text.starts_with([' ', '\t']);
        if expired || unindented {
            self.trace = None;
            return;
        }
        trace.lines += 1;
        for entry in &mut self.entries[trace.first..] {
            entry.seen.range.1 = end;
        }
    }

    pub(super) fn record(&mut self, mut found: Found, origin: Origin, range: Range) {
        // A report's header lines come before its registers and frames: an
        // `Oops:` after `BUG: unable to handle`, `invalid opcode` after `kernel
        // BUG at` are the same report.
        let continues_report = found.continues
            && self
                .entries
                .iter()
                .any(|e| e.stack.as_ref().is_some_and(|s| !s.started()));
        if continues_report {
            return;
        }
        // Another report begins: the frames that follow are its own, not those of
        // an earlier report still waiting for a trace.
        if found.stack.is_some() {
            self.settle_stacks(Some(&origin));
        }
        found.stack = found.stack.map(|stack| Box::new(stack.from(origin)));
        if is_fatal(found.kind) && self.fatal_at.is_none() {
            self.fatal_at = Some(self.now);
        }
        let signature = Signature::new(found.kind, normalize_title(&found.title));
        let duplicate = found.wants.is_none()
            && found.stack.is_none()
            && self
                .entries
                .iter()
                .any(|e| !e.duplicate && e.seen.signature == signature);
        if duplicate || self.entries.len() >= MAX_SIGNATURES {
            return;
        }
        let want = found.wants.map(|want| (want, want.patience()));
        self.wanting += usize::from(want.is_some() || found.stack.is_some());
        self.entries.push(Entry {
            seen: Seen {
                signature,
                range,
                stage: self.ladder.name().to_string(),
            },
            want,
            stack: found.stack,
            duplicate: false,
        });
        if self.trace.is_none() {
            self.trace = Some(Trace {
                first: self.entries.len() - 1,
                since: self.now,
                lines: 1,
            });
        }
    }

    /// Offers a line to every signature still waiting for its title's
    /// completion (an oops and the BUG line before it both take the function
    /// of the `RIP:` line that follows).
    pub(super) fn complete_titles(&mut self, text: &str) {
        let body = body(text);
        for i in 0..self.entries.len() {
            if let Some(stack) = &mut self.entries[i].stack {
                if stack.line(text) == Progress::Done {
                    self.settle(i);
                }
                continue;
            }
            let Some((want, patience)) = self.entries[i].want else {
                continue;
            };
            let entry = &mut self.entries[i];
            match want.complete(&entry.seen.signature.title, body) {
                Some(title) => {
                    entry.seen.signature.title = normalize_title(&title);
                    self.settle(i);
                }
                None if patience <= 1 => self.settle(i),
                None => entry.want = Some((want, patience - 1)),
            }
        }
        self.drop_trailing_duplicates();
    }

    /// Ends the wait for a title's completion; a title that turned out to repeat
    /// an earlier signature's is a duplicate.
    pub(super) fn settle(&mut self, index: usize) {
        if self.entries[index].want.take().is_some() {
            self.wanting -= 1;
        }
        if let Some(stack) = self.entries[index].stack.take() {
            self.wanting -= 1;
            let signature = &mut self.entries[index].seen.signature;
            let class = match (stack.access(), stack.reason()) {
                (Some(access), _) => format!("{} {access}", signature.title),
                (None, Some(reason)) => normalize_title(&format!("{}: {reason}", signature.title)),
                (None, None) => signature.title.clone(),
            };
            match stack.function() {
                Some(function) => {
                    let function = crate::blame::canonical(function);
                    signature.alternatives = crate::identity::alternatives(&class, function);
                    signature.title = format!("{class}{}{function}", stack.joiner());
                }
                None if stack.untraced().is_some() => {
                    signature.title = stack.untraced().unwrap_or_default().to_string();
                }
                None if stack.may_lack_function() => signature.title = class,
                None => {
                    signature.corrupted = true;
                    signature.title = format!("{class} in corrupted");
                }
            }
        }
        let (earlier, rest) = self.entries.split_at_mut(index);
        let entry = &mut rest[0];
        entry.duplicate = earlier
            .iter()
            .any(|e| !e.duplicate && e.seen.signature == entry.seen.signature);
    }

    pub(super) fn settle_all(&mut self) {
        for i in 0..self.entries.len() {
            if self.entries[i].want.is_some() || self.entries[i].stack.is_some() {
                self.settle(i);
            }
        }
        self.drop_trailing_duplicates();
    }

    /// The end of a trace (`---[ end trace`, `Kernel Offset:`) ends every report
    /// still reading frames; another report's header ends those it may belong
    /// with (not another task's, whose lines it interleaves).
    pub(super) fn settle_stacks(&mut self, from: Option<&Origin>) {
        for i in 0..self.entries.len() {
            let ends = self.entries[i]
                .stack
                .as_ref()
                .is_some_and(|stack| from.is_none_or(|origin| stack.admits(origin)));
            if ends {
                self.settle(i);
            }
        }
        self.drop_trailing_duplicates();
    }

    /// Gives back the slots of duplicates at the end, so a crash repeating in a
    /// loop does not use up the signature cap.
    pub(super) fn drop_trailing_duplicates(&mut self) {
        while self.entries.last().is_some_and(|e| e.duplicate) {
            self.entries.pop();
        }
        if let Some(trace) = &mut self.trace {
            trace.first = trace.first.min(self.entries.len());
        }
    }
}
