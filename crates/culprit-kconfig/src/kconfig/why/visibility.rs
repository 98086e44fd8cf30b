//! What hides a symbol the request wants on: each unmet term of its dependencies with
//! the node that added it (its own `depends on`, an enclosing `if`, a menu, a choice), or
//! a prompt that is missing or shown only under a false condition.

use super::{Reason, ReasonKind};
use crate::kconfig::expr::{Expr, Tri};
use crate::kconfig::tree::{NodeId, NodeKind, PropKind, SymId};
use crate::kconfig::Evaluation;

impl Evaluation<'_> {
    pub(super) fn prompt_reasons(&mut self, id: SymId) -> Vec<Reason> {
        let tree = self.tree();
        let prompts: Vec<_> = tree.props_of(id, PropKind::Prompt).cloned().collect();
        let name = &tree.sym(id).name;
        if prompts.is_empty() {
            let at = tree
                .sym(id)
                .nodes
                .first()
                .map(|&n| tree.at(tree.node(n).loc).to_string());
            return vec![Reason {
                kind: ReasonKind::Promptless,
                message: format!(
                    "{name} has no prompt ({}): only its defaults and selects set it",
                    at.clone().unwrap_or_default()
                ),
                at,
            }];
        }
        let mut out = Vec::new();
        for p in prompts {
            let hidden = p
                .cond
                .as_ref()
                .map(|c| c.display(tree).to_string())
                .unwrap_or_default();
            out.push(Reason {
                kind: ReasonKind::PromptHidden,
                message: format!(
                    "the prompt of {name} ({}) is shown only if `{hidden}`, which is n",
                    tree.at(p.loc)
                ),
                at: Some(tree.at(p.loc).to_string()),
            });
        }
        out
    }

    /// The unmet terms of a node's dependencies, each with the node that added it.
    pub(super) fn dependency_reasons(&mut self, node: NodeId, need: Tri, out: &mut Vec<Reason>) {
        let tree = self.tree();
        let mut current = Some(node);
        let mut first = true;
        while let Some(id) = current {
            let n = tree.node(id);
            let kind = match (n.kind, first) {
                (_, true) => ReasonKind::DependsOn,
                (NodeKind::If, _) => ReasonKind::InsideIf,
                (NodeKind::Menu, _) => ReasonKind::MenuDependsOn,
                (NodeKind::Choice, _) => ReasonKind::Choice,
                _ => ReasonKind::DependsOn,
            };
            for (expr, loc) in &n.own_deps {
                for term in expr.conjuncts() {
                    let value = self.ev.eval(Some(term));
                    if value >= need {
                        continue;
                    }
                    let at = tree.at(*loc).to_string();
                    let shown = term.display(tree).to_string();
                    let how = match kind {
                        ReasonKind::InsideIf => {
                            format!("it sits inside `if {}` ({at})", expr.display(tree))
                        }
                        ReasonKind::MenuDependsOn => format!(
                            "its menu \"{}\" depends on `{shown}` ({at})",
                            n.prompt.map(|p| tree.prop(p).text.as_str()).unwrap_or("")
                        ),
                        ReasonKind::Choice => format!("its choice depends on `{shown}` ({at})"),
                        _ => format!("it depends on `{shown}` ({at})"),
                    };
                    let states = self.term_states(term);
                    out.push(Reason {
                        kind,
                        message: format!("{how}, and {states}"),
                        at: Some(at),
                    });
                }
            }
            if n.kind == NodeKind::Choice && !first {
                if let Some(choice) = n.sym {
                    if self.ev.tri(choice) == Tri::No && n.own_deps.is_empty() {
                        let at = tree.at(n.loc).to_string();
                        out.push(Reason {
                            kind: ReasonKind::Choice,
                            message: format!("it is a value of the choice at {at}, which is off"),
                            at: Some(at),
                        });
                    }
                }
            }
            first = false;
            current = n.parent;
        }
    }

    /// "A is n (set at prj.conf:4)" for the symbols of a term.
    pub(super) fn term_states(&mut self, term: &Expr) -> String {
        let mut syms = Vec::new();
        term.symbols(&mut syms);
        syms.dedup();
        let tree = self.tree();
        let parts: Vec<String> = syms
            .into_iter()
            .filter(|&s| !tree.sym(s).constant)
            .map(|s| self.describe_symbol(s))
            .collect();
        if parts.is_empty() {
            "that is false".to_owned()
        } else {
            parts.join(", ")
        }
    }
}
