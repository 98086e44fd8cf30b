//! Symbol values as kconfig's `sym_calc_value` computes them: visibility from prompts,
//! direct and reverse dependencies, user values within what they allow, defaults in
//! order, `imply`, choices and their mode, ranges, and `modules` turning `m` into `y`.
//!
//! Values are computed lazily and cached, like kconfig's, so that a value kconfig
//! computes from a stale neighbour (it happens after an out-of-range user value is
//! dropped) comes out the same.

use std::borrow::Cow;
use std::cmp::Ordering;

use super::expr::{Expr, Tri};
use super::number::{strto, strtoll, valid_hex, valid_int};
use super::tree::{PropKind, SymId, Tree, Type};

#[derive(Debug, Clone)]
pub(crate) struct SymState {
    valid: bool,
    pub tri: Tri,
    pub val: String,
    /// A choice's selected value.
    pub sel: Option<SymId>,
    pub visible: Tri,
    pub dir_dep: Tri,
    pub rev_dep: Tri,
    pub implied: Tri,
    /// Whether `.config` lists the symbol.
    pub write: bool,
    pub has_user: bool,
    pub user_tri: Tri,
    pub user_val: Option<String>,
    pub user_choice: Option<SymId>,
}

impl SymState {
    fn new() -> SymState {
        SymState {
            valid: false,
            tri: Tri::No,
            val: String::new(),
            sel: None,
            visible: Tri::No,
            dir_dep: Tri::Yes,
            rev_dep: Tri::No,
            implied: Tri::No,
            write: false,
            has_user: false,
            user_tri: Tri::No,
            user_val: None,
            user_choice: None,
        }
    }
}

/// The evaluation state of every symbol of a tree.
pub struct Evaluator<'t> {
    pub(crate) tree: &'t Tree,
    pub(crate) st: Vec<SymState>,
    pub(crate) modules_val: Tri,
    /// "unmet direct dependencies" warnings, as kconfig prints them.
    pub(crate) unmet: Vec<SymId>,
}

impl<'t> Evaluator<'t> {
    pub fn new(tree: &'t Tree) -> Evaluator<'t> {
        let mut st = vec![SymState::new(); tree.symbols.len()];
        for id in tree.symbol_ids() {
            let s = &mut st[id.0 as usize];
            if let Some(tri) = tree.constant_tri(id) {
                s.tri = tri;
                s.val = tri.letter().to_owned();
                s.valid = true;
            } else if tree.sym(id).constant {
                s.val = tree.sym(id).name.clone();
                s.valid = true;
            }
        }
        Evaluator {
            tree,
            st,
            modules_val: Tri::No,
            unmet: Vec::new(),
        }
    }

    pub(crate) fn state(&self, id: SymId) -> &SymState {
        &self.st[id.0 as usize]
    }

    pub(crate) fn state_mut(&mut self, id: SymId) -> &mut SymState {
        &mut self.st[id.0 as usize]
    }

    pub(crate) fn invalidate(&mut self, id: SymId) {
        if !self.tree.sym(id).constant {
            self.st[id.0 as usize].valid = false;
        }
    }

    pub(crate) fn invalidate_all(&mut self) {
        for id in self.tree.symbol_ids() {
            self.invalidate(id);
        }
    }

    /// kconfig's `sym_get_type`: a tristate is a bool when modules are off, or when it is
    /// a value of a choice in `y` mode.
    pub(crate) fn effective_type(&self, id: SymId) -> Type {
        let sym = self.tree.sym(id);
        if sym.ty == Type::Tristate
            && ((sym.choice_of.is_some() && self.state(id).visible == Tri::Yes)
                || self.modules_val == Tri::No)
        {
            return Type::Bool;
        }
        sym.ty
    }

    pub fn tri(&mut self, id: SymId) -> Tri {
        self.calc(id);
        self.state(id).tri
    }

    /// The value as `.config` spells it (`y`/`m`/`n` for bool and tristate).
    pub fn string_value(&mut self, id: SymId) -> Cow<'_, str> {
        self.calc(id);
        let sym = self.tree.sym(id);
        if sym.ty.is_logic() {
            Cow::Borrowed(self.state(id).tri.letter())
        } else {
            Cow::Borrowed(self.state(id).val.as_str())
        }
    }

