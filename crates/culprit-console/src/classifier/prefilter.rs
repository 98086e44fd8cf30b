//! The SIMD prefilter: a few Teddy searches stride through each chunk for the literals of
//! every pack, so that only the few lines they flag get the full Aho-Corasick scan.

use aho_corasick::packed::Searcher;

/// Teddy searches that together find every literal, for lines that hold none
/// to skip the automaton. Teddy keys on as many leading bytes of each literal
/// as the shortest has (at most 4), and with a key of 3 bytes or fewer common
/// text matches so often that its checks cost more than the automaton's walk;
/// it also declines more than 64 literals. So the literals shorter than 4
/// bytes get a search of their own, and the rest are cut to those that hold
/// no other literal (a line holding the longer one holds the shorter) and
/// split into groups small enough for Teddy's narrow (slim) form.
pub(super) struct Prefilter {
    pub(super) searchers: Vec<Searcher>,
}

/// The literals per Teddy search (it builds for at most 64): past 32 it takes
/// its wide (fat) form, which measured no faster on the real logs.
const PREFILTER_GROUP: usize = 32;
/// The key length past which Teddy's hits on ordinary text become rare.
const PREFILTER_KEY: usize = 4;

impl Prefilter {
    pub(super) fn new(literals: &[String]) -> Option<Prefilter> {
        let holds_another = |l: &String| literals.iter().any(|k| k != l && l.contains(k.as_str()));
        let (short, long): (Vec<&String>, Vec<&String>) = literals
            .iter()
            .filter(|l| !holds_another(l))
            .partition(|l| l.len() < PREFILTER_KEY);
        let mut groups: Vec<Vec<&String>> = long
            .chunks(PREFILTER_GROUP)
            .map(<[&String]>::to_vec)
            .collect();
        if !short.is_empty() {
            groups.push(short);
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
}
