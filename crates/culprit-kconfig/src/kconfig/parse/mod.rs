//! Reads a Kconfig tree from its top file: statements into menu nodes, symbols and
//! properties, following `source` (and kconfiglib's `rsource`/`osource`/`orsource`,
//! with globs) through the files.
//!
//! This module owns the files (the stack of open ones, `source`, errors with file:line);
//! the grammar is cut by what it builds: [`blocks`] the entries and the blocks that nest
//! them, [`properties`] what an entry says of its symbol, [`condition`] the expressions
//! they share, [`tokens`] the words of a statement.

mod blocks;
mod condition;
mod properties;
mod tokens;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::error::KconfigError;
use super::glob;
use super::lexer::{FileLexer, Kw, Statement};
use super::macros::{At, Macros, Shell};
use super::tree::{Loc, NodeId, NodeKind, SymId, Tree};
use blocks::unclosed;

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
}
