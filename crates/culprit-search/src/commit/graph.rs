//! The commit graph the bisection searches, as listed by `git rev-list --parents`.

use std::collections::HashMap;

use thiserror::Error;

/// Why a list of commits and parents does not make a history.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum GraphError {
    #[error("commit {0} is listed twice")]
    DuplicateCommit(String),
    #[error("commit {commit} names parent {parent}, which is not listed")]
    UnknownParent { commit: String, parent: String },
    #[error("the parents of commit {0} form a cycle")]
    Cycle(String),
    #[error("too many commits for 32-bit node numbers")]
    TooLarge,
}

/// A history: nodes `0..len()` numbered so that every parent comes before its children.
///
/// Numbering parents first lets every walk towards the roots stop as soon as it passes a
/// node number, and keeps a topic branch's commits just before the merge that brought
/// them in, so "near in numbering" is close to "near in history".
#[derive(Debug, Clone)]
pub struct CommitGraph {
    ids: Vec<String>,
    index: HashMap<String, u32>,
    parent_start: Vec<u32>,
    parent_list: Vec<u32>,
}

impl CommitGraph {
    /// Builds the graph from `(commit, parents)` pairs in any order; every parent must be
    /// listed too.
    pub fn from_parents(nodes: Vec<(String, Vec<String>)>) -> Result<Self, GraphError> {
        Self::build(nodes, false)
    }

    /// Builds the graph of a range as `git rev-list --parents [--boundary] bad ^good...`
    /// lists it: parents that are not listed are dropped.
    ///
    /// Such a listing names the parents of its oldest commits without listing them; they
    /// are ancestors of a good commit, so they can never be suspects and the search does
    /// not need them.
    pub fn from_range(nodes: Vec<(String, Vec<String>)>) -> Result<Self, GraphError> {
        Self::build(nodes, true)
    }

    fn build(nodes: Vec<(String, Vec<String>)>, drop_unknown: bool) -> Result<Self, GraphError> {
        if u32::try_from(nodes.len()).is_err() {
            return Err(GraphError::TooLarge);
        }
        let mut input_index: HashMap<&str, u32> = HashMap::with_capacity(nodes.len());
        for (i, (id, _)) in nodes.iter().enumerate() {
            if input_index.insert(id.as_str(), i as u32).is_some() {
                return Err(GraphError::DuplicateCommit(id.clone()));
            }
        }
        let mut input_parents: Vec<Vec<u32>> = Vec::with_capacity(nodes.len());
        for (id, parents) in &nodes {
            let mut resolved = Vec::with_capacity(parents.len());
            for parent in parents {
                match input_index.get(parent.as_str()) {
                    Some(&p) => resolved.push(p),
                    None if drop_unknown => {}
                    None => {
                        return Err(GraphError::UnknownParent {
                            commit: id.clone(),
                            parent: parent.clone(),
                        })
                    }
                }
            }
            input_parents.push(resolved);
        }
        let order = parents_first_order(&input_parents)
            .map_err(|input| GraphError::Cycle(nodes[input as usize].0.clone()))?;

        let mut number = vec![0u32; nodes.len()];
        for (n, &input) in order.iter().enumerate() {
            number[input as usize] = n as u32;
        }
        let (parent_start, parent_list) = compressed_parents(&order, |input| {
            input_parents[input as usize]
                .iter()
                .map(|&p| number[p as usize])
        });
        let mut slots: Vec<Option<String>> = nodes.into_iter().map(|(id, _)| Some(id)).collect();
        let ids: Vec<String> = order
            .iter()
            .map(|&input| slots[input as usize].take().unwrap_or_default())
            .collect();
        let index = ids
            .iter()
            .enumerate()
            .map(|(n, id)| (id.clone(), n as u32))
            .collect();
        Ok(Self {
            ids,
            index,
            parent_start,
            parent_list,
        })
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The node number of a commit id, if listed.
    pub fn index(&self, id: &str) -> Option<usize> {
        self.index.get(id).map(|&n| n as usize)
    }

    /// The commit id of a node. Panics if `node >= len()`.
    pub fn id(&self, node: usize) -> &str {
        &self.ids[node]
    }

    /// The parents of a node, first parent first. Panics if `node >= len()`.
    pub fn parents(&self, node: usize) -> impl ExactSizeIterator<Item = usize> + '_ {
        self.parent_slice(node).iter().map(|&p| p as usize)
    }

    pub(crate) fn parent_slice(&self, node: usize) -> &[u32] {
        let start = self.parent_start[node] as usize;
        let end = self.parent_start[node + 1] as usize;
        &self.parent_list[start..end]
    }

    /// Whether `ancestor` is `descendant` or one of its ancestors.
    ///
    /// The binary uses it to warn about good commits that are not ancestors of the bad one.
    pub fn is_ancestor(&self, ancestor: usize, descendant: usize) -> bool {
        ancestor < self.len()
            && descendant < self.len()
            && reaches(ancestor, descendant, |node| self.parent_slice(node))
    }

    /// Marks every ancestor (inclusive) of `starts`.
    pub(crate) fn mark_ancestors(&self, starts: &[usize]) -> Vec<bool> {
        let mut marked = vec![false; self.len()];
        let mut stack = Vec::new();
        for &start in starts {
            if !marked[start] {
                marked[start] = true;
                stack.push(start);
            }
        }
        while let Some(node) = stack.pop() {
            for &p in self.parent_slice(node) {
                if !marked[p as usize] {
                    marked[p as usize] = true;
                    stack.push(p as usize);
                }
            }
        }
        marked
    }
}

