//! One call of `Classifier::feed`: the chunk's lines, with the SIMD prefilter
//! striding through the chunk ahead of them.

use super::*;

/// One call of [`Classifier::feed`]: the state, plus the chunk being fed, which
/// the prefilter searches in long strides instead of line by line.
pub(super) struct Feeding<'a> {
    pub(super) state: &'a mut State,
    pub(super) prefilter: Option<&'a Prefilter>,
    /// One per prefilter search.
    pub(super) ahead: &'a mut [Ahead],
    pub(super) chunk: &'a [u8],
    /// Raw offset of `chunk`.
    pub(super) base: u64,
}

impl Feeding<'_> {
    /// Whether a literal occurs in `from..to` of the chunk. Lines come in order,
    /// so one search usually answers for many lines.
    fn literal_within(&mut self, prefilter: &Prefilter, from: usize, to: usize) -> bool {
        let chunk = self.chunk;
        prefilter
            .searchers
            .iter()
            .zip(self.ahead.iter_mut())
            .any(|(searcher, ahead)| {
                let stale = from < ahead.from || ahead.next.is_some_and(|at| at < from);
                if stale {
                    let span = Span::from(from..chunk.len());
                    ahead.next = searcher.find_in(chunk, span).map(|m| m.start());
                    ahead.from = from;
                }
                ahead.next.is_some_and(|at| at < to)
            })
    }
}

impl LineSink for Feeding<'_> {
    fn line(&mut self, text: &str, start: u64, end: u64, verbatim: bool) {
        // Most lines hold no literal at all. The overlapping search (which finds
        // every literal, also one inside another) is slow per byte, so it runs
        // only on lines the prefilter flags.
        let literals = match self.prefilter {
            Some(prefilter) if verbatim => {
                let from = (start - self.base) as usize;
                self.literal_within(prefilter, from, from + text.len())
            }
            Some(prefilter) => prefilter.find(text),
            None => self.state.automaton.is_match(text),
        };
        match self.state.without_source_roots(text) {
            Some(relative) => self.state.line(&relative, start, end, literals),
            None => self.state.line(text, start, end, literals),
        }
    }

    fn extend(&mut self, from: u64, to: u64) {
        self.state.extend(from, to);
    }
}
