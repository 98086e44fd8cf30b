//! The suspect subgraph and the probability mass each candidate contains.
//!
//! A candidate's run fails when it contains the culprit, so what the strategy needs for
//! every candidate is the posterior mass of its ancestors. Counting ancestors one
//! candidate at a time is quadratic; instead the subgraph is walked once along a mainline
//! (the bad commit's first-parent chain, oldest first), recording for every suspect the
//! mainline step at which it becomes an ancestor. A mainline commit's mass is then a
//! prefix sum, a commit with one parent adds its own mass to its parent's, and only a
//! merge off the mainline needs a walk, which stops at everything the newest mainline
//! commit it contains already accounts for: the walk covers just its topic branch.

use super::graph::{compressed_parents, reaches, CommitGraph};

const NONE: u32 = u32::MAX;

/// Suspects numbered `0..len()` in the graph's (parents first) order, with their parents
/// and children restricted to suspects.
#[derive(Debug, Clone)]
pub(crate) struct Suspects {
    global: Vec<u32>,
    local: Vec<u32>,
    parent_start: Vec<u32>,
    parent_list: Vec<u32>,
    child_start: Vec<u32>,
    child_list: Vec<u32>,
    /// Mainline step at which each suspect becomes an ancestor of the mainline.
    step: Vec<u32>,
    /// Position on the mainline (oldest first), or `NONE`.
    mainline_position: Vec<u32>,
    mainline: Vec<u32>,
    /// Graph nodes that are ancestors (inclusive) of a good commit.
    cleared: Vec<bool>,
    first_parent: bool,
}

impl Suspects {
    /// The ancestors (inclusive) of `bad` that are not ancestors (inclusive) of any good,
    /// or, with `first_parent`, the part of bad's first-parent chain that is not.
    ///
    /// A good commit that is not an ancestor of bad still removes its ancestors, as in git.
    pub fn new(graph: &CommitGraph, good: &[usize], bad: usize, first_parent: bool) -> Self {
        let cleared = graph.mark_ancestors(good);
        let mut is_suspect = vec![false; graph.len()];
        if !cleared[bad] {
            is_suspect[bad] = true;
            let mut stack = vec![bad];
            while let Some(node) = stack.pop() {
                for &p in followed(graph, node, first_parent) {
                    let p = p as usize;
                    if !cleared[p] && !is_suspect[p] {
                        is_suspect[p] = true;
                        stack.push(p);
                    }
                }
            }
        }
        let global: Vec<u32> = (0..graph.len() as u32)
            .filter(|&n| is_suspect[n as usize])
            .collect();
        let mut local = vec![NONE; graph.len()];
        for (l, &g) in global.iter().enumerate() {
            local[g as usize] = l as u32;
        }
        let (parent_start, parent_list) = compressed_parents(&global, |g| {
            followed(graph, g as usize, first_parent)
                .iter()
                .map(|&p| local[p as usize])
                .filter(|&p| p != NONE)
        });
        let (child_start, child_list) = invert(&parent_start, &parent_list);
        let mut suspects = Self {
            global,
            local,
            parent_start,
            parent_list,
            child_start,
            child_list,
            step: Vec::new(),
            mainline_position: Vec::new(),
            mainline: Vec::new(),
            cleared,
            first_parent,
        };
        suspects.walk_mainline();
        suspects
    }

    /// Follows the first parent that is a suspect from bad (the newest suspect) down,
    /// then marks ancestors along it oldest first.
    fn walk_mainline(&mut self) {
        let len = self.len();
        if len == 0 {
            return;
        }
        let mut node = len - 1;
        let mut mainline = vec![node as u32];
        while let Some(&p) = self.parents(node).first() {
            mainline.push(p);
            node = p as usize;
        }
        mainline.reverse();
        let mut position = vec![NONE; len];
        for (i, &m) in mainline.iter().enumerate() {
            position[m as usize] = i as u32;
        }
        let mut step = vec![NONE; len];
        let mut stack = Vec::new();
        for (i, &m) in mainline.iter().enumerate() {
            step[m as usize] = i as u32;
            stack.push(m);
            while let Some(node) = stack.pop() {
                for &p in self.parents(node as usize) {
                    if step[p as usize] == NONE {
                        step[p as usize] = i as u32;
                        stack.push(p);
                    }
                }
            }
        }
        self.step = step;
        self.mainline_position = position;
        self.mainline = mainline;
    }

    pub fn len(&self) -> usize {
        self.global.len()
    }

    pub fn global(&self, local: usize) -> usize {
        self.global[local] as usize
    }

    pub fn local(&self, global: usize) -> Option<usize> {
        match self.local.get(global) {
            Some(&l) if l != NONE => Some(l as usize),
            _ => None,
        }
    }

    pub fn parents(&self, local: usize) -> &[u32] {
        &self.parent_list[self.parent_start[local] as usize..self.parent_start[local + 1] as usize]
    }

    pub fn children(&self, local: usize) -> &[u32] {
        &self.child_list[self.child_start[local] as usize..self.child_start[local + 1] as usize]
    }

