//! Reads a Kconfig tree from its top file: statements into menu nodes, symbols and
//! properties, following `source` (and kconfiglib's `rsource`/`osource`/`orsource`,
//! with globs) through the files.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::error::KconfigError;
use super::expr::{and, Cmp, Expr};
use super::glob;
use super::lexer::{nearest_keyword, FileLexer, Kw, Op, Statement, Tok};
use super::macros::{At, Macros, Shell};
use super::tree::{Loc, Node, NodeId, NodeKind, Prop, PropId, PropKind, SymId, Tree, Type};

/// What a tree is read with: the environment its macros see (`ARCH`, `SRCARCH`, `CC`,
/// …) and the directory `source` paths are relative to.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    pub srctree: PathBuf,
    pub env: HashMap<String, String>,
}

struct Block {
    kind: NodeKind,
    node: NodeId,
    file: u32,
    line: usize,
}

struct OpenFile {
    lexer: FileLexer,
    id: u32,
    path: PathBuf,
}

/// Parentheses and `!` deeper than this are refused rather than risking the stack.
const MAX_EXPR_DEPTH: usize = 256;

struct Parser<'s> {
    depth: usize,
    tree: Tree,
    macros: Macros<'s>,
    files: Vec<OpenFile>,
    srctree: PathBuf,
    menu: NodeId,
    entry: Option<NodeId>,
    blocks: Vec<Block>,
    modules: Option<SymId>,
    /// Named choices by name: a name given twice is one choice.
    choices: HashMap<String, SymId>,
}

/// Parses the tree whose top file is `top` (relative to the srctree or absolute).
pub fn parse(top: &Path, options: &LoadOptions, shell: &mut dyn Shell) -> Result<Tree> {
    finish(read(top, options, shell)?)
}

/// Reads the statements of every file into a tree, not finalized yet.
pub fn read(top: &Path, options: &LoadOptions, shell: &mut dyn Shell) -> Result<Tree> {
    let mut parser = Parser {
        depth: 0,
        tree: Tree::empty(),
        macros: Macros::new(options.env.clone(), shell),
        files: Vec::new(),
        srctree: options.srctree.clone(),
        menu: NodeId(0),
        entry: None,
        blocks: Vec::new(),
        modules: None,
        choices: HashMap::new(),
    };
    let path = if top.is_absolute() {
        top.to_owned()
    } else {
        options.srctree.join(top)
    };
    parser.open(&path, None)?;
    parser.run()?;
    let mut tree = parser.tree;
    tree.warnings.append(&mut parser.macros.messages);
    tree.modules = parser.modules.unwrap_or(tree.no());
    if tree.mainmenu.is_empty() {
        tree.mainmenu = "Main menu".to_owned();
    }
    Ok(tree)
}

/// Folds the enclosing dependencies into every node and refuses dependency cycles.
pub fn finish(mut tree: Tree) -> Result<Tree> {
    super::finalize::finalize(&mut tree);
    super::cycle::check(&tree)?;
    Ok(tree)
}

type Result<T> = std::result::Result<T, KconfigError>;

impl<'s> Parser<'s> {
    fn display_name(&self, path: &Path) -> String {
        path.strip_prefix(&self.srctree)
            .unwrap_or(path)
            .to_string_lossy()
            .into_owned()
    }

    fn open(&mut self, path: &Path, from: Option<(u32, usize)>) -> Result<()> {
        let name = self.display_name(path);
        if self.files.iter().any(|f| f.path == path) {
            return Err(self.error_at(from, format!("recursive inclusion of \"{name}\"")));
        }
        if path.is_dir() || std::fs::metadata(path).is_ok_and(|m| !m.is_file()) {
            return Err(self.error_at(from, format!("\"{name}\" is not a regular file")));
        }
        let bytes = std::fs::read(path).map_err(|source| match from {
            Some(_) => self.error_at(from, format!("can't open file \"{name}\": {source}")),
            None => KconfigError::Io {
                path: path.to_owned(),
                source,
            },
        })?;
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let id = self.tree.files.len() as u32;
        self.tree.files.push(name.clone());
        self.files.push(OpenFile {
            lexer: FileLexer::new(name, text),
            id,
            path: path.to_owned(),
        });
        Ok(())
    }

