//! Expressions (`depends on`, `if`, `default`, `range` operands): `||` over `&&` over
//! `!`, parentheses and comparisons, with a depth limit so that a hostile file cannot
//! overflow the stack.

use super::tokens::describe;
use super::Parser;
use crate::kconfig::expr::Expr;
use crate::kconfig::lexer::{Kw, Op, Tok};
use crate::kconfig::tree::SymId;

/// Parentheses and `!` deeper than this are refused rather than risking the stack.
const MAX_EXPR_DEPTH: usize = 256;

impl Parser<'_> {
    pub(super) fn if_expr(&mut self, t: &[Tok], i: &mut usize) -> Result<Option<Expr>, String> {
        if t.get(*i) == Some(&Tok::Kw(Kw::If)) {
            *i += 1;
            return self.expr(t, i).map(Some);
        }
        Ok(None)
    }

    pub(super) fn expr(&mut self, t: &[Tok], i: &mut usize) -> Result<Expr, String> {
        self.chain(t, i, Op::Or, Self::and_expr, Expr::Or)
    }

    fn and_expr(&mut self, t: &[Tok], i: &mut usize) -> Result<Expr, String> {
        self.chain(t, i, Op::And, Self::unary, Expr::And)
    }

    /// `a OP b OP c …`, grouped from the left, each operand read by `operand`.
    fn chain(
        &mut self,
        t: &[Tok],
        i: &mut usize,
        op: Op,
        operand: fn(&mut Self, &[Tok], &mut usize) -> Result<Expr, String>,
        join: fn(Box<Expr>, Box<Expr>) -> Expr,
    ) -> Result<Expr, String> {
        let mut left = operand(self, t, i)?;
        while t.get(*i) == Some(&Tok::Op(op)) {
            *i += 1;
            let right = operand(self, t, i)?;
            left = join(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn unary(&mut self, t: &[Tok], i: &mut usize) -> Result<Expr, String> {
        if self.depth >= MAX_EXPR_DEPTH {
            return Err(format!(
                "expression nested deeper than {MAX_EXPR_DEPTH} levels"
            ));
        }
        self.depth += 1;
        let e = self.primary(t, i);
        self.depth -= 1;
        e
    }

    fn primary(&mut self, t: &[Tok], i: &mut usize) -> Result<Expr, String> {
        match t.get(*i) {
            Some(Tok::Op(Op::Not)) => {
                *i += 1;
                Ok(Expr::Not(Box::new(self.unary(t, i)?)))
            }
            Some(Tok::Op(Op::Open)) => {
                *i += 1;
                let e = self.expr(t, i)?;
                if t.get(*i) != Some(&Tok::Op(Op::Close)) {
                    return Err("expected `)`".to_owned());
                }
                *i += 1;
                Ok(e)
            }
            _ => {
                let left = self.symbol(t, *i)?;
                *i += 1;
                let Some(&Tok::Op(Op::Cmp(cmp))) = t.get(*i) else {
                    return Ok(Expr::Sym(left));
                };
                *i += 1;
                let right = self.symbol(t, *i)?;
                *i += 1;
                Ok(Expr::Cmp(cmp, left, right))
            }
        }
    }

    pub(super) fn symbol(&mut self, t: &[Tok], i: usize) -> Result<SymId, String> {
        match t.get(i) {
            Some(Tok::Word(w)) => Ok(self.tree.lookup(w)),
            Some(Tok::Str(s)) => Ok(self.tree.constant(s)),
            Some(other) => Err(format!("expected a symbol, found {}", describe(other))),
            None => Err("expected a symbol at the end of the line".to_owned()),
        }
    }
}