    /// The suspects among the ancestors (inclusive) of any graph node, or `None` when, in
    /// first-parent mode, the node is neither on the chain nor below a good commit (its
    /// verdict would say nothing about which chain commit brought the failure in).
    pub fn contained_in(&self, graph: &CommitGraph, node: usize) -> Option<Vec<u32>> {
        if let Some(l) = self.local(node) {
            return Some(self.ancestors(l));
        }
        if self.cleared[node] {
            return Some(Vec::new());
        }
        if self.first_parent {
            return None;
        }
        let Some(&lowest) = self.global.first() else {
            return Some(Vec::new());
        };
        let lowest = lowest as usize;
        if node < lowest {
            return Some(Vec::new());
        }
        let mut seen = vec![false; node - lowest + 1];
        let mut stack = vec![node];
        seen[node - lowest] = true;
        let mut found = Vec::new();
        while let Some(n) = stack.pop() {
            if let Some(l) = self.local(n) {
                found.push(l as u32);
            }
            for &p in graph.parent_slice(n) {
                let p = p as usize;
                if p >= lowest && !seen[p - lowest] {
                    seen[p - lowest] = true;
                    stack.push(p);
                }
            }
        }
        let mut closed = Vec::new();
        for l in found {
            closed.extend(self.ancestors(l as usize));
        }
        closed.sort_unstable();
        closed.dedup();
        Some(closed)
    }

    /// The suspects among the ancestors (inclusive) of a suspect.
    pub fn ancestors(&self, local: usize) -> Vec<u32> {
        let mut seen = vec![false; local + 1];
        let mut stack = vec![local as u32];
        seen[local] = true;
        let mut found = Vec::new();
        while let Some(n) = stack.pop() {
            found.push(n);
            for &p in self.parents(n as usize) {
                if !seen[p as usize] {
                    seen[p as usize] = true;
                    stack.push(p);
                }
            }
        }
        found
    }

    /// Whether suspect `a` is an ancestor (inclusive) of suspect `b`.
    pub fn is_ancestor(&self, a: usize, b: usize) -> bool {
        reaches(a, b, |n| self.parents(n))
    }

    /// For every suspect, the total weight of its ancestors (inclusive).
    pub fn masses(&self, weight: &[f64]) -> Vec<f64> {
        let len = self.len();
        let mut per_step = vec![0.0; self.mainline.len()];
        for (node, &s) in self.step.iter().enumerate() {
            per_step[s as usize] += weight[node];
        }
        let mut mainline_mass = per_step;
        for i in 1..mainline_mass.len() {
            mainline_mass[i] += mainline_mass[i - 1];
        }
        let mut mass = vec![0.0; len];
        let mut walk = TopicWalk::new(len);
        for node in 0..len {
            let position = self.mainline_position[node];
            mass[node] = if position != NONE {
                mainline_mass[position as usize]
            } else {
                match self.parents(node) {
                    [] => weight[node],
                    [p] => mass[*p as usize] + weight[node],
                    _ => walk.mass(self, node, weight, &mainline_mass),
                }
            };
        }
        mass
    }
}

/// Scratch space for the walks from merges off the mainline.
struct TopicWalk {
    stamp: Vec<u32>,
    round: u32,
    queue: Vec<u32>,
    topic: Vec<u32>,
}

impl TopicWalk {
    fn new(len: usize) -> Self {
        Self {
            stamp: vec![0; len],
            round: 0,
            queue: Vec::new(),
            topic: Vec::new(),
        }
    }

    /// The mass of `merge`'s ancestors: that of the newest mainline commit among them,
    /// plus the ancestors that commit does not contain (those that join the mainline
    /// later). Everything that joined earlier is already counted, and so are its
    /// ancestors, so the walk stops there.
    fn mass(
        &mut self,
        suspects: &Suspects,
        merge: usize,
        weight: &[f64],
        mainline_mass: &[f64],
    ) -> f64 {
        self.round += 1;
        self.queue.clear();
        self.topic.clear();
        self.queue.push(merge as u32);
        self.stamp[merge] = self.round;
        let mut newest: Option<u32> = None;
        while let Some(node) = self.queue.pop() {
            let node = node as usize;
            let position = suspects.mainline_position[node];
            if position != NONE {
                newest = newest.max(Some(position));
                continue;
            }
            if newest.is_some_and(|n| suspects.step[node] <= n) {
                continue;
            }
            self.topic.push(node as u32);
            for &p in suspects.parents(node) {
                if self.stamp[p as usize] != self.round {
                    self.stamp[p as usize] = self.round;
                    self.queue.push(p);
                }
            }
        }
        let (base, joined_after) = match newest {
            Some(n) => (mainline_mass[n as usize], n),
            None => (0.0, 0),
        };
        let topic_mass: f64 = self
            .topic
            .iter()
            .filter(|&&t| newest.is_none() || suspects.step[t as usize] > joined_after)
            .map(|&t| weight[t as usize])
            .sum();
        base + topic_mass
    }
}

