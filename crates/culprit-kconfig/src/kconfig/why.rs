//! Why a requested value did not survive, as a chain with file:line: each unmet term of
//! the direct dependencies and the node that added it (the option's own `depends on`,
//! an enclosing `if`, a `menu … depends on`, a choice), a `select` that forces a value
//! up, a range that rejects a number, a prompt that is missing or hidden, an unknown
//! name (with the nearest one that exists); and the fewest other assignments that would
//! make the request apply, checked by evaluating them.

use serde::Serialize;

use super::eval::Evaluator;
use super::expr::{Cmp, Expr, Tri};
use super::input::{Assignment, Input, Origin, Reading};
use super::tree::{NodeId, NodeKind, PropKind, SymId, Tree, Type};
use super::{Evaluation, Semantics};

/// How many rounds of "and what does that need" the fix search follows.
const FIX_DEPTH: usize = 6;

/// One requested value that did not apply, and why.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Unapplied {
    /// `CONFIG_X`.
    pub option: String,
    pub requested: String,
    /// The effective value (`n` for not set).
    pub got: String,
    /// Where the request was written.
    pub set_at: String,
    pub reasons: Vec<Reason>,
    /// Other assignments that make the request apply, when some were found (checked by
    /// evaluating them); empty when none is needed or none was found.
    pub needs: Vec<String>,
}

#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ReasonKind {
    /// The option's own `depends on`.
    DependsOn,
    /// An enclosing `if`.
    InsideIf,
    /// An enclosing `menu` with `depends on`.
    MenuDependsOn,
    /// The option is a value of a choice that is off.
    Choice,
    /// Another value of the same choice is selected.
    ChoiceTaken,
    /// A `select` forces the value up.
    SelectedBy,
    /// A `select` forces it on although its own dependencies are unmet.
    UnmetDirectDependencies,
    /// The prompt exists but its condition (`if`, `visible if`) is false.
    PromptHidden,
    /// No prompt: only defaults and selects set it.
    Promptless,
    Range,
    /// `m` asked of a bool, or with modules off.
    NoModules,
    InvalidValue,
    UnknownSymbol,
    /// The user's value applied.
    SetByUser,
    /// A `default` gave the value.
    Default,
    /// An `imply` raised the default.
    Implied,
}

/// One link of the chain.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Reason {
    pub kind: ReasonKind,
    pub message: String,
    /// `file:line` of the Kconfig line at fault.
    pub at: Option<String>,
}

impl std::fmt::Display for Unapplied {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} requested {}, got {} (set at {})",
            self.option, self.requested, self.got, self.set_at
        )?;
        for reason in &self.reasons {
            write!(f, "\n  - {}", reason.message)?;
        }
        if !self.needs.is_empty() {
            write!(f, "\n  would apply with: {}", self.needs.join(" "))?;
        }
        Ok(())
    }
}

impl<'t> Evaluation<'t> {
    /// Every requested value (the last assignment of each option) that did not apply.
    pub fn unapplied(&mut self) -> Vec<Unapplied> {
        self.unapplied_where(|_| true)
    }

    /// Why the request for one option (name without `CONFIG_`) did not apply; `None`
    /// when it applied or was not requested. Cheaper than [`Self::unapplied`] on a full
    /// `.config`: only that option's reasons and fix are searched.
    pub fn unapplied_option(&mut self, name: &str) -> Option<Unapplied> {
        self.unapplied_where(|a| a.name == name).pop()
    }

    fn unapplied_where(&mut self, wanted: impl Fn(&Assignment) -> bool) -> Vec<Unapplied> {
        let input = self.input().clone();
        let tree = self.tree();
        let mut last: Vec<(usize, &Assignment)> = Vec::new();
        for (i, a) in input.assignments.iter().enumerate() {
            match last.iter_mut().find(|(_, b)| b.name == a.name) {
                Some(slot) => *slot = (i, a),
                None => last.push((i, a)),
            }
        }
        let readings = self.readings().to_vec();
        let mut out = Vec::new();
        for (i, a) in last.into_iter().filter(|(_, a)| wanted(a)) {
            let reading = &readings[i].1;
            if let Some(unapplied) = self.check(tree, a, reading, &input) {
                out.push(unapplied);
            }
        }
        out
    }

