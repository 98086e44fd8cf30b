//! Splits one Kconfig file into statements (one logical line each, `\`-continued lines
//! joined), expanding macros in words and strings as kconfig's lexer does, and skipping
//! help texts by their indentation.

use super::expr::Cmp;
use super::macros::{At, Flavor, MacroError, Macros};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kw {
    Bool,
    Choice,
    Comment,
    Config,
    DefBool,
    DefTristate,
    Default,
    Depends,
    EndChoice,
    EndIf,
    EndMenu,
    Help,
    Hex,
    If,
    Imply,
    Int,
    MainMenu,
    Menu,
    MenuConfig,
    Modules,
    On,
    Optional,
    Option,
    Orsource,
    Osource,
    Prompt,
    Range,
    Rsource,
    Select,
    Source,
    String,
    Transitional,
    Tristate,
    Visible,
}

const KEYWORDS: &[(&str, Kw)] = &[
    ("bool", Kw::Bool),
    ("choice", Kw::Choice),
    ("comment", Kw::Comment),
    ("config", Kw::Config),
    ("def_bool", Kw::DefBool),
    ("def_tristate", Kw::DefTristate),
    ("default", Kw::Default),
    ("depends", Kw::Depends),
    ("endchoice", Kw::EndChoice),
    ("endif", Kw::EndIf),
    ("endmenu", Kw::EndMenu),
    ("help", Kw::Help),
    ("hex", Kw::Hex),
    ("if", Kw::If),
    ("imply", Kw::Imply),
    ("int", Kw::Int),
    ("mainmenu", Kw::MainMenu),
    ("menu", Kw::Menu),
    ("menuconfig", Kw::MenuConfig),
    ("modules", Kw::Modules),
    ("on", Kw::On),
    ("optional", Kw::Optional),
    ("option", Kw::Option),
    ("orsource", Kw::Orsource),
    ("osource", Kw::Osource),
    ("prompt", Kw::Prompt),
    ("range", Kw::Range),
    ("rsource", Kw::Rsource),
    ("select", Kw::Select),
    ("source", Kw::Source),
    ("string", Kw::String),
    ("transitional", Kw::Transitional),
    ("tristate", Kw::Tristate),
    ("visible", Kw::Visible),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Or,
    And,
    /// `=`, `!=`, `<`, …: the relations an expression compares symbols with.
    Cmp(Cmp),
    Not,
    Open,
    Close,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tok {
    Kw(Kw),
    /// An unquoted word (a symbol name or number), macros expanded.
    Word(String),
    /// A quoted string, macros expanded.
    Str(String),
    Op(Op),
}

/// One statement: its tokens and the line of its first token.
#[derive(Debug)]
pub enum Statement {
    Tokens {
        tokens: Vec<Tok>,
        line: usize,
    },
    Assign {
        name: String,
        flavor: Flavor,
        line: usize,
    },
}

#[derive(Debug)]
pub struct LexError {
    pub line: usize,
    pub reason: String,
}

impl LexError {
    fn macro_error(line: usize, e: MacroError) -> LexError {
        LexError {
            line,
            reason: e.to_string(),
        }
    }
}

/// The statements of one file, read one at a time (macro definitions must take effect
/// before the next line is expanded).
pub struct FileLexer {
    pub name: String,
    text: String,
    pos: usize,
    line: usize,
    /// Characters kconfig ignores with a warning.
    pub warnings: Vec<String>,
}

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

impl FileLexer {
    pub fn new(name: String, text: String) -> FileLexer {
        FileLexer {
            name,
            text,
            pos: 0,
            line: 1,
            warnings: Vec::new(),
        }
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    fn peek_at(&self, offset: usize) -> Option<u8> {
        self.text.as_bytes().get(self.pos + offset).copied()
    }

    /// The next statement, or `None` at the end of the file. The raw value of an
    /// assignment is returned through `value`.
    pub fn next(
        &mut self,
        macros: &mut Macros<'_>,
        value: &mut String,
    ) -> Result<Option<Statement>, LexError> {
        let mut tokens: Vec<Tok> = Vec::new();
        let mut first_line = self.line;
        loop {
            let Some(b) = self.peek() else {
                return Ok(finish(tokens, first_line));
            };
            match b {
                b' ' | b'\t' | b'\r' => self.pos += 1,
                b'#' => self.skip_to_eol(),
                b'\\' if self.peek_at(1) == Some(b'\n') => {
                    self.pos += 2;
                    self.line += 1;
                }
                b'\\' if self.peek_at(1) == Some(b'\r') && self.peek_at(2) == Some(b'\n') => {
                    self.pos += 3;
                    self.line += 1;
                }
                b'\n' => {
                    self.pos += 1;
                    self.line += 1;
                    if !tokens.is_empty() {
                        let help = tokens == [Tok::Kw(Kw::Help)];
                        let statement = finish(tokens, first_line);
                        if help {
                            self.skip_help();
                        }
                        return Ok(statement);
                    }
                }
                b'"' | b'\'' => {
                    if tokens.is_empty() {
                        first_line = self.line;
                    }
                    let s = self.string(b, macros)?;
                    tokens.push(Tok::Str(s));
                }
                b if is_name_byte(b) || b == b'$' => {
                    if tokens.is_empty() {
                        first_line = self.line;
                    }
                    if let Some(tok) = self.word(macros)? {
                        tokens.push(tok);
                    }
                }
                _ => {
                    if let Some(op) = self.operator() {
                        if let Some(flavor) = assignment(&tokens, op) {
                            let Some(Tok::Word(name)) = tokens.pop() else {
                                unreachable!("assignment() checked for one word");
                            };
                            *value = self.rest_of_line();
                            return Ok(Some(Statement::Assign {
                                name,
                                flavor,
                                line: first_line,
                            }));
                        }
                        match op {
                            OpTok::Op(op) => tokens.push(Tok::Op(op)),
                            OpTok::Assign(_) => {
                                return Err(LexError {
                                    line: self.line,
                                    reason: "`:=` or `+=` outside a variable assignment".into(),
                                })
                            }
                        }
                    } else {
                        let c = self.text[self.pos..].chars().next().unwrap_or('?');
                        self.warnings.push(format!(
                            "{}:{}:warning: ignoring unsupported character '{c}'",
                            self.name, self.line
                        ));
                        self.pos += c.len_utf8();
                    }
                }
            }
        }
    }

    fn skip_to_eol(&mut self) {
        match self.text[self.pos..].find('\n') {
            Some(i) => self.pos += i,
            None => self.pos = self.text.len(),
        }
    }

    fn rest_of_line(&mut self) -> String {
        let start = self.pos;
        self.skip_to_eol();
        let raw = self.text[start..self.pos].trim_start_matches([' ', '\t']);
        raw.trim_end_matches('\r').to_owned()
    }

    fn operator(&mut self) -> Option<OpTok> {
        let two = (self.peek(), self.peek_at(1));
        let (tok, len) = match two {
            (Some(b'|'), Some(b'|')) => (OpTok::Op(Op::Or), 2),
            (Some(b'&'), Some(b'&')) => (OpTok::Op(Op::And), 2),
            (Some(b'!'), Some(b'=')) => (OpTok::Op(Op::Cmp(Cmp::Unequal)), 2),
            (Some(b'<'), Some(b'=')) => (OpTok::Op(Op::Cmp(Cmp::LessEqual)), 2),
            (Some(b'>'), Some(b'=')) => (OpTok::Op(Op::Cmp(Cmp::GreaterEqual)), 2),
            (Some(b':'), Some(b'=')) => (OpTok::Assign(Flavor::Simple), 2),
            (Some(b'+'), Some(b'=')) => (OpTok::Assign(Flavor::Append), 2),
            (Some(b'='), _) => (OpTok::Op(Op::Cmp(Cmp::Equal)), 1),
            (Some(b'<'), _) => (OpTok::Op(Op::Cmp(Cmp::Less)), 1),
            (Some(b'>'), _) => (OpTok::Op(Op::Cmp(Cmp::Greater)), 1),
            (Some(b'!'), _) => (OpTok::Op(Op::Not), 1),
            (Some(b'('), _) => (OpTok::Op(Op::Open), 1),
            (Some(b')'), _) => (OpTok::Op(Op::Close), 1),
            _ => return None,
        };
        self.pos += len;
        Some(tok)
    }

    /// Expands the `$(…)` (or lone `$`) at the cursor; a reference must close on its line.
    fn reference(&mut self, macros: &mut Macros<'_>) -> Result<String, LexError> {
        let line = self.line;
        let rest = self.text[self.pos + 1..].split('\n').next().unwrap_or("");
        let at = At {
            file: &self.name,
            line,
        };
        let (expansion, used) = macros
            .expand_dollar(rest, &[], at)
            .map_err(|e| LexError::macro_error(line, e))?;
        self.pos += 1 + used;
        Ok(expansion)
    }

    /// A word: name characters and `$(…)` references. A word without references may be
    /// a keyword; one whose references expand to nothing is no token at all.
    fn word(&mut self, macros: &mut Macros<'_>) -> Result<Option<Tok>, LexError> {
        let mut out = String::new();
        let mut expanded = false;
        while let Some(b) = self.peek() {
            if is_name_byte(b) {
                out.push(b as char);
                self.pos += 1;
            } else if b == b'$' {
                expanded = true;
                out.push_str(&self.reference(macros)?);
            } else {
                break;
            }
        }
        if expanded {
            return Ok((!out.is_empty()).then_some(Tok::Word(out)));
        }
        Ok(Some(match KEYWORDS.iter().find(|(k, _)| *k == out) {
            Some((_, kw)) => Tok::Kw(*kw),
            None => Tok::Word(out),
        }))
    }

    fn string(&mut self, quote: u8, macros: &mut Macros<'_>) -> Result<String, LexError> {
        self.pos += 1;
        let mut out = String::new();
        loop {
            let Some(b) = self.peek() else {
                return Ok(out);
            };
            match b {
                b'\n' => {
                    self.warnings.push(format!(
                        "{}:{}:warning: multi-line strings not supported",
                        self.name, self.line
                    ));
                    return Ok(out);
                }
                b'\\' => {
                    self.pos += 1;
                    if let Some(c) = self.text[self.pos..].chars().next().filter(|&c| c != '\n') {
                        out.push(c);
                        self.pos += c.len_utf8();
                    }
                }
                b'$' => {
                    let expansion = self.reference(macros)?;
                    out.push_str(&expansion);
                }
                _ if b == quote => {
                    self.pos += 1;
                    return Ok(out);
                }
                _ => {
                    let c = self.text[self.pos..].chars().next().unwrap_or('?');
                    out.push(c);
                    self.pos += c.len_utf8();
                }
            }
        }
    }

    /// Skips a help text: it ends before the first non-blank line indented less than its
    /// first line, or before a line that starts in the first column.
    fn skip_help(&mut self) {
        let mut first_indent: Option<usize> = None;
        while self.pos < self.text.len() {
            let rest = &self.text[self.pos..];
            let line_end = rest.find('\n').map_or(rest.len(), |i| i + 1);
            let line = &rest[..line_end];
            let content = line.trim_end_matches(['\n', '\r']);
            if content.trim_matches([' ', '\t']).is_empty() {
                self.pos += line_end;
                self.line += usize::from(line.ends_with('\n'));
                continue;
            }
            let indent = indentation(content);
            match first_indent {
                // A first line in column 0 makes every indented line that follows help
                // text too, up to the next line in column 0.
                None => first_indent = Some(indent),
                Some(first) if indent < first || indent == 0 => return,
                Some(_) => {}
            }
            self.pos += line_end;
            self.line += usize::from(line.ends_with('\n'));
        }
    }
}

/// Columns of leading blanks, tabs to the next multiple of 8.
fn indentation(line: &str) -> usize {
    let mut ts = 0;
    for b in line.bytes() {
        match b {
            b'\t' => ts = (ts & !7) + 8,
            b' ' => ts += 1,
            _ => break,
        }
    }
    ts
}

#[derive(Clone, Copy)]
enum OpTok {
    Op(Op),
    Assign(Flavor),
}

fn assignment(tokens: &[Tok], op: OpTok) -> Option<Flavor> {
    if !matches!(tokens, [Tok::Word(_)]) {
        return None;
    }
    match op {
        OpTok::Op(Op::Cmp(Cmp::Equal)) => Some(Flavor::Recursive),
        OpTok::Assign(flavor) => Some(flavor),
        OpTok::Op(_) => None,
    }
}

fn finish(tokens: Vec<Tok>, line: usize) -> Option<Statement> {
    (!tokens.is_empty()).then_some(Statement::Tokens { tokens, line })
}

/// The keyword a word that is none was probably meant to be (`depend`, `slect`), if one
/// is a typo away.
pub fn nearest_keyword(word: &str) -> Option<&'static str> {
    KEYWORDS
        .iter()
        .map(|(spelling, _)| (super::why::edit_distance(word, spelling), *spelling))
        .filter(|(distance, spelling)| *distance <= (spelling.len() / 3).max(1))
        .min()
        .map(|(_, spelling)| spelling)
}

/// How a keyword is spelled in a Kconfig file.
pub fn keyword_spelling(kw: Kw) -> &'static str {
    KEYWORDS
        .iter()
        .find(|(_, k)| *k == kw)
        .map_or("?", |(spelling, _)| spelling)
}
