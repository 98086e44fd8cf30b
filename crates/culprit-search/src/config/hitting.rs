//! Minimal hitting sets: the ways to remove at least one change from every culprit set.
//!
//! They matter twice. Removing a minimal hitting set from the bad configuration is a cure;
//! and the bad configuration minus a hitting set still fails exactly when some culprit set
//! not yet found survives there, so testing each of them tells whether the search is over.

use super::changeset::ChangeSet;

/// Every minimal hitting set of `sets`, smallest first (Berge's incremental method: the
/// families here are a handful of sets of a few changes each); `None` when there would be
/// more than `limit` of them, each of which costs a build to rule out.
pub(crate) fn minimal_hitting_sets(
    sets: &[ChangeSet],
    n: usize,
    limit: usize,
) -> Option<Vec<ChangeSet>> {
    let mut hitting = vec![ChangeSet::empty(n)];
    for set in sets {
        let mut next: Vec<ChangeSet> = Vec::new();
        for h in &hitting {
            if h.intersects(set) {
                next.push(h.clone());
            } else {
                next.extend(set.iter().map(|i| {
                    let mut grown = h.clone();
                    grown.insert(i);
                    grown
                }));
            }
        }
        next.sort_by(ChangeSet::size_order);
        next.dedup();
        let mut minimal: Vec<ChangeSet> = Vec::with_capacity(next.len());
        for candidate in next {
            if !minimal.iter().any(|m| m.is_subset(&candidate)) {
                minimal.push(candidate);
            }
        }
        if minimal.len() > limit {
            return None;
        }
        hitting = minimal;
    }
    Some(hitting)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn sets(family: &[&[usize]]) -> Vec<ChangeSet> {
        family
            .iter()
            .map(|s| ChangeSet::from_indices(10, s.iter().copied()))
            .collect()
    }

    fn as_btrees(family: &[ChangeSet]) -> Vec<BTreeSet<usize>> {
        family.iter().map(ChangeSet::to_btree).collect()
    }

    #[test]
    fn no_sets_are_hit_by_the_empty_set() {
        assert_eq!(
            as_btrees(&minimal_hitting_sets(&[], 10, 8).unwrap()),
            [BTreeSet::new()]
        );
    }

    #[test]
    fn singletons_and_a_pair() {
        let hitting = minimal_hitting_sets(&sets(&[&[1], &[4, 7], &[2]]), 10, 8).unwrap();
        assert_eq!(
            as_btrees(&hitting),
            [BTreeSet::from([1, 2, 4]), BTreeSet::from([1, 2, 7])]
        );
    }

    #[test]
    fn overlapping_sets_share_a_hitter() {
        let hitting = minimal_hitting_sets(&sets(&[&[1, 2], &[2, 3]]), 10, 8).unwrap();
        assert_eq!(
            as_btrees(&hitting),
            [BTreeSet::from([2]), BTreeSet::from([1, 3])]
        );
    }

    #[test]
    fn too_many_are_refused() {
        let pairs: Vec<&[usize]> = vec![&[0, 1], &[2, 3], &[4, 5], &[6, 7]];
        assert!(minimal_hitting_sets(&sets(&pairs), 10, 8).is_none());
        assert_eq!(
            minimal_hitting_sets(&sets(&pairs), 10, 16).map(|h| h.len()),
            Some(16)
        );
    }
}
