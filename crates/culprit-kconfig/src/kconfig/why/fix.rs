//! The fewest other assignments that would make a request apply: suggested from the
//! unmet dependencies, followed a few rounds deep, then pruned, and each set checked by
//! evaluating the configuration with it.

use super::{same_value, tri_of};
use crate::kconfig::eval::Evaluator;
use crate::kconfig::expr::{Cmp, Expr, Tri};
use crate::kconfig::input::{Assignment, Input, Origin};
use crate::kconfig::tree::{SymId, Tree};
use crate::kconfig::{Evaluation, Semantics};

/// How many rounds of "and what does that need" the fix search follows.
const FIX_DEPTH: usize = 6;

/// Assignments that would make the term true, where a simple one exists.
fn suggestions(
    term: &Expr,
    tree: &Tree,
    ev: &mut Evaluator<'_>,
    out: &mut Vec<(SymId, &'static str)>,
) {
    match term {
        Expr::Sym(s) if !tree.sym(*s).constant => out.push((*s, "y")),
        Expr::Not(inner) => {
            if let Expr::Sym(s) = inner.as_ref() {
                out.push((*s, "n"));
            }
        }
        Expr::Cmp(Cmp::Equal, s, v) if *v == tree.yes() => out.push((*s, "y")),
        Expr::Cmp(Cmp::Equal, s, v) if *v == tree.no() => out.push((*s, "n")),
        Expr::Cmp(Cmp::Unequal, s, v) if *v == tree.no() => out.push((*s, "y")),
        Expr::And(a, b) => {
            for side in [a, b] {
                if ev.eval(Some(side)) == Tri::No {
                    suggestions(side, tree, ev, out);
                }
            }
        }
        Expr::Or(a, _) => suggestions(a, tree, ev, out),
        _ => {}
    }
}

/// The fewest extra assignments (found greedily, then pruned) under which `a` applies.
pub(super) fn find_fix(
    tree: &Tree,
    input: &Input,
    a: &Assignment,
    requested: &str,
    semantics: Semantics,
) -> Vec<String> {
    let Some(target) = tree.find(&a.name) else {
        return Vec::new();
    };
    let mut extra: Vec<(SymId, &'static str)> = Vec::new();
    for _ in 0..FIX_DEPTH {
        let mut evaluation = evaluate_with(tree, input, &extra, a, semantics);
        if applies(&mut evaluation, target, requested) {
            return prune(tree, input, extra, a, target, requested, semantics);
        }
        let mut wanted: Vec<SymId> = vec![target];
        wanted.extend(extra.iter().map(|(s, _)| *s));
        let mut new = Vec::new();
        for s in wanted {
            let (visible, value) = (evaluation.visibility(s), evaluation.ev.tri(s));
            let want = if s == target {
                tri_of(requested)
            } else {
                extra
                    .iter()
                    .find(|(e, _)| *e == s)
                    .map_or(Tri::Yes, |(_, v)| tri_of(v))
            };
            if (want == Tri::No && value == Tri::No) || (want != Tri::No && visible != Tri::No) {
                continue;
            }
            for node in tree.sym(s).nodes.clone() {
                let mut current = Some(node);
                while let Some(id) = current {
                    for (expr, _) in &tree.node(id).own_deps {
                        if evaluation.ev.eval(Some(expr)) == Tri::No {
                            suggestions(expr, tree, &mut evaluation.ev, &mut new);
                        }
                    }
                    current = tree.node(id).parent;
                }
            }
        }
        new.retain(|(s, _)| *s != target && !extra.iter().any(|(e, _)| e == s));
        new.dedup();
        if new.is_empty() {
            return Vec::new();
        }
        extra.extend(new);
    }
    Vec::new()
}

fn prune(
    tree: &Tree,
    input: &Input,
    mut extra: Vec<(SymId, &'static str)>,
    a: &Assignment,
    target: SymId,
    requested: &str,
    semantics: Semantics,
) -> Vec<String> {
    let mut i = 0;
    while i < extra.len() {
        let mut fewer = extra.clone();
        fewer.remove(i);
        if applies(
            &mut evaluate_with(tree, input, &fewer, a, semantics),
            target,
            requested,
        ) {
            extra = fewer;
        } else {
            i += 1;
        }
    }
    extra
        .iter()
        .map(|(s, v)| format!("CONFIG_{}={v}", tree.sym(*s).name))
        .collect()
}

fn applies(evaluation: &mut Evaluation<'_>, target: SymId, requested: &str) -> bool {
    let ty = evaluation.tree().sym(target).ty;
    let got = evaluation.ev.string_value(target).into_owned();
    same_value(ty, requested, &got)
}

fn evaluate_with<'t>(
    tree: &'t Tree,
    input: &Input,
    extra: &[(SymId, &'static str)],
    a: &Assignment,
    semantics: Semantics,
) -> Evaluation<'t> {
    let mut more = input.clone();
    for (s, v) in extra {
        more.assignments.push(Assignment {
            name: tree.sym(*s).name.clone(),
            raw: (*v).to_owned(),
            origin: Origin {
                file: "(suggested)".to_owned(),
                line: 0,
            },
        });
    }
    more.assignments.push(a.clone());
    crate::kconfig::evaluate(tree, &more, semantics)
}