    pub fn eval(&mut self, e: Option<&Expr>) -> Tri {
        match e {
            None => Tri::Yes,
            Some(e) => self.eval_expr(e),
        }
    }

    fn eval_expr(&mut self, e: &Expr) -> Tri {
        match e {
            Expr::Sym(s) => self.tri(*s),
            Expr::Not(inner) => self.eval_expr(inner).negate(),
            Expr::And(a, b) => {
                let a = self.eval_expr(a);
                let b = self.eval_expr(b);
                a.and(b)
            }
            Expr::Or(a, b) => {
                let a = self.eval_expr(a);
                let b = self.eval_expr(b);
                a.or(b)
            }
            Expr::Cmp(op, a, b) => {
                if op.holds(self.compare(*a, *b)) {
                    Tri::Yes
                } else {
                    Tri::No
                }
            }
        }
    }

    /// kconfig's comparison: numerically when both sides read as numbers of their types,
    /// as strings otherwise.
    fn compare(&mut self, a: SymId, b: SymId) -> Ordering {
        let left = self.string_value(a).into_owned();
        let right = self.string_value(b).into_owned();
        let (ta, tb) = (self.tree.sym(a).ty, self.tree.sym(b).ty);
        if ta == Type::String && tb == Type::String {
            return left.as_bytes().cmp(right.as_bytes());
        }
        match (number_kind(&left, ta), number_kind(&right, tb)) {
            (Number::Text, _) | (_, Number::Text) => left.as_bytes().cmp(right.as_bytes()),
            (l @ Number::Unsigned(_), r) | (l, r @ Number::Unsigned(_)) => l.bits().cmp(&r.bits()),
            (Number::Signed(l), Number::Signed(r)) => l.cmp(&r),
        }
    }

    fn default_prop(&mut self, id: SymId) -> Option<(Option<&'t Expr>, Tri)> {
        let tree: &'t Tree = self.tree;
        for prop in tree.props_of(id, PropKind::Default) {
            let visible = self.eval(prop.cond.as_ref());
            if visible != Tri::No {
                return Some((prop.expr.as_ref(), visible));
            }
        }
        None
    }

    pub(crate) fn range_prop(&mut self, id: SymId) -> Option<(SymId, SymId)> {
        let tree = self.tree;
        for prop in tree.props_of(id, PropKind::Range) {
            if self.eval(prop.cond.as_ref()) != Tri::No {
                if let Some(Expr::Cmp(_, lo, hi)) = &prop.expr {
                    return Some((*lo, *hi));
                }
            }
        }
        None
    }

    fn range_value(&mut self, id: SymId, base: u32) -> i64 {
        let base = match self.tree.sym(id).ty {
            Type::Int => 10,
            Type::Hex => 16,
            _ => base,
        };
        let text = self.string_value(id).into_owned();
        strtoll(&text, base)
    }

