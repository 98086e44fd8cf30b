//! The words of a statement: its arguments and how a token is named in an error.

use crate::kconfig::lexer::{Kw, Op, Tok};

pub(super) fn expect_end(t: &[Tok], i: usize) -> Result<(), String> {
    match t.get(i) {
        None => Ok(()),
        Some(tok) => Err(format!(
            "unexpected {} at the end of the statement",
            describe(tok)
        )),
    }
}

pub(super) fn describe(tok: &Tok) -> String {
    match tok {
        Tok::Kw(kw) => format!("`{}`", keyword(*kw)),
        Tok::Word(w) => format!("`{w}`"),
        Tok::Str(s) => format!("\"{s}\""),
        Tok::Op(op) => format!("`{}`", op_spelling(*op)),
    }
}

fn op_spelling(op: Op) -> &'static str {
    match op {
        Op::Or => "||",
        Op::And => "&&",
        Op::Cmp(cmp) => cmp.spelling(),
        Op::Not => "!",
        Op::Open => "(",
        Op::Close => ")",
    }
}

pub(super) fn keyword(kw: Kw) -> &'static str {
    crate::kconfig::lexer::keyword_spelling(kw)
}

pub(super) fn string_arg(t: &[Tok], what: &str) -> Result<String, String> {
    match t.get(1) {
        Some(Tok::Str(s)) => {
            expect_end(t, 2)?;
            Ok(s.clone())
        }
        _ => Err(format!("expected a quoted string after `{what}`")),
    }
}

pub(super) fn word_arg(t: &[Tok], what: &str) -> Result<String, String> {
    let name = word_at(t, 1, what)?;
    expect_end(t, 2)?;
    Ok(name)
}

pub(super) fn word_at(t: &[Tok], i: usize, what: &str) -> Result<String, String> {
    match t.get(i) {
        Some(Tok::Word(w)) => Ok(w.clone()),
        Some(other) => Err(format!(
            "expected a symbol name after `{what}`, found {}",
            describe(other)
        )),
        None => Err(format!("expected a symbol name after `{what}`")),
    }
}
