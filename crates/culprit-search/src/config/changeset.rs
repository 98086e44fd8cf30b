//! A set of change indices as a bitset: subset tests over thousands of changes are the
//! inner loop of every inference.

use std::collections::BTreeSet;

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct ChangeSet {
    words: Vec<u64>,
}

impl ChangeSet {
    pub(crate) fn empty(n: usize) -> ChangeSet {
        ChangeSet {
            words: vec![0; n.div_ceil(64)],
        }
    }

    pub(crate) fn full(n: usize) -> ChangeSet {
        let mut set = ChangeSet::empty(n);
        for i in 0..n {
            set.insert(i);
        }
        set
    }

    /// Indices must be below `n`; the caller checks input from outside.
    pub(crate) fn from_indices(n: usize, indices: impl IntoIterator<Item = usize>) -> ChangeSet {
        let mut set = ChangeSet::empty(n);
        for i in indices {
            set.insert(i);
        }
        set
    }

    pub(crate) fn insert(&mut self, i: usize) {
        self.words[i / 64] |= 1 << (i % 64);
    }

    pub(crate) fn remove(&mut self, i: usize) {
        self.words[i / 64] &= !(1 << (i % 64));
    }

    pub(crate) fn len(&self) -> usize {
        self.words.iter().map(|w| w.count_ones() as usize).sum()
    }

    pub(crate) fn is_subset(&self, other: &ChangeSet) -> bool {
        self.words
            .iter()
            .zip(&other.words)
            .all(|(a, b)| a & !b == 0)
    }

    pub(crate) fn intersects(&self, other: &ChangeSet) -> bool {
        self.words.iter().zip(&other.words).any(|(a, b)| a & b != 0)
    }

    pub(crate) fn union(&self, other: &ChangeSet) -> ChangeSet {
        self.zip_with(other, |a, b| a | b)
    }

    pub(crate) fn difference(&self, other: &ChangeSet) -> ChangeSet {
        self.zip_with(other, |a, b| a & !b)
    }

    fn zip_with(&self, other: &ChangeSet, f: impl Fn(u64, u64) -> u64) -> ChangeSet {
        ChangeSet {
            words: self
                .words
                .iter()
                .zip(&other.words)
                .map(|(&a, &b)| f(a, b))
                .collect(),
        }
    }

    /// The largest index in `self` but not in `minus`.
    pub(crate) fn max_outside(&self, minus: &ChangeSet) -> Option<usize> {
        self.words
            .iter()
            .zip(&minus.words)
            .enumerate()
            .rev()
            .find_map(|(w, (&a, &b))| {
                let bits = a & !b;
                (bits != 0).then(|| w * 64 + 63 - bits.leading_zeros() as usize)
            })
    }

    /// The smallest index in `self` but in neither `minus1` nor `minus2`.
    pub(crate) fn min_outside(&self, minus1: &ChangeSet, minus2: &ChangeSet) -> Option<usize> {
        self.words
            .iter()
            .zip(minus1.words.iter().zip(&minus2.words))
            .enumerate()
            .find_map(|(w, (&a, (&b, &c)))| {
                let bits = a & !b & !c;
                (bits != 0).then(|| w * 64 + bits.trailing_zeros() as usize)
            })
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        self.words.iter().enumerate().flat_map(|(w, &word)| {
            (0..64)
                .filter(move |bit| word & (1 << bit) != 0)
                .map(move |bit| w * 64 + bit)
        })
    }

    pub(crate) fn to_btree(&self) -> BTreeSet<usize> {
        self.iter().collect()
    }

    /// Smaller sets first, then by content: the order in which equally useful sets are
    /// tried, fixed so that a replayed session asks for the same builds.
    pub(crate) fn size_order(&self, other: &ChangeSet) -> std::cmp::Ordering {
        self.len()
            .cmp(&other.len())
            .then_with(|| self.iter().cmp(other.iter()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bit_operations_agree_with_btreeset() {
        let a = ChangeSet::from_indices(130, [0, 63, 64, 129]);
        let b = ChangeSet::from_indices(130, [63, 129]);
        assert!(b.is_subset(&a) && !a.is_subset(&b));
        assert_eq!(a.len(), 4);
        assert_eq!(a.difference(&b).to_btree(), BTreeSet::from([0, 64]));
        assert_eq!(a.max_outside(&b), Some(64));
        assert_eq!(
            a.min_outside(&b, &ChangeSet::from_indices(130, [0])),
            Some(64)
        );
        assert_eq!(b.max_outside(&a), None);
        assert!(a.intersects(&b));
        assert_eq!(ChangeSet::full(130).len(), 130);
        assert_eq!(
            b.size_order(&ChangeSet::from_indices(130, [1, 2])),
            std::cmp::Ordering::Greater
        );
    }
}