    pub(crate) fn calc_visibility(&mut self, id: SymId) {
        let tree = self.tree;
        let sym = tree.sym(id);
        let choice = sym.choice_of;
        let mut tri = Tri::No;
        for prop in tree.props_of(id, PropKind::Prompt) {
            let mut visible = self.eval(prop.cond.as_ref());
            if let Some(choice) = choice {
                if sym.ty == Type::Tristate
                    && visible == Tri::Mod
                    && self.state(choice).tri == Tri::Yes
                {
                    visible = Tri::No;
                }
            }
            tri = tri.or(visible);
        }
        if tri == Tri::Mod && (sym.ty != Type::Tristate || self.modules_val == Tri::No) {
            tri = Tri::Yes;
        }
        self.state_mut(id).visible = tri;
        if choice.is_some() {
            return;
        }
        let bool_like = |e: &Evaluator<'_>, t: Tri| {
            if t == Tri::Mod && e.effective_type(id) == Type::Bool {
                Tri::Yes
            } else {
                t
            }
        };
        let dir = match &sym.dir_dep {
            Some(e) => self.eval_expr(e),
            None => Tri::Yes,
        };
        let dir = bool_like(self, dir);
        let rev = match &sym.rev_dep {
            Some(e) => self.eval_expr(e),
            None => Tri::No,
        };
        let rev = bool_like(self, rev);
        let implied = match &sym.implied {
            Some(e) => self.eval_expr(e),
            None => Tri::No,
        };
        let implied = bool_like(self, implied);
        let s = self.state_mut(id);
        s.dir_dep = dir;
        s.rev_dep = rev;
        s.implied = implied;
    }

    /// kconfig's `sym_calc_value`.
    pub fn calc(&mut self, id: SymId) {
        if self.state(id).valid {
            return;
        }
        let tree = self.tree;
        let sym = tree.sym(id);
        self.state_mut(id).valid = true;
        let old_tri = self.state(id).tri;
        if sym.ty == Type::Unknown {
            let s = self.state_mut(id);
            s.val = sym.name.clone();
            s.tri = Tri::No;
            return;
        }
        self.state_mut(id).write = false;
        self.calc_visibility(id);
        let visible = self.state(id).visible;
        if visible != Tri::No {
            self.state_mut(id).write = true;
        }
        // A value asked for while it is being computed is the type's empty value.
        {
            let s = self.state_mut(id);
            s.tri = Tri::No;
            s.val = empty_value(sym.ty).to_owned();
        }
        let mut new_tri = Tri::No;
        let mut new_val = empty_value(sym.ty).to_owned();
        match self.effective_type(id) {
            Type::Bool | Type::Tristate => {
                if let (Some(choice), Tri::Yes) = (sym.choice_of, visible) {
                    new_tri = if self.state(choice).sel == Some(id) {
                        Tri::Yes
                    } else {
                        Tri::No
                    };
                } else {
                    let s = self.state(id);
                    if visible != Tri::No && s.has_user {
                        new_tri = s.user_tri.and(visible);
                    } else {
                        if s.rev_dep != Tri::No {
                            self.state_mut(id).write = true;
                        }
                        if !sym.choice {
                            if let Some((expr, cond)) = self.default_prop(id) {
                                new_tri = self.eval(expr).and(cond);
                                if new_tri != Tri::No {
                                    self.state_mut(id).write = true;
                                }
                            }
                            let (implied, dir_dep) =
                                (self.state(id).implied, self.state(id).dir_dep);
                            if implied != Tri::No {
                                self.state_mut(id).write = true;
                                new_tri = new_tri.or(implied).and(dir_dep);
                            }
                        }
                    }
                    let s = self.state(id);
                    if s.dir_dep < s.rev_dep {
                        self.unmet.push(id);
                    }
                    new_tri = new_tri.or(self.state(id).rev_dep);
                }
                if new_tri == Tri::Mod && self.effective_type(id) == Type::Bool {
                    new_tri = Tri::Yes;
                }
            }
            Type::String | Type::Int | Type::Hex => {
                let s = self.state(id);
                if visible != Tri::No && s.has_user {
                    new_val = s.user_val.clone().unwrap_or_default();
                } else if let Some((Some(&Expr::Sym(ds)), _)) = self.default_prop(id) {
                    self.state_mut(id).write = true;
                    self.calc(ds);
                    new_val = self.state(ds).val.clone();
                }
            }
            Type::Unknown => {}
        }
        {
            let s = self.state_mut(id);
            s.tri = new_tri;
            s.val = new_val;
        }
        if sym.choice && new_tri == Tri::Yes {
            let sel = self.calc_choice(id);
            self.state_mut(id).sel = sel;
        }
        self.validate_range(id);
        if id == tree.modules && self.state(id).tri != old_tri {
            self.modules_val = self.state(id).tri;
        }
        if sym.choice {
            let write = self.state(id).write;
            for &value in &sym.values {
                if write && self.state(value).visible != Tri::No {
                    self.state_mut(value).write = true;
                }
            }
            // Choices themselves are never written.
            self.state_mut(id).write = false;
        }
    }

    /// kconfig's `sym_calc_choice`: the user's pick if it is visible, else the first
    /// visible default, else the first visible value.
    fn calc_choice(&mut self, id: SymId) -> Option<SymId> {
        let tree = self.tree;
        let sym = tree.sym(id);
        let mut all_user = true;
        for &value in &sym.values {
            self.calc_visibility(value);
            if self.state(value).visible != Tri::No {
                all_user &= self.state(value).has_user;
            }
        }
        if !all_user {
            self.state_mut(id).has_user = false;
        }
        if let Some(pick) = self.state(id).user_choice {
            if self.state(pick).visible != Tri::No {
                return Some(pick);
            }
        }
        for prop in tree.props_of(id, PropKind::Default) {
            if self.eval(prop.cond.as_ref()) == Tri::No {
                continue;
            }
            if let Some(Expr::Sym(ds)) = &prop.expr {
                if self.state(*ds).visible != Tri::No {
                    return Some(*ds);
                }
            }
        }
        if let Some(&first) = sym
            .values
            .iter()
            .find(|&&v| self.state(v).visible != Tri::No)
        {
            return Some(first);
        }
        self.state_mut(id).tri = Tri::No;
        None
    }

    /// kconfig's `sym_validate_range`: a number outside the active range becomes the
    /// bound it crossed.
    fn validate_range(&mut self, id: SymId) {
        let base = match self.tree.sym(id).ty {
            Type::Int => 10,
            Type::Hex => 16,
            _ => return,
        };
        let Some((lo, hi)) = self.range_prop(id) else {
            return;
        };
        let val = strtoll(&self.state(id).val, base);
        let bound = if val >= self.range_value(lo, base) {
            if val <= self.range_value(hi, base) {
                return;
            }
            hi
        } else {
            lo
        };
        let text = self.string_value(bound).into_owned();
        self.state_mut(id).val = text;
    }

    /// kconfig's `sym_string_within_range` for a value read from a `.config`.
    pub(crate) fn string_within_range(&mut self, id: SymId, text: &str) -> bool {
        let base = match self.tree.sym(id).ty {
            Type::String => return true,
            Type::Int if valid_int(text) => 10,
            Type::Hex if valid_hex(text) => 16,
            _ => return false,
        };
        let Some((lo, hi)) = self.range_prop(id) else {
            return true;
        };
        let val = strtoll(text, base);
        val >= self.range_value(lo, base) && val <= self.range_value(hi, base)
    }
}

