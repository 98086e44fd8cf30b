//! What holds a symbol away from the requested value: modules that are off, a `select`
//! that forces it up, the other value its choice took, a range that rejects a number;
//! when it has no say at all, [`super::visibility`] tells what hides it.

use super::{needed, tri_of, Reason, ReasonKind};
use crate::kconfig::expr::{Expr, Tri};
use crate::kconfig::tree::{PropKind, SymId, Type};
use crate::kconfig::Evaluation;

impl Evaluation<'_> {
    /// The reasons `id` is not `wanted`.
    pub(crate) fn reasons_against(&mut self, id: SymId, wanted: &str) -> Vec<Reason> {
        let tree = self.tree();
        let sym = tree.sym(id);
        let mut out = Vec::new();
        self.ev.calc(id);
        let st = self.ev.state(id).clone();
        let name = sym.name.clone();
        if wanted == "m" && (sym.ty == Type::Bool || self.ev.modules_val == Tri::No) {
            out.push(Reason {
                kind: ReasonKind::NoModules,
                message: if sym.ty == Type::Bool {
                    format!("{name} is a bool, so m means y")
                } else {
                    format!(
                        "modules are off ({} is n), so m means y",
                        tree.spelling(tree.modules)
                    )
                },
                at: None,
            });
        }
        let forced_down = sym.ty.is_logic() && tri_of(wanted) < st.rev_dep;
        if forced_down {
            for mut r in self.selected_reasons(id) {
                r.message.push_str(&format!(", so it cannot be {wanted}"));
                out.push(r);
            }
            if st.dir_dep < st.rev_dep {
                // Which dependency is unmet, as kconfig's warning lists it ("Depends on
                // [n]: GUARD [=n]"): the terms below the value the select forces.
                let mut unmet = Vec::new();
                for node in sym.nodes.clone() {
                    self.dependency_reasons(node, st.rev_dep, &mut unmet);
                }
                let detail: Vec<&str> = unmet.iter().map(|r| r.message.as_str()).collect();
                out.push(Reason {
                    kind: ReasonKind::UnmetDirectDependencies,
                    message: format!(
                        "{name} is selected although its own dependencies are unmet (kconfig warns \"unmet direct dependencies\"): {}",
                        detail.join("; ")
                    ),
                    at: unmet.first().and_then(|r| r.at.clone()),
                });
            }
        }
        if let Some(choice) = sym.choice_of {
            if self.ev.state(choice).tri == Tri::Yes && st.visible == Tri::Yes {
                if let Some(sel) = self.ev.state(choice).sel.filter(|&s| s != id) {
                    let node = tree.sym(sel).nodes.first().copied();
                    out.push(Reason {
                        kind: ReasonKind::ChoiceTaken,
                        message: format!(
                            "{} is the selected value of its choice ({}), and a choice has one",
                            tree.sym(sel).name,
                            node.map(|n| tree.at(tree.node(n).loc).to_string())
                                .unwrap_or_default()
                        ),
                        at: node.map(|n| tree.at(tree.node(n).loc).to_string()),
                    });
                } else if wanted == "n" {
                    out.push(Reason {
                        kind: ReasonKind::ChoiceTaken,
                        message: format!("{name} is the selected value of its choice; set another value of the choice to y to turn it off"),
                        at: None,
                    });
                }
            }
        }
        let wants_on = tri_of(wanted) > Tri::No || !sym.ty.is_logic();
        if wants_on && st.visible < needed(sym.ty, wanted) {
            let before = out.len();
            for node in sym.nodes.clone() {
                self.dependency_reasons(node, needed(sym.ty, wanted), &mut out);
            }
            if out.len() == before {
                out.extend(self.prompt_reasons(id));
            }
        }
        if matches!(sym.ty, Type::Int | Type::Hex) && wants_on {
            if let Some((lo, hi)) = self.ev.range_prop(id) {
                let (lo_s, hi_s) = (
                    self.ev.string_value(lo).into_owned(),
                    self.ev.string_value(hi).into_owned(),
                );
                let at = tree
                    .props_of(id, PropKind::Range)
                    .next()
                    .map(|p| tree.at(p.loc).to_string());
                out.push(Reason {
                    kind: ReasonKind::Range,
                    message: format!("{wanted} is outside the range {lo_s}..{hi_s} of {name}, so kconfig drops it"),
                    at,
                });
            }
        }
        out
    }
    /// One reason per active `select` of `id`.
    pub(crate) fn selected_reasons(&mut self, id: SymId) -> Vec<Reason> {
        let name = self.tree().sym(id).name.clone();
        let mut out = Vec::new();
        for (selector, at) in self.active_selectors(id) {
            out.push(Reason {
                kind: ReasonKind::SelectedBy,
                message: format!("{} selects {name} ({at})", self.describe_symbol(selector)),
                at: Some(at),
            });
        }
        out
    }

    /// The symbols whose `select` of `id` is active, with the line of the select.
    fn active_selectors(&mut self, id: SymId) -> Vec<(SymId, String)> {
        let tree = self.tree();
        let mut out = Vec::new();
        for prop in tree.props.iter().filter(|p| p.kind == PropKind::Select) {
            if prop.expr != Some(Expr::Sym(id)) {
                continue;
            }
            let Some(owner) = tree.node(prop.node).sym else {
                continue;
            };
            let active = self.ev.tri(owner).and(self.ev.eval(prop.cond.as_ref()));
            if active != Tri::No {
                out.push((owner, tree.at(prop.loc).to_string()));
            }
        }
        out
    }
}
