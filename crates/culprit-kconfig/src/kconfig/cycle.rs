//! kconfig's `sym_check_deps`: a symbol whose value needs its own value (through
//! `depends on`, `select`, `imply`, a default or a prompt condition) is an error of the
//! tree, reported with the whole cycle, each step at its file:line, as kconfig's
//! "recursive dependency detected!" does.
//!
//! A choice and its values are checked as one group, as kconfig does: a value may
//! depend on its choice (every value does), but the choice's own dependencies may not
//! reach a value, nor may one value reach another value of the same choice.
//!
//! The walk is iterative, so a deep chain of dependencies cannot overflow the stack.

use super::error::KconfigError;
use super::expr::Expr;
use super::tree::{Loc, PropId, PropKind, SymId, Tree};

/// Why one symbol's value reads another's.
#[derive(Debug, Clone, Copy)]
enum Via {
    /// The symbol's direct dependencies (its `depends on`, an enclosing `if` or menu).
    DependsOn,
    /// Its reverse dependencies: `to` (or a condition on it) selects it.
    SelectedBy,
    /// Its weak reverse dependencies: `to` implies it.
    ImpliedBy,
    /// The value of one of its defaults.
    DefaultValue(PropId),
    /// The condition of one of its prompts, defaults or ranges.
    Condition(PropId),
}

#[derive(Debug, Clone, Copy)]
struct Edge {
    from: SymId,
    to: SymId,
    via: Via,
}

/// Fails with the first dependency cycle found, walking the symbols in definition order.
pub fn check(tree: &Tree) -> Result<(), KconfigError> {
    let count = tree.symbols.len();
    // 0: not visited, 1: on the walk's path, 2: done.
    let mut state = vec![0u8; count];
    for start in tree.symbol_ids() {
        let start = group(tree, start);
        if state[start.0 as usize] != 0 || tree.sym(start).constant {
            continue;
        }
        if let Some(cycle) = walk(tree, start, &mut state) {
            return Err(report(tree, &cycle));
        }
    }
    Ok(())
}

/// A choice value is checked with its choice.
fn group(tree: &Tree, sym: SymId) -> SymId {
    tree.sym(sym).choice_of.unwrap_or(sym)
}

struct Frame {
    group: SymId,
    edges: Vec<Edge>,
    next: usize,
}

/// Depth-first from `start`; the cycle's edges when one closes.
fn walk(tree: &Tree, start: SymId, state: &mut [u8]) -> Option<Vec<Edge>> {
    let mut path = vec![enter(tree, start, state)];
    while let Some(top) = path.last_mut() {
        let Some(&edge) = top.edges.get(top.next) else {
            state[top.group.0 as usize] = 2;
            path.pop();
            continue;
        };
        top.next += 1;
        let target = group(tree, edge.to);
        match state[target.0 as usize] {
            0 => {
                let frame = enter(tree, target, state);
                path.push(frame);
            }
            1 => {
                let at = path.iter().position(|f| f.group == target)?;
                // While a group's values are checked, its choice is done: a value (or
                // what it depends on) may read the choice's mode.
                let checking_values = path[at].edges[path[at].next - 1].from != target;
                if edge.to == target && checking_values {
                    continue;
                }
                return Some(path[at..].iter().map(|f| f.edges[f.next - 1]).collect());
            }
            _ => {}
        }
    }
    None
}

fn enter(tree: &Tree, group: SymId, state: &mut [u8]) -> Frame {
    state[group.0 as usize] = 1;
    let mut edges = Vec::new();
    edges_of(tree, group, &mut edges);
    for &value in &tree.sym(group).values {
        edges_of(tree, value, &mut edges);
    }
    Frame {
        group,
        edges,
        next: 0,
    }
}

/// What `sym`'s value reads, as kconfig's `sym_check_sym_deps` looks at it.
fn edges_of(tree: &Tree, sym: SymId, out: &mut Vec<Edge>) {
    let s = tree.sym(sym);
    let mut add = |e: Option<&Expr>, via: Via| {
        let mut read = Vec::new();
        if let Some(e) = e {
            e.symbols(&mut read);
        }
        read.sort();
        read.dedup();
        out.extend(
            read.into_iter()
                .filter(|&to| !tree.sym(to).constant)
                .map(|to| Edge { from: sym, to, via }),
        );
    };
    add(s.dir_dep.as_ref(), Via::DependsOn);
    if s.choice {
        for &node in &s.nodes {
            add(tree.node(node).dep.as_ref(), Via::DependsOn);
        }
    }
    // A choice's reverse dependency is its own prompt's condition (a choice that can be
    // shown is at least m): the prompt names those symbols better.
    if !s.choice {
        add(s.rev_dep.as_ref(), Via::SelectedBy);
    }
    add(s.implied.as_ref(), Via::ImpliedBy);
    for &p in &s.props {
        let prop = tree.prop(p);
        if matches!(prop.kind, PropKind::Select | PropKind::Imply) {
            continue;
        }
        add(prop.cond.as_ref(), Via::Condition(p));
        if prop.kind == PropKind::Default && !s.choice {
            add(prop.expr.as_ref(), Via::DefaultValue(p));
        }
    }
}

