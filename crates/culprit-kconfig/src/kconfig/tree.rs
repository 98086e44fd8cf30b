//! The parsed Kconfig tree: symbols, their properties and the menu nodes that define
//! them, as `scripts/kconfig` keeps them after `menu_finalize`.

use std::collections::HashMap;
use std::fmt;

use super::expr::{Expr, Tri};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SymId(pub(crate) u32);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(pub(crate) u32);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PropId(pub(crate) u32);

/// A place in a Kconfig file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Loc {
    pub file: u32,
    pub line: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Type {
    Unknown,
    Bool,
    Tristate,
    Int,
    Hex,
    String,
}

impl Type {
    pub fn name(self) -> &'static str {
        match self {
            Type::Unknown => "unknown",
            Type::Bool => "bool",
            Type::Tristate => "tristate",
            Type::Int => "int",
            Type::Hex => "hex",
            Type::String => "string",
        }
    }

    pub fn is_logic(self) -> bool {
        matches!(self, Type::Bool | Type::Tristate)
    }
}

#[derive(Debug, Clone)]
pub struct Symbol {
    /// Empty for an unnamed choice.
    pub name: String,
    pub ty: Type,
    /// `y`, `m`, `n` and quoted words: their value is fixed.
    pub constant: bool,
    pub choice: bool,
    /// `optional` on a choice (an unset choice is allowed).
    pub optional: bool,
    /// The choice this symbol is a value of.
    pub choice_of: Option<SymId>,
    /// For a choice: its values, in order.
    pub values: Vec<SymId>,
    pub props: Vec<PropId>,
    pub nodes: Vec<NodeId>,
    pub dir_dep: Option<Expr>,
    pub rev_dep: Option<Expr>,
    pub implied: Option<Expr>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PropKind {
    Prompt,
    Default,
    Select,
    Imply,
    Range,
}

#[derive(Debug, Clone)]
pub struct Prop {
    pub kind: PropKind,
    pub node: NodeId,
    pub loc: Loc,
    /// The prompt text.
    pub text: String,
    /// The default value, the selected or implied symbol, or the range bounds `lo` and
    /// `hi` as a comparison.
    pub expr: Option<Expr>,
    /// The condition as written after `if`.
    pub own_cond: Option<Expr>,
    /// The condition with the node's dependencies (and, for prompts, the enclosing
    /// menus' `visible if`) folded in: kconfig's `visible.expr`.
    pub cond: Option<Expr>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeKind {
    Root,
    Config,
    MenuConfig,
    Choice,
    Menu,
    Comment,
    If,
}

impl NodeKind {
    pub fn keyword(self) -> &'static str {
        match self {
            NodeKind::Root => "mainmenu",
            NodeKind::Config => "config",
            NodeKind::MenuConfig => "menuconfig",
            NodeKind::Choice => "choice",
            NodeKind::Menu => "menu",
            NodeKind::Comment => "comment",
            NodeKind::If => "if",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Node {
    pub kind: NodeKind,
    pub sym: Option<SymId>,
    pub prompt: Option<PropId>,
    pub parent: Option<NodeId>,
    pub children: Vec<NodeId>,
    pub loc: Loc,
    /// `depends on` lines (or the `if` condition) as written, each with its line.
    pub own_deps: Vec<(Expr, Loc)>,
    /// All dependencies including the enclosing nodes': kconfig's `menu->dep`.
    pub dep: Option<Expr>,
    /// `visible if` of a menu.
    pub visibility: Option<Expr>,
}

/// A parsed and finalized Kconfig tree.
#[derive(Debug, Clone)]
pub struct Tree {
    pub(crate) files: Vec<String>,
    pub(crate) symbols: Vec<Symbol>,
    pub(crate) names: HashMap<String, SymId>,
    pub(crate) constants: HashMap<String, SymId>,
    pub(crate) props: Vec<Prop>,
    pub(crate) nodes: Vec<Node>,
    pub(crate) modules: SymId,
    pub(crate) mainmenu: String,
    pub(crate) warnings: Vec<String>,
}

const NO: SymId = SymId(0);
const MODULE: SymId = SymId(1);
const YES: SymId = SymId(2);

impl Tree {
    pub(crate) fn empty() -> Tree {
        let mut tree = Tree {
            files: Vec::new(),
            symbols: Vec::new(),
            names: HashMap::new(),
            constants: HashMap::new(),
            props: Vec::new(),
            nodes: Vec::new(),
            modules: NO,
            mainmenu: String::new(),
            warnings: Vec::new(),
        };
        for letter in ["n", "m", "y"] {
            tree.constant(letter);
        }
        tree.nodes.push(Node {
            kind: NodeKind::Root,
            sym: None,
            prompt: None,
            parent: None,
            children: Vec::new(),
            loc: Loc { file: 0, line: 0 },
            own_deps: Vec::new(),
            dep: None,
            visibility: None,
        });
        tree
    }

    pub fn no(&self) -> SymId {
        NO
    }

    pub fn module(&self) -> SymId {
        MODULE
    }

    pub fn yes(&self) -> SymId {
        YES
    }

    pub(crate) fn root(&self) -> NodeId {
        NodeId(0)
    }

    /// The fixed tristate of a constant `y`/`m`/`n`.
    pub(crate) fn constant_tri(&self, sym: SymId) -> Option<Tri> {
        match sym {
            NO => Some(Tri::No),
            MODULE => Some(Tri::Mod),
            YES => Some(Tri::Yes),
            _ => None,
        }
    }

    fn new_symbol(&mut self, name: &str, constant: bool) -> SymId {
        let id = SymId(self.symbols.len() as u32);
        self.symbols.push(Symbol {
            name: name.to_owned(),
            ty: if constant && id.0 < 3 {
                Type::Tristate
            } else {
                Type::Unknown
            },
            constant,
            choice: false,
            optional: false,
            choice_of: None,
            values: Vec::new(),
            props: Vec::new(),
            nodes: Vec::new(),
            dir_dep: None,
            rev_dep: None,
            implied: None,
        });
        id
    }

    /// A quoted word in an expression (or `y`, `m`, `n`).
    pub(crate) fn constant(&mut self, name: &str) -> SymId {
        if let Some(&id) = self.constants.get(name) {
            return id;
        }
        let id = self.new_symbol(name, true);
        self.constants.insert(name.to_owned(), id);
        id
    }

    /// An unquoted word: a symbol, defined or not (a number like `64` is one too).
    pub(crate) fn lookup(&mut self, name: &str) -> SymId {
        if let Some(&id) = self.constants.get(name).filter(|id| id.0 < 3) {
            return id;
        }
        if let Some(&id) = self.names.get(name) {
            return id;
        }
        let id = self.new_symbol(name, false);
        self.names.insert(name.to_owned(), id);
        id
    }

    pub(crate) fn new_choice(&mut self) -> SymId {
        let id = self.new_symbol("", false);
        self.symbols[id.0 as usize].choice = true;
        id
    }

    pub fn sym(&self, id: SymId) -> &Symbol {
        &self.symbols[id.0 as usize]
    }

    pub(crate) fn sym_mut(&mut self, id: SymId) -> &mut Symbol {
        &mut self.symbols[id.0 as usize]
    }

    pub fn prop(&self, id: PropId) -> &Prop {
        &self.props[id.0 as usize]
    }

    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id.0 as usize]
    }

