//! Why a requested value did not survive, as a chain with file:line: each unmet term of
//! the direct dependencies and the node that added it (the option's own `depends on`,
//! an enclosing `if`, a `menu … depends on`, a choice), a `select` that forces a value
//! up, a range that rejects a number, a prompt that is missing or hidden, an unknown
//! name (with the nearest one that exists); and the fewest other assignments that would
//! make the request apply, checked by evaluating them.
//!
//! [`reasons`] says what holds a symbol away from the requested value, [`visibility`]
//! what hides it when it has no say, [`fix`] what else to set.

mod fix;
mod reasons;
mod visibility;

use serde::Serialize;

use super::expr::Tri;
use super::input::{Assignment, Input, Reading};
use super::tree::{SymId, Tree, Type};
use super::Evaluation;

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
        result.needs = fix::find_fix(tree, input, a, &requested, self.semantics);
        Some(result)
    }
    pub(super) fn describe_symbol(&mut self, s: SymId) -> String {
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
}

fn needed(ty: Type, wanted: &str) -> Tri {
    if ty == Type::Tristate && wanted == "y" {
        Tri::Yes
    } else {
        Tri::Mod
    }
}

pub(super) fn tri_of(value: &str) -> Tri {
    match value {
        "y" => Tri::Yes,
        "m" => Tri::Mod,
        _ => Tri::No,
    }
}

/// A request as `.config` would show it (`n` for "is not set", strings unquoted).
pub(super) fn display_request(a: &Assignment) -> String {
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

pub(super) fn same_value(ty: Type, requested: &str, got: &str) -> bool {
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