/// The parents of the nodes of `order`, in order, as one list with a start per node
/// (node `n`'s parents are `list[start[n]..start[n + 1]]`): the layout the commit graph
/// and the suspects both keep, one allocation for all parents.
pub(crate) fn compressed_parents<I: Iterator<Item = u32>>(
    order: &[u32],
    parents: impl Fn(u32) -> I,
) -> (Vec<u32>, Vec<u32>) {
    let mut start = Vec::with_capacity(order.len() + 1);
    let mut list = Vec::new();
    start.push(0);
    for &node in order {
        list.extend(parents(node));
        start.push(list.len() as u32);
    }
    (start, list)
}

/// Whether `ancestor` is `descendant` or one of its ancestors, in a graph numbered so
/// that parents come before their children (the commit graph and the suspects both are):
/// the walk up from `descendant` never needs to look below `ancestor`, which keeps it
/// short for the near pairs a search asks about.
pub(crate) fn reaches<'g>(
    ancestor: usize,
    descendant: usize,
    parents: impl Fn(usize) -> &'g [u32],
) -> bool {
    if ancestor > descendant {
        return false;
    }
    let mut seen = vec![false; descendant - ancestor + 1];
    let mut stack = vec![descendant];
    seen[descendant - ancestor] = true;
    while let Some(node) = stack.pop() {
        if node == ancestor {
            return true;
        }
        for &p in parents(node) {
            let p = p as usize;
            if p >= ancestor && !seen[p - ancestor] {
                seen[p - ancestor] = true;
                stack.push(p);
            }
        }
    }
    false
}

/// Orders input positions so that parents come first: a depth-first walk that finishes
/// the first parent's history, then each other parent's, then the node itself. Returns the
/// input position of a node on a cycle when there is one.
fn parents_first_order(parents: &[Vec<u32>]) -> Result<Vec<u32>, u32> {
    const NEW: u8 = 0;
    const OPEN: u8 = 1;
    const DONE: u8 = 2;
    let mut state = vec![NEW; parents.len()];
    let mut order = Vec::with_capacity(parents.len());
    let mut stack: Vec<(u32, usize)> = Vec::new();
    for root in 0..parents.len() as u32 {
        if state[root as usize] != NEW {
            continue;
        }
        state[root as usize] = OPEN;
        stack.push((root, 0));
        while let Some(top) = stack.last_mut() {
            let (node, next) = *top;
            match parents[node as usize].get(next) {
                Some(&p) => {
                    top.1 += 1;
                    match state[p as usize] {
                        NEW => {
                            state[p as usize] = OPEN;
                            stack.push((p, 0));
                        }
                        OPEN => return Err(p),
                        _ => {}
                    }
                }
                None => {
                    state[node as usize] = DONE;
                    order.push(node);
                    stack.pop();
                }
            }
        }
    }
    Ok(order)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(id: &str, parents: &[&str]) -> (String, Vec<String>) {
        (
            id.to_string(),
            parents.iter().map(|p| p.to_string()).collect(),
        )
    }

    #[test]
    fn numbers_parents_before_children_whatever_the_input_order() {
        let graph = CommitGraph::from_parents(vec![
            node("m", &["b", "t"]),
            node("t", &["a"]),
            node("b", &["a"]),
            node("a", &[]),
        ])
        .unwrap();
        for n in 0..graph.len() {
            for p in graph.parents(n) {
                assert!(p < n, "parent {p} of {n}");
            }
        }
        let m = graph.index("m").unwrap();
        let parents: Vec<&str> = graph.parents(m).map(|p| graph.id(p)).collect();
        assert_eq!(parents, ["b", "t"]);
        assert_eq!(graph.id(graph.index("t").unwrap()), "t");
    }

    #[test]
    fn rejects_unknown_parents_duplicates_and_cycles() {
        assert_eq!(
            CommitGraph::from_parents(vec![node("b", &["a"])]).unwrap_err(),
            GraphError::UnknownParent {
                commit: "b".into(),
                parent: "a".into()
            }
        );
        assert_eq!(
            CommitGraph::from_parents(vec![node("a", &[]), node("a", &[])]).unwrap_err(),
            GraphError::DuplicateCommit("a".into())
        );
        assert!(matches!(
            CommitGraph::from_parents(vec![node("a", &["b"]), node("b", &["a"])]),
            Err(GraphError::Cycle(_))
        ));
    }

    #[test]
    fn a_range_drops_parents_it_does_not_list() {
        let graph = CommitGraph::from_range(vec![node("c", &["b"]), node("b", &["a"])]).unwrap();
        let b = graph.index("b").unwrap();
        assert_eq!(graph.parents(b).count(), 0);
        assert!(graph.is_ancestor(b, graph.index("c").unwrap()));
    }

    #[test]
    fn ancestry_follows_every_parent() {
        let graph = CommitGraph::from_parents(vec![
            node("a", &[]),
            node("b", &["a"]),
            node("t", &["a"]),
            node("m", &["b", "t"]),
        ])
        .unwrap();
        let at = |id| graph.index(id).unwrap();
        assert!(graph.is_ancestor(at("t"), at("m")));
        assert!(graph.is_ancestor(at("m"), at("m")));
        assert!(!graph.is_ancestor(at("t"), at("b")));
        assert!(!graph.is_ancestor(at("m"), at("a")));
    }

    #[test]
    fn a_long_chain_does_not_overflow_the_stack() {
        let n = 200_000;
        let nodes: Vec<_> = (0..n)
            .map(|i| {
                let parents = if i == 0 {
                    vec![]
                } else {
                    vec![format!("c{}", i - 1)]
                };
                (format!("c{i}"), parents)
            })
            .rev()
            .collect();
        let graph = CommitGraph::from_parents(nodes).unwrap();
        assert_eq!(graph.index("c0"), Some(0));
        assert_eq!(graph.index(&format!("c{}", n - 1)), Some(n - 1));
    }
}