    fn check(
        &mut self,
        tree: &Tree,
        a: &Assignment,
        reading: &Reading,
        input: &Input,
    ) -> Option<Unapplied> {
        let requested = display_request(a);
        let mut result = Unapplied {
            option: format!("CONFIG_{}", a.name),
            requested: requested.clone(),
            got: String::new(),
            set_at: a.origin.to_string(),
            reasons: Vec::new(),
            needs: Vec::new(),
        };
        let id = match (tree.find(&a.name), reading) {
            (Some(id), _) if tree.sym(id).ty != Type::Unknown => id,
            _ => {
                result.got = "unknown".to_owned();
                let nearest = nearest_name(tree, &a.name);
                result.reasons.push(Reason {
                    kind: ReasonKind::UnknownSymbol,
                    message: match nearest {
                        Some(n) => format!(
                            "no Kconfig file defines {}; did you mean CONFIG_{n}?",
                            a.name
                        ),
                        None => format!("no Kconfig file defines {}", a.name),
                    },
                    at: None,
                });
                return Some(result);
            }
        };
        let got = self.ev.string_value(id).into_owned();
        result.got = got.clone();
        if let Reading::Invalid(why) = reading {
            result.reasons.push(Reason {
                kind: ReasonKind::InvalidValue,
                message: format!("{why}; kconfig ignores it"),
                at: None,
            });
            return Some(result);
        }
        if same_value(tree.sym(id).ty, &requested, &got) {
            return None;
        }
        result.reasons = self.reasons_against(id, &requested);
        result.needs = find_fix(tree, input, a, &requested, self.semantics);
        Some(result)
    }

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

    fn prompt_reasons(&mut self, id: SymId) -> Vec<Reason> {
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
    fn dependency_reasons(&mut self, node: NodeId, need: Tri, out: &mut Vec<Reason>) {
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
    fn term_states(&mut self, term: &Expr) -> String {
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

    fn describe_symbol(&mut self, s: SymId) -> String {
        let tree = self.tree();
        let sym = tree.sym(s);
        if sym.ty == Type::Unknown {
            return format!("{} is not defined by any Kconfig file", sym.name);
        }
        let value = self.ev.string_value(s).into_owned();
        let request = self
            .input()
            .assignments
            .iter()
            .rev()
            .find(|a| a.name == sym.name)
            .cloned();
        match request {
            Some(a) if same_value(sym.ty, &display_request(&a), &value) => {
                format!("{} is {value} (set at {})", sym.name, a.origin)
            }
            Some(a) => format!(
                "{} is {value} (requested {} at {}, not applied)",
                sym.name,
                display_request(&a),
                a.origin
            ),
            None => format!("{} is {value}", sym.name),
        }
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

fn needed(ty: Type, wanted: &str) -> Tri {
    if ty == Type::Tristate && wanted == "y" {
        Tri::Yes
    } else {
        Tri::Mod
    }
}

fn tri_of(value: &str) -> Tri {
    match value {
        "y" => Tri::Yes,
        "m" => Tri::Mod,
        _ => Tri::No,
    }
}

/// A request as `.config` would show it (`n` for "is not set", strings unquoted).
fn display_request(a: &Assignment) -> String {
    let raw = a.raw.as_str();
    if let Some(inner) = raw.strip_prefix('"') {
        let mut out = String::new();
        let mut chars = inner.chars();
        while let Some(c) = chars.next() {
            match c {
                '"' => break,
                '\\' => out.extend(chars.next()),
                _ => out.push(c),
            }
        }
        return out;
    }
    match raw.bytes().next() {
        Some(b'y') => "y".to_owned(),
        Some(b'm') => "m".to_owned(),
        Some(b'n') => "n".to_owned(),
        _ => raw.to_owned(),
    }
}

fn same_value(ty: Type, requested: &str, got: &str) -> bool {
    match ty {
        Type::Hex => {
            let strip = |s: &str| {
                s.trim_start_matches("0x")
                    .trim_start_matches("0X")
                    .trim_start_matches('0')
                    .to_ascii_lowercase()
            };
            strip(requested) == strip(got)
        }
        _ => requested == got,
    }
}

/// The defined name closest to `name` by edit distance (at most a third of its length).
fn nearest_name(tree: &Tree, name: &str) -> Option<String> {
    let limit = (name.len() / 3).max(2);
    tree.defined()
        .map(|id| &tree.sym(id).name)
        .filter(|candidate| candidate.len().abs_diff(name.len()) <= limit)
        .map(|candidate| (edit_distance(name, candidate), candidate))
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, c)| c.clone())
}

pub(super) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for j in 0..b.len() {
            let substitution = previous + usize::from(ca != b[j]);
            previous = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(row[j + 1] + 1);
        }
    }
    row[b.len()]
}

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
fn find_fix(
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
    super::evaluate(tree, &more, semantics)
}
