//! The SIMD prefilter: a few Teddy searches stride through each chunk for the literals of
//! every pack, so that only the few lines they flag get the full Aho-Corasick scan.

use aho_corasick::packed::Searcher;
use aho_corasick::Span;
use memchr::memchr2;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// Teddy searches that together find every literal, for lines that hold none
/// to skip the automaton. Teddy keys on as many leading bytes of each literal
/// as the shortest has (at most 4), and with a key of 3 bytes or fewer common
/// text matches so often that its checks cost more than the automaton's walk;
/// it also declines more than 64 literals. So the literals shorter than 4
/// bytes get a search of their own, and the rest are cut to those that hold
/// no other literal (a line holding the longer one holds the shorter) and then
/// to [`shared_keys`], so that one search strides through the text, not one
/// per group of literals.
pub(super) struct Prefilter {
    pub(super) searchers: Vec<Searcher>,
}

/// The most literals one Teddy search takes.
const TEDDY_MAX: usize = 64;
/// The key length past which Teddy's hits on ordinary text become rare.
const PREFILTER_KEY: usize = 4;
/// Bounds of a key that stands for several literals: one shorter than this
/// matches ordinary text too often, and a longer one is not worth counting.
const SHARED_KEY: std::ops::RangeInclusive<usize> = 5..=16;

impl Prefilter {
    pub(super) fn new(literals: &[String]) -> Option<Prefilter> {
        let holds_another = |l: &String| literals.iter().any(|k| k != l && l.contains(k.as_str()));
        let (short, long): (Vec<&String>, Vec<&String>) = literals
            .iter()
            .filter(|l| !holds_another(l))
            .partition(|l| l.len() < PREFILTER_KEY);
        let keys = shared_keys(long.iter().map(|l| l.as_str()).collect());
        let mut groups: Vec<Vec<&str>> = keys.chunks(TEDDY_MAX).map(<[&str]>::to_vec).collect();
        if !short.is_empty() {
            groups.push(short.iter().map(|l| l.as_str()).collect());
        }
        let searchers = groups
            .iter()
            .map(|group| Searcher::new(group.iter()))
            .collect::<Option<Vec<Searcher>>>()?;
        Some(Prefilter { searchers })
    }

    /// Whether `text` holds any literal.
    pub(super) fn find(&self, text: &str) -> bool {
        self.searchers.iter().any(|s| s.find(text).is_some())
    }

    /// Where keys occur in `chunk`, in order: one per line at most (a search goes on
    /// from the line's end), enough to say which lines hold one.
    fn marks(&self, chunk: &[u8]) -> Vec<usize> {
        let mut marks = Vec::new();
        for searcher in &self.searchers {
            let mut from = 0;
            while let Some(found) = searcher.find_in(chunk, Span::from(from..chunk.len())) {
                marks.push(found.start());
                // A line the marks speak for holds no line terminator.
                from = memchr2(b'\n', b'\r', &chunk[found.end()..])
                    .map_or(chunk.len(), |at| found.end() + at + 1);
            }
        }
        if self.searchers.len() > 1 {
            marks.sort_unstable();
        }
        marks
    }
}

/// Finds where a chunk's lines may hold literals, apart from the classifier that
/// reads them: reading a file, another thread marks the next chunk while the
/// classifier reads this one.
#[derive(Clone)]
pub struct Marker {
    /// `None` without SIMD support: every line is then searched alone.
    pub(super) prefilter: Option<Arc<Prefilter>>,
}

/// What [`Marker::mark`] found in one chunk, for [`super::Classifier::feed_marked`].
pub struct Marks {
    /// Length of the chunk marked: marks of a chunk of another length are not used.
    pub(super) len: usize,
    pub(super) starts: Vec<usize>,
}

impl Marker {
    pub fn mark(&self, chunk: &[u8]) -> Marks {
        Marks {
            len: chunk.len(),
            starts: self
                .prefilter
                .as_ref()
                .map_or(Vec::new(), |p| p.marks(chunk)),
        }
    }
}

/// Keys such that every literal holds one, so a line holding a literal holds a
/// key and is flagged. While there are more than one Teddy search takes, a
/// substring that several literals hold (` for more than`, `SAN: `, `panic`)
/// stands for them all: the longest first (the fewer lines it flags), among equals
/// the one held by the most literals, each taken only while it still stands for two
/// literals or more.
fn shared_keys(literals: Vec<&str>) -> Vec<&str> {
    if literals.len() <= TEDDY_MAX {
        return literals;
    }
    let mut holders: HashMap<&str, usize> = HashMap::new();
    for literal in &literals {
        let mut seen = HashSet::new();
        let bounds: Vec<usize> = literal
            .char_indices()
            .map(|(i, _)| i)
            .chain([literal.len()])
            .collect();
        for (n, &from) in bounds.iter().enumerate() {
            for &to in &bounds[n + 1..] {
                if SHARED_KEY.contains(&(to - from)) && seen.insert(&literal[from..to]) {
                    *holders.entry(&literal[from..to]).or_default() += 1;
                }
            }
        }
    }
    let mut candidates: Vec<(&str, usize)> = holders.into_iter().filter(|&(_, n)| n > 1).collect();
    candidates.sort_by(|a, b| {
        b.0.len()
            .cmp(&a.0.len())
            .then(b.1.cmp(&a.1))
            .then(a.0.cmp(b.0))
    });
    let mut keys = literals;
    for (candidate, _) in candidates {
        if keys.len() <= TEDDY_MAX {
            break;
        }
        if keys.iter().filter(|k| k.contains(candidate)).count() > 1 {
            keys.retain(|k| !k.contains(candidate));
            keys.push(candidate);
        }
    }
    keys
}
