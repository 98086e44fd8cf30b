//! `culprit kconfig why` and `culprit kconfig diff`: where one value came from, and which
//! requested change caused which dependent change between two configurations.

use serde::Serialize;

use super::expr::{Expr, Tri};
use super::tree::{PropKind, SymId, Tree, Type};
use super::why::{Reason, ReasonKind};
use super::Evaluation;

/// One option's value and the chain that gave it.
#[derive(Debug, Clone, Serialize)]
pub struct Explanation {
    pub option: String,
    pub value: String,
    /// Where the option is defined.
    pub defined_at: Vec<String>,
    pub reasons: Vec<Reason>,
}

impl std::fmt::Display for Explanation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}={} (defined at {})",
            self.option,
            self.value,
            self.defined_at.join(", ")
        )?;
        for reason in &self.reasons {
            write!(f, "\n  - {}", reason.message)?;
        }
        Ok(())
    }
}

/// One option whose effective value differs between two configurations.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct EffectiveChange {
    pub option: String,
    pub before: String,
    pub after: String,
    /// Where the second configuration asks for the change, if it does.
    pub requested_at: Option<String>,
    /// Where the first configuration asked for the old value, when the second no
    /// longer does.
    pub dropped_at: Option<String>,
    /// The requested changes this one follows from (`CONFIG_X`), when it was not asked for.
    pub caused_by: Vec<String>,
}

fn reason(kind: ReasonKind, message: String, at: Option<String>) -> Reason {
    Reason { kind, message, at }
}

impl<'t> Evaluation<'t> {
    /// Why `name` (with or without `CONFIG_`) has its value; `None` for an unknown name.
    pub fn explain(&mut self, name: &str) -> Option<Explanation> {
        let name = name.strip_prefix("CONFIG_").unwrap_or(name);
        let tree = self.tree();
        let id = tree
            .find(name)
            .filter(|&id| tree.sym(id).ty != Type::Unknown)?;
        let value = self.ev.string_value(id).into_owned();
        let defined_at = tree
            .sym(id)
            .nodes
            .iter()
            .map(|&n| tree.at(tree.node(n).loc).to_string())
            .collect();
        let mut reasons = Vec::new();
        let request = self
            .input()
            .assignments
            .iter()
            .rev()
            .find(|a| a.name == name)
            .cloned();
        if let Some(a) = &request {
            match self
                .unapplied()
                .into_iter()
                .find(|u| u.option == format!("CONFIG_{name}"))
            {
                Some(u) => reasons.extend(u.reasons),
                None => reasons.push(reason(
                    ReasonKind::SetByUser,
                    format!("set to {value} at {}", a.origin),
                    Some(a.origin.to_string()),
                )),
            }
        } else {
            reasons.extend(self.value_sources(id, &value));
        }
        Some(Explanation {
            option: format!("CONFIG_{name}"),
            value,
            defined_at,
            reasons,
        })
    }

    /// Where a value nobody asked for comes from: a select, an imply, a default, or
    /// nothing (and then why the user could not set it either).
    fn value_sources(&mut self, id: SymId, value: &str) -> Vec<Reason> {
        let tree = self.tree();
        let mut out = Vec::new();
        let st = self.ev.state(id).clone();
        if tree.sym(id).ty.is_logic() && st.rev_dep != Tri::No {
            out.extend(self.selected_reasons(id));
        }
        if tree.sym(id).ty.is_logic() && st.implied != Tri::No {
            for prop in tree
                .props
                .iter()
                .filter(|p| p.kind == PropKind::Imply && p.expr == Some(Expr::Sym(id)))
            {
                if let Some(owner) = tree.node(prop.node).sym {
                    if self.ev.tri(owner).and(self.ev.eval(prop.cond.as_ref())) != Tri::No {
                        out.push(reason(
                            ReasonKind::Implied,
                            format!(
                                "implied by CONFIG_{} ({})",
                                tree.sym(owner).name,
                                tree.at(prop.loc)
                            ),
                            Some(tree.at(prop.loc).to_string()),
                        ));
                    }
                }
            }
        }
        if let Some(choice) = tree.sym(id).choice_of {
            if self.ev.state(choice).sel == Some(id) {
                out.push(reason(
                    ReasonKind::ChoiceTaken,
                    "the selected value of its choice".to_owned(),
                    None,
                ));
            }
        }
        let default = tree
            .props_of(id, PropKind::Default)
            .find(|p| self.ev.eval(p.cond.as_ref()) != Tri::No)
            .cloned();
        match default {
            Some(p) if out.is_empty() => {
                let expr = p
                    .expr
                    .as_ref()
                    .map(|e| e.display(tree).to_string())
                    .unwrap_or_default();
                let cond = p
                    .own_cond
                    .as_ref()
                    .map(|c| format!(" if {}", c.display(tree)))
                    .unwrap_or_default();
                out.push(reason(
                    ReasonKind::Default,
                    format!("default {expr}{cond} ({})", tree.at(p.loc)),
                    Some(tree.at(p.loc).to_string()),
                ));
            }
            None if out.is_empty() => out.push(reason(
                ReasonKind::Default,
                format!("no default applies, so it is {value}"),
                None,
            )),
            _ => {}
        }
        if st.visible == Tri::No {
            let wanted = if tree.sym(id).ty.is_logic() {
                "y"
            } else {
                value
            };
            out.extend(self.reasons_against(id, wanted));
        }
        out
    }
}