fn report(tree: &Tree, cycle: &[Edge]) -> KconfigError {
    let mut steps = Vec::new();
    for (i, edge) in cycle.iter().enumerate() {
        steps.push(describe(tree, edge));
        // Between two steps through one choice group, the group itself is a step.
        let next = cycle[(i + 1) % cycle.len()].from;
        if next != edge.to {
            if let Some(choice) = tree.sym(edge.to).choice_of.or(tree.sym(next).choice_of) {
                let at = tree.sym(choice).nodes.first().map(|&n| tree.node(n).loc);
                let (to, next) = (name(tree, edge.to), name(tree, next));
                let link = if to == name(tree, choice) {
                    format!("{next} is a value of {to}")
                } else if next == name(tree, choice) {
                    format!("{to} is a value of {next}")
                } else {
                    format!("{to} and {next} are values of one choice")
                };
                steps.push(format!("{}: {link}", place(tree, at)));
            }
        }
    }
    let (file, line) = split(tree, first_loc(tree, &cycle[0]));
    KconfigError::RecursiveDependency {
        file,
        line,
        cycle: steps,
    }
}

fn describe(tree: &Tree, edge: &Edge) -> String {
    let (from, to) = (name(tree, edge.from), name(tree, edge.to));
    let at = place(tree, first_loc(tree, edge));
    match edge.via {
        Via::DependsOn => format!("{at}: {from} depends on {to}"),
        Via::SelectedBy => format!("{at}: {from} is selected by {to}"),
        Via::ImpliedBy => format!("{at}: {from} is implied by {to}"),
        Via::DefaultValue(_) => format!("{at}: {from}'s default value contains {to}"),
        Via::Condition(p) => {
            let what = match tree.prop(p).kind {
                PropKind::Prompt => "prompt",
                PropKind::Default => "default",
                _ => "range",
            };
            format!("{at}: {from}'s {what} is visible depending on {to}")
        }
    }
}

/// Where the step is written: the property, the `depends on` line (or enclosing `if`
/// or menu) naming the symbol, or the `select`/`imply` that targets it.
fn first_loc(tree: &Tree, edge: &Edge) -> Option<Loc> {
    match edge.via {
        Via::DefaultValue(p) | Via::Condition(p) => Some(tree.prop(p).loc),
        Via::DependsOn => tree.sym(edge.from).nodes.iter().find_map(|&node| {
            let mut at = Some(node);
            while let Some(n) = at {
                let n = tree.node(n);
                if let Some((_, loc)) = n.own_deps.iter().find(|(e, _)| e.contains(edge.to)) {
                    return Some(*loc);
                }
                at = n.parent;
            }
            None
        }),
        Via::SelectedBy | Via::ImpliedBy => {
            let kind = match edge.via {
                Via::SelectedBy => PropKind::Select,
                _ => PropKind::Imply,
            };
            tree.props
                .iter()
                .find(|p| {
                    p.kind == kind
                        && p.expr == Some(Expr::Sym(edge.from))
                        && (tree.node(p.node).sym == Some(edge.to)
                            || p.cond.as_ref().is_some_and(|c| c.contains(edge.to)))
                })
                .map(|p| p.loc)
        }
    }
    .or_else(|| tree.sym(edge.from).nodes.first().map(|&n| tree.node(n).loc))
}

fn name(tree: &Tree, sym: SymId) -> String {
    let s = tree.sym(sym);
    match (s.choice, s.name.is_empty()) {
        (true, true) => "<choice>".to_owned(),
        (true, false) => format!("choice {}", s.name),
        _ => format!("symbol {}", s.name),
    }
}

fn place(tree: &Tree, loc: Option<Loc>) -> String {
    let (file, line) = split(tree, loc);
    format!("{file}:{line}")
}

fn split(tree: &Tree, loc: Option<Loc>) -> (String, usize) {
    match loc {
        Some(loc) => (
            tree.files
                .get(loc.file as usize)
                .cloned()
                .unwrap_or_default(),
            loc.line as usize,
        ),
        None => (String::new(), 0),
    }
}
