//! One call of `Classifier::feed`: the chunk's lines, with the prefilter's marks
//! saying which of them may hold a literal.

use super::*;

/// One call of [`Classifier::feed_marked`]: the state, plus where the prefilter
/// found keys in the chunk being fed.
pub(super) struct Feeding<'a> {
    pub(super) state: &'a mut State,
    pub(super) prefilter: Option<&'a Prefilter>,
    /// Chunk offsets of the keys found, in order.
    pub(super) marks: &'a [usize],
    /// The first mark not before the line being read.
    pub(super) next_mark: usize,
    /// Raw offset of the chunk.
    pub(super) base: u64,
}

impl Feeding<'_> {
    /// Whether a mark lies in `from..to` of the chunk. Lines come in order, so the
    /// marks are read once.
    fn marked_within(&mut self, from: usize, to: usize) -> bool {
        while self.marks.get(self.next_mark).is_some_and(|&at| at < from) {
            self.next_mark += 1;
        }
        self.marks.get(self.next_mark).is_some_and(|&at| at < to)
    }
}

impl LineSink for Feeding<'_> {
    fn line(&mut self, text: &str, start: u64, end: u64, verbatim: bool) {
        // Most lines hold no literal at all. The overlapping search (which finds
        // every literal, also one inside another) is slow per byte, so it runs
        // only on lines the prefilter flags.
        let literals = match self.prefilter {
            Some(_) if verbatim => {
                let from = (start - self.base) as usize;
                self.marked_within(from, from + text.len())
            }
            Some(prefilter) => prefilter.find(text),
            None => self.state.automaton.is_match(text),
        };
        match self.state.without_source_roots(text) {
            // Cutting a directory out can join text into a literal the prefilter
            // never saw: the automaton reads the line as it now is.
            Some(relative) => self.state.line(&relative, start, end, true),
            None => self.state.line(text, start, end, literals),
        }
    }

    fn extend(&mut self, from: u64, to: u64) {
        self.state.extend(from, to);
    }
}