/// The effective difference from `a` to `b`, with each dependent change attributed to
/// the requested changes it follows from.
pub fn effective_diff(a: &mut Evaluation<'_>, b: &mut Evaluation<'_>) -> Vec<EffectiveChange> {
    let tree = b.tree();
    let mut changed: Vec<SymId> = Vec::new();
    for id in tree.defined() {
        a.ev.calc(id);
        b.ev.calc(id);
        let written = (a.ev.state(id).write, b.ev.state(id).write);
        let (va, vb) = (
            a.ev.string_value(id).into_owned(),
            b.ev.string_value(id).into_owned(),
        );
        if va != vb || written.0 != written.1 {
            changed.push(id);
        }
    }
    let requested = |e: &Evaluation<'_>, name: &str| {
        e.input()
            .assignments
            .iter()
            .rev()
            .find(|x| x.name == name)
            .map(|x| (x.raw.clone(), x.origin.to_string()))
    };
    let mut asked: Vec<SymId> = Vec::new();
    let mut out = Vec::new();
    for &id in &changed {
        let name = &tree.sym(id).name;
        let (ra, rb) = (requested(a, name), requested(b, name));
        let requested_at = match (&ra, &rb) {
            (ra, Some((raw, at))) if ra.as_ref().map(|r| &r.0) != Some(raw) => Some(at.clone()),
            _ => None,
        };
        let dropped_at = match (&ra, &rb) {
            (Some((_, at)), None) => Some(at.clone()),
            _ => None,
        };
        if requested_at.is_some() || dropped_at.is_some() {
            asked.push(id);
        }
        out.push(EffectiveChange {
            option: format!("CONFIG_{name}"),
            before: shown(a, id),
            after: shown(b, id),
            requested_at,
            dropped_at,
            caused_by: Vec::new(),
        });
    }
    for (i, &id) in changed.iter().enumerate() {
        if !asked.contains(&id) {
            out[i].caused_by = roots(tree, id, &changed, &asked);
        }
    }
    out
}

fn shown(e: &mut Evaluation<'_>, id: SymId) -> String {
    if e.ev.state(id).write {
        e.ev.string_value(id).into_owned()
    } else {
        "absent".to_owned()
    }
}

/// The symbols a symbol's value is computed from.
fn inputs_of(tree: &Tree, id: SymId) -> Vec<SymId> {
    let sym = tree.sym(id);
    let mut out = Vec::new();
    for e in [&sym.dir_dep, &sym.rev_dep, &sym.implied]
        .into_iter()
        .flatten()
    {
        e.symbols(&mut out);
    }
    for &p in &sym.props {
        let prop = tree.prop(p);
        if prop.kind != PropKind::Select && prop.kind != PropKind::Imply {
            for e in [&prop.expr, &prop.cond].into_iter().flatten() {
                e.symbols(&mut out);
            }
        }
    }
    if let Some(choice) = sym.choice_of {
        out.extend(tree.sym(choice).values.iter().copied());
    }
    out
}

/// The requested changes reachable from `id` through changed symbols.
fn roots(tree: &Tree, id: SymId, changed: &[SymId], asked: &[SymId]) -> Vec<String> {
    let mut seen = vec![id];
    let mut queue = vec![id];
    let mut found = Vec::new();
    while let Some(s) = queue.pop() {
        for input in inputs_of(tree, s) {
            if seen.contains(&input) || !changed.contains(&input) {
                continue;
            }
            seen.push(input);
            if asked.contains(&input) {
                found.push(format!("CONFIG_{}", tree.sym(input).name));
            } else {
                queue.push(input);
            }
        }
    }
    found.sort();
    found
}
