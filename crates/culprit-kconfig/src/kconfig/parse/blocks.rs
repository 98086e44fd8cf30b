//! The statements that shape the menu tree: the entries (`config`, `menuconfig`,
//! `choice`, `menu`, `comment`, `if`), the blocks that nest entries (menu, choice, if)
//! and their ends. Kept apart from the properties because a block's rules (matching
//! ends, in the file that opened it) are about the tree, not about any one symbol.

use super::tokens::{describe, expect_end, string_arg, word_arg};
use super::{Block, Parser};
use crate::kconfig::lexer::{nearest_keyword, Kw, Tok};
use crate::kconfig::tree::{Loc, Node, NodeId, NodeKind, SymId};

impl Parser<'_> {
    pub(super) fn statement(&mut self, t: &[Tok], loc: Loc) -> std::result::Result<(), String> {
        match &t[0] {
            Tok::Kw(Kw::MainMenu) => {
                self.tree.mainmenu = string_arg(t, "mainmenu")?;
                Ok(())
            }
            Tok::Kw(kw @ (Kw::Config | Kw::MenuConfig)) => {
                let name = word_arg(t, "config")?;
                let sym = self.tree.lookup(&name);
                if self.tree.constant_tri(sym).is_some() {
                    return Err(format!("`{name}` is a constant and cannot be defined"));
                }
                let kind = if *kw == Kw::Config {
                    NodeKind::Config
                } else {
                    NodeKind::MenuConfig
                };
                let node = self.add_entry(kind, Some(sym), loc);
                self.entry = Some(node);
                Ok(())
            }
            Tok::Kw(Kw::Choice) => {
                let sym = match t.get(1) {
                    // kconfig looks a named choice up among the choices: every `choice
                    // NAME` block adds its values and properties to the same one.
                    Some(Tok::Word(name)) => match self.choices.get(name) {
                        Some(&sym) => sym,
                        None => {
                            let sym = self.tree.new_choice();
                            self.tree.sym_mut(sym).name = name.clone();
                            self.choices.insert(name.clone(), sym);
                            sym
                        }
                    },
                    Some(other) => {
                        return Err(format!(
                        "expected a choice name or the end of the line after `choice`, found {}",
                        describe(other)
                    ))
                    }
                    None => self.tree.new_choice(),
                };
                expect_end(t, 2.min(t.len()))?;
                let node = self.add_entry(NodeKind::Choice, Some(sym), loc);
                self.open_block(NodeKind::Choice, node, loc);
                self.entry = Some(node);
                Ok(())
            }
            Tok::Kw(Kw::If) => {
                let mut i = 1;
                let cond = self.expr(t, &mut i)?;
                expect_end(t, i)?;
                let node = self.add_entry(NodeKind::If, None, loc);
                self.tree.node_mut(node).own_deps.push((cond, loc));
                self.open_block(NodeKind::If, node, loc);
                self.entry = None;
                Ok(())
            }
            Tok::Kw(Kw::Menu) => {
                let title = string_arg(t, "menu")?;
                let node = self.add_entry(NodeKind::Menu, None, loc);
                self.add_prompt(node, title, None, loc);
                self.open_block(NodeKind::Menu, node, loc);
                self.entry = Some(node);
                Ok(())
            }
            Tok::Kw(Kw::Comment) => {
                let text = string_arg(t, "comment")?;
                let node = self.add_entry(NodeKind::Comment, None, loc);
                self.add_prompt(node, text, None, loc);
                self.entry = Some(node);
                Ok(())
            }
            Tok::Kw(kw @ (Kw::EndMenu | Kw::EndChoice | Kw::EndIf)) => {
                let kind = match kw {
                    Kw::EndMenu => NodeKind::Menu,
                    Kw::EndChoice => NodeKind::Choice,
                    _ => NodeKind::If,
                };
                self.close_block(kind, loc)
            }
            Tok::Kw(kw @ (Kw::Source | Kw::Rsource | Kw::Osource | Kw::Orsource)) => {
                let path = string_arg(t, "source")?;
                self.entry = None;
                self.source(*kw, &path, loc)
            }
            Tok::Kw(_) => self.option(t, loc),
            Tok::Word(w) => Err(match nearest_keyword(w) {
                Some(keyword) => format!("unknown statement \"{w}\"; did you mean \"{keyword}\"?"),
                None => format!("unknown statement \"{w}\""),
            }),
            Tok::Str(_) | Tok::Op(_) => Err("invalid statement".to_owned()),
        }
    }

    pub(super) fn open_block(&mut self, kind: NodeKind, node: NodeId, loc: Loc) {
        self.blocks.push(Block {
            kind,
            node,
            file: loc.file,
            line: loc.line as usize,
        });
        self.menu = node;
    }

    pub(super) fn close_block(
        &mut self,
        kind: NodeKind,
        loc: Loc,
    ) -> std::result::Result<(), String> {
        let end = format!("end{}", kind.keyword());
        let Some(block) = self.blocks.pop() else {
            return Err(format!("`{end}` without a matching `{}`", kind.keyword()));
        };
        if block.kind != kind {
            let opened = self.tree.at(Loc {
                file: block.file,
                line: block.line as u32,
            });
            return Err(format!(
                "unexpected `{end}` within the `{}` block opened at {opened}",
                block.kind.keyword()
            ));
        }
        if block.file != loc.file {
            return Err(format!(
                "`{end}` in a different file than its `{}`",
                kind.keyword()
            ));
        }
        self.menu = self
            .tree
            .node(block.node)
            .parent
            .unwrap_or(self.tree.root());
        self.entry = None;
        Ok(())
    }

    pub(super) fn add_entry(&mut self, kind: NodeKind, sym: Option<SymId>, loc: Loc) -> NodeId {
        let id = NodeId(self.tree.nodes.len() as u32);
        self.tree.nodes.push(Node {
            kind,
            sym,
            prompt: None,
            parent: Some(self.menu),
            children: Vec::new(),
            loc,
            own_deps: Vec::new(),
            dep: None,
            visibility: None,
        });
        self.tree.node_mut(self.menu).children.push(id);
        if let Some(sym) = sym {
            self.tree.sym_mut(sym).nodes.push(id);
        }
        id
    }
}

pub(super) fn unclosed(kind: NodeKind) -> String {
    format!(
        "`{0}` is not closed in the file that opens it (missing `end{0}`)",
        kind.keyword()
    )
}