    fn error_at(&self, at: Option<(u32, usize)>, reason: String) -> KconfigError {
        let (file, line) = at.unwrap_or((0, 0));
        KconfigError::Syntax {
            file: self
                .tree
                .files
                .get(file as usize)
                .cloned()
                .unwrap_or_default(),
            line,
            reason,
        }
    }

    fn run(&mut self) -> Result<()> {
        let mut value = String::new();
        while let Some(top) = self.files.last_mut() {
            let file = top.id;
            let next = top.lexer.next(&mut self.macros, &mut value);
            let warnings = std::mem::take(&mut top.lexer.warnings);
            self.tree.warnings.extend(warnings);
            let statement = next.map_err(|e| self.error_at(Some((file, e.line)), e.reason))?;
            match statement {
                None => self.close_file()?,
                Some(Statement::Assign { name, flavor, line }) => {
                    let file_name = self.tree.files[file as usize].clone();
                    let at = At {
                        file: &file_name,
                        line,
                    };
                    self.macros
                        .assign(&name, &value, flavor, at)
                        .map_err(|e| self.error_at(Some((file, line)), e.to_string()))?;
                    self.entry = None;
                }
                Some(Statement::Tokens { tokens, line }) => {
                    let loc = Loc {
                        file,
                        line: line as u32,
                    };
                    self.statement(&tokens, loc)
                        .map_err(|reason| self.error_at(Some((file, line)), reason))?;
                }
            }
        }
        if let Some(block) = self.blocks.last() {
            return Err(self.error_at(Some((block.file, block.line)), unclosed(block.kind)));
        }
        Ok(())
    }

    fn close_file(&mut self) -> Result<()> {
        let Some(file) = self.files.pop() else {
            return Ok(());
        };
        if let Some(block) = self.blocks.last().filter(|b| b.file == file.id) {
            return Err(self.error_at(Some((block.file, block.line)), unclosed(block.kind)));
        }
        self.entry = None;
        Ok(())
    }