    pub(crate) fn node_mut(&mut self, id: NodeId) -> &mut Node {
        &mut self.nodes[id.0 as usize]
    }

    /// A defined (typed, non-constant) symbol by name, without `CONFIG_`.
    pub fn find(&self, name: &str) -> Option<SymId> {
        self.names.get(name).copied()
    }

    pub fn symbol_ids(&self) -> impl Iterator<Item = SymId> {
        (0..self.symbols.len() as u32).map(SymId)
    }

    /// How a symbol is written in an expression.
    pub fn spelling(&self, id: SymId) -> String {
        let sym = self.sym(id);
        if sym.choice {
            "<choice>".to_owned()
        } else if sym.constant && id.0 >= 3 {
            format!("\"{}\"", sym.name)
        } else {
            sym.name.clone()
        }
    }

    /// `file:line` of a location.
    pub fn at(&self, loc: Loc) -> At<'_> {
        At { tree: self, loc }
    }

    /// The symbols that have a type: what a `.config` can set.
    pub fn defined(&self) -> impl Iterator<Item = SymId> + '_ {
        self.symbol_ids().filter(|&id| {
            let s = self.sym(id);
            !s.constant && !s.choice && s.ty != Type::Unknown
        })
    }

    /// Warnings the parser printed (kconfig prints them on stderr).
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    pub fn mainmenu(&self) -> &str {
        &self.mainmenu
    }

    /// The number of Kconfig files read.
    pub fn file_count(&self) -> usize {
        self.files.len()
    }

    pub(crate) fn props_of(&self, sym: SymId, kind: PropKind) -> impl Iterator<Item = &Prop> + '_ {
        self.sym(sym)
            .props
            .iter()
            .map(|&p| self.prop(p))
            .filter(move |p| p.kind == kind)
    }
}

/// A location shown as `file:line`.
pub struct At<'a> {
    tree: &'a Tree,
    loc: Loc,
}

impl fmt::Display for At<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let file = self
            .tree
            .files
            .get(self.loc.file as usize)
            .map_or("?", String::as_str);
        write!(f, "{file}:{}", self.loc.line)
    }
}