/// The value slot of a fresh symbol: kconfig's bools keep `"n"` there whatever their
/// tristate (a string defaulting to a bool copies it).
fn empty_value(ty: Type) -> &'static str {
    if ty.is_logic() {
        "n"
    } else {
        ""
    }
}

enum Number {
    Signed(i64),
    Unsigned(u64),
    Text,
}

impl Number {
    fn bits(&self) -> u64 {
        match self {
            Number::Signed(s) => *s as u64,
            Number::Unsigned(u) => *u,
            Number::Text => 0,
        }
    }
}

/// kconfig's `expr_parse_string`.
fn number_kind(text: &str, ty: Type) -> Number {
    let (base, unsigned) = match ty {
        Type::Bool | Type::Tristate => {
            return Number::Signed(match text {
                "n" => 0,
                "m" => 1,
                "y" => 2,
                _ => -1,
            })
        }
        Type::Int => (10, false),
        Type::Hex => (16, true),
        _ => (0, false),
    };
    let parsed = strto(text, base);
    let whole = parsed.end > 0
        && parsed.end == text.len()
        && text.as_bytes()[parsed.end - 1].is_ascii_hexdigit();
    if unsigned {
        let (value, overflow) = parsed.unsigned();
        if whole && !overflow {
            return Number::Unsigned(value);
        }
    } else {
        let (value, overflow) = parsed.signed();
        if whole && !overflow {
            return Number::Signed(value);
        }
    }
    Number::Text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_compare_as_kconfig_reads_them() {
        assert!(matches!(
            number_kind("0x10", Type::Hex),
            Number::Unsigned(16)
        ));
        assert!(matches!(
            number_kind("10", Type::Unknown),
            Number::Signed(10)
        ));
        assert!(matches!(
            number_kind("0x10", Type::Unknown),
            Number::Signed(16)
        ));
        assert!(matches!(number_kind("", Type::Int), Number::Text));
        assert!(matches!(number_kind("12ab", Type::Int), Number::Text));
        assert!(matches!(
            number_kind("m", Type::Tristate),
            Number::Signed(1)
        ));
    }
}
