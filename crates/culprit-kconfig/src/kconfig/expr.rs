//! Kconfig expressions: the tristate logic of `depends on`, `if`, `select … if` and
//! comparisons between symbols, and their display in reasons.

use std::fmt;

use super::tree::{SymId, Tree};

/// Kconfig's three truth values, ordered so that `and` is `min` and `or` is `max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Tri {
    No = 0,
    Mod = 1,
    Yes = 2,
}

impl Tri {
    pub fn and(self, other: Tri) -> Tri {
        self.min(other)
    }

    pub fn or(self, other: Tri) -> Tri {
        self.max(other)
    }

    pub fn negate(self) -> Tri {
        match self {
            Tri::No => Tri::Yes,
            Tri::Mod => Tri::Mod,
            Tri::Yes => Tri::No,
        }
    }

    pub fn letter(self) -> &'static str {
        match self {
            Tri::No => "n",
            Tri::Mod => "m",
            Tri::Yes => "y",
        }
    }
}

/// The relations `A = B`, `A != B`, `A < B`, …
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmp {
    Equal,
    Unequal,
    Less,
    LessEqual,
    Greater,
    GreaterEqual,
}

impl Cmp {
    pub(super) fn spelling(self) -> &'static str {
        match self {
            Cmp::Equal => "=",
            Cmp::Unequal => "!=",
            Cmp::Less => "<",
            Cmp::LessEqual => "<=",
            Cmp::Greater => ">",
            Cmp::GreaterEqual => ">=",
        }
    }

    /// Whether the relation holds for a three-way comparison result.
    pub fn holds(self, order: std::cmp::Ordering) -> bool {
        use std::cmp::Ordering::*;
        match self {
            Cmp::Equal => order == Equal,
            Cmp::Unequal => order != Equal,
            Cmp::Less => order == Less,
            Cmp::LessEqual => order != Greater,
            Cmp::Greater => order == Greater,
            Cmp::GreaterEqual => order != Less,
        }
    }
}

/// An expression over symbols; an absent expression (`None` where one is optional) is `y`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    Sym(SymId),
    Cmp(Cmp, SymId, SymId),
    Not(Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
}

/// `a && b`, where an absent side is `y`.
pub fn and(a: Option<Expr>, b: Option<Expr>) -> Option<Expr> {
    match (a, b) {
        (Some(a), Some(b)) => Some(Expr::And(Box::new(a), Box::new(b))),
        (a, None) => a,
        (None, b) => b,
    }
}

/// `a || b`, where an absent side is "nothing yet" (the start of a reverse dependency).
pub fn or(a: Option<Expr>, b: Option<Expr>) -> Option<Expr> {
    match (a, b) {
        (Some(a), Some(b)) => Some(Expr::Or(Box::new(a), Box::new(b))),
        (a, None) => a,
        (None, b) => b,
    }
}

impl Expr {
    /// Every symbol the expression reads, in order of appearance.
    pub fn symbols(&self, out: &mut Vec<SymId>) {
        match self {
            Expr::Sym(s) => out.push(*s),
            Expr::Cmp(_, a, b) => out.extend([*a, *b]),
            Expr::Not(e) => e.symbols(out),
            Expr::And(a, b) | Expr::Or(a, b) => {
                a.symbols(out);
                b.symbols(out);
            }
        }
    }

    pub fn contains(&self, sym: SymId) -> bool {
        match self {
            Expr::Sym(s) => *s == sym,
            Expr::Cmp(_, a, b) => *a == sym || *b == sym,
            Expr::Not(e) => e.contains(sym),
            Expr::And(a, b) | Expr::Or(a, b) => a.contains(sym) || b.contains(sym),
        }
    }

    /// Whether the expression can only be true when `sym` is: `sym`, `sym = y`,
    /// `sym != n` or a conjunction with one of those (Kconfig's test for hanging an
    /// entry below the symbol before it).
    pub fn depends_on(&self, sym: SymId, tree: &Tree) -> bool {
        match self {
            Expr::Sym(s) => *s == sym,
            Expr::And(a, b) => a.depends_on(sym, tree) || b.depends_on(sym, tree),
            Expr::Cmp(Cmp::Equal, a, b) => *a == sym && (*b == tree.yes() || *b == tree.module()),
            Expr::Cmp(Cmp::Unequal, a, b) => *a == sym && *b == tree.no(),
            _ => false,
        }
    }

    /// The top-level conjuncts: `a && (b || c) && d` gives `a`, `b || c`, `d`.
    pub fn conjuncts(&self) -> Vec<&Expr> {
        let mut out = Vec::new();
        let mut stack = vec![self];
        while let Some(e) = stack.pop() {
            match e {
                Expr::And(a, b) => {
                    stack.push(b);
                    stack.push(a);
                }
                other => out.push(other),
            }
        }
        out
    }

    /// The expression in Kconfig syntax, with symbol names from the tree.
    pub fn display<'a>(&'a self, tree: &'a Tree) -> Shown<'a> {
        Shown { expr: self, tree }
    }

    fn precedence(&self) -> u8 {
        match self {
            Expr::Or(..) => 0,
            Expr::And(..) => 1,
            Expr::Not(_) => 2,
            Expr::Sym(_) | Expr::Cmp(..) => 3,
        }
    }
}

/// An expression ready to print.
pub struct Shown<'a> {
    expr: &'a Expr,
    tree: &'a Tree,
}

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_expr(f, self.expr, self.tree, 0)
    }
}

fn write_expr(f: &mut fmt::Formatter<'_>, e: &Expr, tree: &Tree, outer: u8) -> fmt::Result {
    let parens = e.precedence() < outer;
    if parens {
        f.write_str("(")?;
    }
    match e {
        Expr::Sym(s) => f.write_str(&tree.spelling(*s))?,
        Expr::Cmp(op, a, b) => write!(
            f,
            "{} {} {}",
            tree.spelling(*a),
            op.spelling(),
            tree.spelling(*b)
        )?,
        Expr::Not(inner) => {
            f.write_str("!")?;
            write_expr(f, inner, tree, 3)?;
        }
        Expr::And(a, b) => {
            write_expr(f, a, tree, 1)?;
            f.write_str(" && ")?;
            write_expr(f, b, tree, 1)?;
        }
        Expr::Or(a, b) => {
            write_expr(f, a, tree, 0)?;
            f.write_str(" || ")?;
            write_expr(f, b, tree, 0)?;
        }
    }
    if parens {
        f.write_str(")")?;
    }
    Ok(())
}