    fn statement(&mut self, t: &[Tok], loc: Loc) -> std::result::Result<(), String> {
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

    fn open_block(&mut self, kind: NodeKind, node: NodeId, loc: Loc) {
        self.blocks.push(Block {
            kind,
            node,
            file: loc.file,
            line: loc.line as usize,
        });
        self.menu = node;
    }

    fn close_block(&mut self, kind: NodeKind, loc: Loc) -> std::result::Result<(), String> {
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

    fn source(&mut self, kw: Kw, pattern: &str, loc: Loc) -> std::result::Result<(), String> {
        let relative_to_file = matches!(kw, Kw::Rsource | Kw::Orsource);
        let optional = matches!(kw, Kw::Osource | Kw::Orsource);
        let base = if relative_to_file {
            self.files
                .last()
                .and_then(|f| f.path.parent().map(Path::to_owned))
                .unwrap_or_else(|| self.srctree.clone())
        } else {
            self.srctree.clone()
        };
        let full = if Path::new(pattern).is_absolute() {
            PathBuf::from(pattern)
        } else {
            base.join(pattern)
        };
        let paths = if glob::is_pattern(pattern) {
            let found = glob::expand(&full);
            if found.is_empty() && !optional {
                return Err(format!("\"{pattern}\" matches no file"));
            }
            found
        } else if optional && !full.exists() {
            Vec::new()
        } else {
            vec![full]
        };
        // Files are read in reverse so the first one ends up on top of the stack.
        for path in paths.iter().rev() {
            self.open(path, Some((loc.file, loc.line as usize)))
                .map_err(|e| match e {
                    KconfigError::Syntax { reason, .. } => reason,
                    other => other.to_string(),
                })?;
        }
        Ok(())
    }

    fn add_entry(&mut self, kind: NodeKind, sym: Option<SymId>, loc: Loc) -> NodeId {
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

    fn add_prop(
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

    fn add_prompt(&mut self, node: NodeId, text: String, cond: Option<Expr>, loc: Loc) {
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

    fn set_type(&mut self, node: NodeId, ty: Type, loc: Loc) {
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

    fn option(&mut self, t: &[Tok], loc: Loc) -> std::result::Result<(), String> {
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

    fn set_modules(&mut self, node: NodeId) -> std::result::Result<(), String> {
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

    fn if_expr(&mut self, t: &[Tok], i: &mut usize) -> std::result::Result<Option<Expr>, String> {
        if t.get(*i) == Some(&Tok::Kw(Kw::If)) {
            *i += 1;
            return self.expr(t, i).map(Some);
        }
        Ok(None)
    }

    fn expr(&mut self, t: &[Tok], i: &mut usize) -> std::result::Result<Expr, String> {
        let mut left = self.and_expr(t, i)?;
        while t.get(*i) == Some(&Tok::Op(Op::Or)) {
            *i += 1;
            let right = self.and_expr(t, i)?;
            left = Expr::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn and_expr(&mut self, t: &[Tok], i: &mut usize) -> std::result::Result<Expr, String> {
        let mut left = self.unary(t, i)?;
        while t.get(*i) == Some(&Tok::Op(Op::And)) {
            *i += 1;
            let right = self.unary(t, i)?;
            left = Expr::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn unary(&mut self, t: &[Tok], i: &mut usize) -> std::result::Result<Expr, String> {
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

    fn primary(&mut self, t: &[Tok], i: &mut usize) -> std::result::Result<Expr, String> {
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
                let cmp = match t.get(*i) {
                    Some(Tok::Op(Op::Equal)) => Cmp::Equal,
                    Some(Tok::Op(Op::Unequal)) => Cmp::Unequal,
                    Some(Tok::Op(Op::Less)) => Cmp::Less,
                    Some(Tok::Op(Op::LessEqual)) => Cmp::LessEqual,
                    Some(Tok::Op(Op::Greater)) => Cmp::Greater,
                    Some(Tok::Op(Op::GreaterEqual)) => Cmp::GreaterEqual,
                    _ => return Ok(Expr::Sym(left)),
                };
                *i += 1;
                let right = self.symbol(t, *i)?;
                *i += 1;
                Ok(Expr::Cmp(cmp, left, right))
            }
        }
    }

    fn symbol(&mut self, t: &[Tok], i: usize) -> std::result::Result<SymId, String> {
        match t.get(i) {
            Some(Tok::Word(w)) => Ok(self.tree.lookup(w)),
            Some(Tok::Str(s)) => Ok(self.tree.constant(s)),
            Some(other) => Err(format!("expected a symbol, found {}", describe(other))),
            None => Err("expected a symbol at the end of the line".to_owned()),
        }
    }
}

fn unclosed(kind: NodeKind) -> String {
    format!(
        "`{0}` is not closed in the file that opens it (missing `end{0}`)",
        kind.keyword()
    )
}

fn expect_end(t: &[Tok], i: usize) -> std::result::Result<(), String> {
    match t.get(i) {
        None => Ok(()),
        Some(tok) => Err(format!(
            "unexpected {} at the end of the statement",
            describe(tok)
        )),
    }
}

fn describe(tok: &Tok) -> String {
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
        Op::Equal => "=",
        Op::Unequal => "!=",
        Op::Less => "<",
        Op::LessEqual => "<=",
        Op::Greater => ">",
        Op::GreaterEqual => ">=",
        Op::Not => "!",
        Op::Open => "(",
        Op::Close => ")",
    }
}

fn keyword(kw: Kw) -> &'static str {
    super::lexer::keyword_spelling(kw)
}

fn string_arg(t: &[Tok], what: &str) -> std::result::Result<String, String> {
    match t.get(1) {
        Some(Tok::Str(s)) => {
            expect_end(t, 2)?;
            Ok(s.clone())
        }
        _ => Err(format!("expected a quoted string after `{what}`")),
    }
}

fn word_arg(t: &[Tok], what: &str) -> std::result::Result<String, String> {
    let name = word_at(t, 1, what)?;
    expect_end(t, 2)?;
    Ok(name)
}

fn word_at(t: &[Tok], i: usize, what: &str) -> std::result::Result<String, String> {
    match t.get(i) {
        Some(Tok::Word(w)) => Ok(w.clone()),
        Some(other) => Err(format!(
            "expected a symbol name after `{what}`, found {}",
            describe(other)
        )),
        None => Err(format!("expected a symbol name after `{what}`")),
    }
}