/// The parents of `node` a search walks: only the first with `first_parent`, as
/// `git bisect --first-parent` does.
fn followed(graph: &CommitGraph, node: usize, first_parent: bool) -> &[u32] {
    let parents = graph.parent_slice(node);
    if first_parent {
        &parents[..parents.len().min(1)]
    } else {
        parents
    }
}

/// Turns a parent list into a child list.
fn invert(parent_start: &[u32], parent_list: &[u32]) -> (Vec<u32>, Vec<u32>) {
    let len = parent_start.len() - 1;
    let mut count = vec![0u32; len + 1];
    for &p in parent_list {
        count[p as usize + 1] += 1;
    }
    for i in 1..=len {
        count[i] += count[i - 1];
    }
    let child_start = count.clone();
    let mut fill = count;
    let mut child_list = vec![0u32; parent_list.len()];
    for child in 0..len {
        for &p in &parent_list[parent_start[child] as usize..parent_start[child + 1] as usize] {
            child_list[fill[p as usize] as usize] = child as u32;
            fill[p as usize] += 1;
        }
    }
    (child_start, child_list)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A mainline a-b-m-n with topic t1-t2 forked at a and merged at m, a nested topic u
    /// merged into t2, and a back-merge of b into the topic at t2.
    fn sample() -> CommitGraph {
        let spec: &[(&str, &[&str])] = &[
            ("a", &[]),
            ("b", &["a"]),
            ("t1", &["a"]),
            ("u", &["t1"]),
            ("t2", &["t1", "u", "b"]),
            ("t3", &["t2"]),
            ("m", &["b", "t3"]),
            ("n", &["m"]),
        ];
        CommitGraph::from_parents(
            spec.iter()
                .map(|(id, ps)| (id.to_string(), ps.iter().map(|p| p.to_string()).collect()))
                .collect(),
        )
        .unwrap()
    }

    /// Asserts that `masses` gives each suspect the weight found by walking its ancestors
    /// one by one.
    fn assert_masses_count_ancestors(suspects: &Suspects, weight: &[f64]) {
        let counted: Vec<f64> = (0..suspects.len())
            .map(|l| {
                suspects
                    .ancestors(l)
                    .iter()
                    .map(|&a| weight[a as usize])
                    .sum()
            })
            .collect();
        assert_eq!(suspects.masses(weight), counted);
    }

    /// The commit ids of the suspects, in suspect order.
    fn ids<'g>(graph: &'g CommitGraph, suspects: &Suspects) -> Vec<&'g str> {
        (0..suspects.len())
            .map(|l| graph.id(suspects.global(l)))
            .collect()
    }

    #[test]
    fn masses_match_counting_ancestors() {
        let graph = sample();
        let bad = graph.index("n").unwrap();
        let suspects = Suspects::new(&graph, &[], bad, false);
        assert_eq!(suspects.len(), graph.len());
        let weight: Vec<f64> = (0..suspects.len())
            .map(|i| (i * i % 7 + 1) as f64)
            .collect();
        assert_masses_count_ancestors(&suspects, &weight);
    }

    #[test]
    fn goods_remove_their_ancestors() {
        let graph = sample();
        let at = |id| graph.index(id).unwrap();
        let suspects = Suspects::new(&graph, &[at("t1"), at("b")], at("n"), false);
        let mut ids = ids(&graph, &suspects);
        ids.sort_unstable();
        assert_eq!(ids, ["m", "n", "t2", "t3", "u"]);
        let weight = vec![1.0; suspects.len()];
        assert_masses_count_ancestors(&suspects, &weight);
    }

    #[test]
    fn first_parent_keeps_only_the_chain() {
        let graph = sample();
        let at = |id| graph.index(id).unwrap();
        let suspects = Suspects::new(&graph, &[at("a")], at("n"), true);
        assert_eq!(ids(&graph, &suspects), ["b", "m", "n"]);
        assert_eq!(suspects.masses(&[1.0, 1.0, 1.0]), [1.0, 2.0, 3.0]);
        assert_eq!(suspects.contained_in(&graph, at("t3")), None);
        assert_eq!(suspects.contained_in(&graph, at("a")), Some(vec![]));
    }

    #[test]
    fn a_node_outside_the_suspects_contains_the_suspects_below_it() {
        let graph = sample();
        let at = |id| graph.index(id).unwrap();
        let suspects = Suspects::new(&graph, &[at("a")], at("m"), false);
        let t3 = suspects.local(at("t3")).unwrap();
        let from_inside = suspects.contained_in(&graph, at("t3")).unwrap();
        let mut expected = suspects.ancestors(t3);
        expected.sort_unstable();
        let mut sorted = from_inside;
        sorted.sort_unstable();
        assert_eq!(sorted, expected);
        let bad_only = Suspects::new(&graph, &[at("a")], at("t3"), false);
        let contained = bad_only.contained_in(&graph, at("m")).unwrap();
        assert_eq!(contained.len(), bad_only.len());
    }
}
