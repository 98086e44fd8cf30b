//! What an entry says of its symbol: type, prompt, defaults, dependencies, `select` and
//! `imply`, ranges and the options kconfig still accepts, each checked against the kind
//! of entry it stands in.

use super::tokens::{expect_end, keyword, word_at};
use super::Parser;
use crate::kconfig::expr::{and, Cmp, Expr};
use crate::kconfig::lexer::{Kw, Tok};
use crate::kconfig::tree::{Loc, NodeId, NodeKind, Prop, PropId, PropKind, Type};

impl Parser<'_> {
    pub(super) fn add_prop(
        &mut self,
        node: NodeId,
        kind: PropKind,
        expr: Option<Expr>,
        cond: Option<Expr>,
        loc: Loc,
    ) -> PropId {
        let id = PropId(self.tree.props.len() as u32);
        self.tree.props.push(Prop {
            kind,
            node,
            loc,
            text: String::new(),
            expr,
            own_cond: cond.clone(),
            cond,
        });
        if let Some(sym) = self.tree.node(node).sym {
            self.tree.sym_mut(sym).props.push(id);
        }
        id
    }

    pub(super) fn add_prompt(&mut self, node: NodeId, text: String, cond: Option<Expr>, loc: Loc) {
        let mut visible = cond.clone();
        if matches!(
            self.tree.node(node).kind,
            NodeKind::Config | NodeKind::MenuConfig | NodeKind::Choice
        ) {
            let mut ancestor = self.tree.node(node).parent;
            while let Some(a) = ancestor {
                let a = self.tree.node(a);
                visible = and(visible, a.visibility.clone());
                ancestor = a.parent;
            }
        }
        let prop = self.add_prop(node, PropKind::Prompt, None, cond, loc);
        let p = &mut self.tree.props[prop.0 as usize];
        p.text = text.trim_start().to_owned();
        p.cond = visible;
        if self.tree.node(node).prompt.is_some() {
            self.tree
                .warnings
                .push(format!("{}:warning: prompt redefined", self.tree.at(loc)));
        }
        self.tree.node_mut(node).prompt = Some(prop);
    }

    pub(super) fn set_type(&mut self, node: NodeId, ty: Type, loc: Loc) {
        let Some(sym) = self.tree.node(node).sym else {
            return;
        };
        let current = self.tree.sym(sym).ty;
        if current == Type::Unknown {
            self.tree.sym_mut(sym).ty = ty;
        } else if current != ty {
            let name = self.tree.spelling(sym);
            let warning = format!(
                "{}:warning: ignoring type redefinition of '{name}' from '{}' to '{}'",
                self.tree.at(loc),
                current.name(),
                ty.name()
            );
            self.tree.warnings.push(warning);
        }
    }

    pub(super) fn option(&mut self, t: &[Tok], loc: Loc) -> std::result::Result<(), String> {
        let Tok::Kw(kw) = t[0] else {
            return Err("invalid statement".to_owned());
        };
        let Some(node) = self.entry else {
            return Err(format!(
                "`{}` outside a config, choice, menu or comment entry",
                keyword(kw)
            ));
        };
        let kind = self.tree.node(node).kind;
        let is_sym = matches!(
            kind,
            NodeKind::Config | NodeKind::MenuConfig | NodeKind::Choice
        );
        let mut i = 1;
        match kw {
            Kw::Bool | Kw::Tristate | Kw::Int | Kw::Hex | Kw::String if is_sym => {
                let ty = match kw {
                    Kw::Bool => Type::Bool,
                    Kw::Tristate => Type::Tristate,
                    Kw::Int => Type::Int,
                    Kw::Hex => Type::Hex,
                    _ => Type::String,
                };
                if kind == NodeKind::Choice && !ty.is_logic() {
                    return Err("a choice is bool or tristate".to_owned());
                }
                if let Some(Tok::Str(text)) = t.get(1) {
                    i = 2;
                    let cond = self.if_expr(t, &mut i)?;
                    self.add_prompt(node, text.clone(), cond, loc);
                }
                expect_end(t, i)?;
                self.set_type(node, ty, loc);
            }
            Kw::Prompt if is_sym => {
                let Some(Tok::Str(text)) = t.get(1) else {
                    return Err("expected a quoted prompt after `prompt`".to_owned());
                };
                i = 2;
                let cond = self.if_expr(t, &mut i)?;
                expect_end(t, i)?;
                self.add_prompt(node, text.clone(), cond, loc);
            }
            Kw::Default | Kw::DefBool | Kw::DefTristate if is_sym => {
                let value = if kind == NodeKind::Choice {
                    let name = word_at(t, 1, "default")?;
                    i = 2;
                    Expr::Sym(self.tree.lookup(&name))
                } else {
                    self.expr(t, &mut i)?
                };
                let cond = self.if_expr(t, &mut i)?;
                expect_end(t, i)?;
                self.add_prop(node, PropKind::Default, Some(value), cond, loc);
                match kw {
                    Kw::DefBool => self.set_type(node, Type::Bool, loc),
                    Kw::DefTristate => self.set_type(node, Type::Tristate, loc),
                    _ => {}
                }
            }
            Kw::Depends => {
                if t.get(1) != Some(&Tok::Kw(Kw::On)) {
                    return Err("expected `on` after `depends`".to_owned());
                }
                i = 2;
                let dep = self.expr(t, &mut i)?;
                expect_end(t, i)?;
                self.tree.node_mut(node).own_deps.push((dep, loc));
            }
            Kw::Select | Kw::Imply if is_sym && kind != NodeKind::Choice => {
                let name = word_at(t, 1, keyword(kw))?;
                let target = self.tree.lookup(&name);
                i = 2;
                let cond = self.if_expr(t, &mut i)?;
                expect_end(t, i)?;
                let prop = if kw == Kw::Select {
                    PropKind::Select
                } else {
                    PropKind::Imply
                };
                self.add_prop(node, prop, Some(Expr::Sym(target)), cond, loc);
            }
            Kw::Range if is_sym => {
                let lo = self.symbol(t, 1)?;
                let hi = self.symbol(t, 2)?;
                i = 3;
                let cond = self.if_expr(t, &mut i)?;
                expect_end(t, i)?;
                self.add_prop(
                    node,
                    PropKind::Range,
                    Some(Expr::Cmp(Cmp::Equal, lo, hi)),
                    cond,
                    loc,
                );
            }
            Kw::Help => {}
            Kw::Modules if is_sym => self.set_modules(node)?,
            Kw::Option if is_sym => match t.get(1) {
                Some(Tok::Kw(Kw::Modules)) => self.set_modules(node)?,
                Some(Tok::Word(w))
                    if ["env", "defconfig_list", "allnoconfig_y"].contains(&w.as_str()) => {}
                _ => return Err("unknown `option`".to_owned()),
            },
            Kw::Transitional if is_sym => {}
            Kw::Optional if kind == NodeKind::Choice => {
                if let Some(sym) = self.tree.node(node).sym {
                    self.tree.sym_mut(sym).optional = true;
                }
            }
            Kw::Visible if kind == NodeKind::Menu => {
                let cond = self.if_expr(t, &mut i)?;
                expect_end(t, i)?;
                let n = self.tree.node_mut(node);
                n.visibility = and(n.visibility.take(), cond);
            }
            _ => {
                return Err(format!(
                    "`{}` is not allowed in a `{}` entry",
                    keyword(kw),
                    kind.keyword()
                ))
            }
        }
        Ok(())
    }

    pub(super) fn set_modules(&mut self, node: NodeId) -> std::result::Result<(), String> {
        let sym = self.tree.node(node).sym;
        if let (Some(old), Some(new)) = (self.modules, sym) {
            if old != new {
                return Err(format!(
                    "symbol '{}' redefines option 'modules' already defined by symbol '{}'",
                    self.tree.spelling(new),
                    self.tree.spelling(old)
                ));
            }
        }
        self.modules = sym;
        Ok(())
    }
}
