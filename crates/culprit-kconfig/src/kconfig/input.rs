//! The user's side: `.config` files and fragments read as kconfig's `conf_read_simple`
//! reads them (every assignment remembered with its file and line, so a reason can say
//! "set at prj.conf:4"), and applied to the symbols.

use std::path::Path;

use super::error::KconfigError;
use super::eval::Evaluator;
use super::expr::Tri;
use super::tree::{SymId, Type};

/// Where an assignment was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub file: String,
    pub line: usize,
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// `CONFIG_NAME=value` or `# CONFIG_NAME is not set` (value `n`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    /// Without the `CONFIG_` prefix.
    pub name: String,
    /// As written after `=` (strings still quoted).
    pub raw: String,
    pub origin: Origin,
}

/// The assignments of one or more files, in order (later ones win).
#[derive(Debug, Clone, Default)]
pub struct Input {
    pub assignments: Vec<Assignment>,
    /// Lines kconfig would warn about (and skip).
    pub warnings: Vec<String>,
    /// Whether any file was read: kconfig treats "no .config" differently.
    pub any_file: bool,
}

const PREFIX: &str = "CONFIG_";

impl Input {
    /// Appends a file's assignments. With `strict`, a line that is neither an assignment
    /// nor a comment is an error naming file and line; otherwise it is a warning, as in
    /// kconfig.
    pub fn read(&mut self, path: &Path, strict: bool) -> Result<(), KconfigError> {
        let bytes = std::fs::read(path).map_err(|source| KconfigError::Io {
            path: path.to_owned(),
            source,
        })?;
        self.parse(
            &String::from_utf8_lossy(&bytes),
            &path.display().to_string(),
            strict,
        )
    }

    pub fn parse(&mut self, text: &str, file: &str, strict: bool) -> Result<(), KconfigError> {
        self.any_file = true;
        for (index, line) in text.split('\n').enumerate() {
            let line_no = index + 1;
            let line = line.strip_suffix('\r').unwrap_or(line);
            let origin = Origin {
                file: file.to_owned(),
                line: line_no,
            };
            if let Some(comment) = line.strip_prefix('#') {
                if let Some((name, raw)) = unset_line(comment) {
                    self.assignments.push(Assignment { name, raw, origin });
                }
                continue;
            }
            if let Some(rest) = line.strip_prefix(PREFIX) {
                if let Some((name, raw)) = rest.split_once('=') {
                    self.assignments.push(Assignment {
                        name: name.to_owned(),
                        raw: raw.to_owned(),
                        origin,
                    });
                }
                continue;
            }
            if !line.is_empty() {
                let shown: String = line.chars().take(80).collect();
                if strict {
                    return Err(KconfigError::Syntax {
                        file: file.to_owned(),
                        line: line_no,
                        reason: format!(
                            "expected `CONFIG_NAME=value`, `# CONFIG_NAME is not set` or a comment, found `{shown}`"
                        ),
                    });
                }
                self.warnings.push(format!(
                    "{file}:{line_no}:warning: unexpected data: {shown}"
                ));
            }
        }
        Ok(())
    }
}

fn unset_line(comment: &str) -> Option<(String, String)> {
    let rest = comment.strip_prefix(' ')?.strip_prefix(PREFIX)?;
    let (name, tail) = rest.split_once(' ')?;
    tail.starts_with("is not set")
        .then(|| (name.to_owned(), "n".to_owned()))
}

/// What happened to an assignment when it was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reading {
    Taken,
    /// No symbol of that name.
    Unknown,
    /// The text is not a value of the symbol's type.
    Invalid(String),
    /// A string without quotes, which kconfig skips silently.
    Unquoted,
}

/// kconfig's `conf_set_sym_val` plus the choice bookkeeping of `conf_read_simple`.
pub(crate) fn apply(ev: &mut Evaluator<'_>, input: &Input) -> Vec<(SymId, Reading)> {
    let tree = ev.tree;
    if input.any_file {
        for id in tree.symbol_ids().filter(|&id| tree.sym(id).choice) {
            let s = ev.state_mut(id);
            s.has_user = true;
            s.user_tri = Tri::No;
            s.user_choice = None;
        }
    }
    let mut readings = Vec::with_capacity(input.assignments.len());
    for a in &input.assignments {
        let Some(id) = tree.find(&a.name) else {
            readings.push((tree.no(), Reading::Unknown));
            continue;
        };
        let reading = set_value(ev, id, &a.raw);
        if reading == Reading::Taken {
            if let Some(choice) = tree.sym(id).choice_of {
                let tri = ev.state(id).user_tri;
                if tri == Tri::Mod && ev.state(choice).user_tri == Tri::Yes {
                    ev.state_mut(choice).has_user = false;
                }
                if tri == Tri::Yes {
                    ev.state_mut(choice).user_choice = Some(id);
                }
                let c = ev.state_mut(choice);
                c.user_tri = c.user_tri.or(tri);
            }
        }
        readings.push((id, reading));
    }
    readings
}

fn set_value(ev: &mut Evaluator<'_>, id: SymId, raw: &str) -> Reading {
    let ty = ev.tree.sym(id).ty;
    let first = raw.bytes().next();
    let s = ev.state_mut(id);
    match ty {
        Type::Bool | Type::Tristate => {
            let tri = match first {
                Some(b'm') if ty == Type::Tristate => Tri::Mod,
                Some(b'y') => Tri::Yes,
                Some(b'n') => Tri::No,
                _ => return Reading::Invalid(format!("`{raw}` is not a {} value", ty.name())),
            };
            s.user_tri = tri;
            s.has_user = true;
            Reading::Taken
        }
        Type::String => {
            let Some(quoted) = raw.strip_prefix('"') else {
                return Reading::Unquoted;
            };
            match unescape(quoted) {
                Some(text) => {
                    s.user_val = Some(text);
                    s.has_user = true;
                    Reading::Taken
                }
                None => Reading::Invalid("unterminated string".to_owned()),
            }
        }
        Type::Int | Type::Hex => {
            let valid = if ty == Type::Int {
                super::number::valid_int(raw)
            } else {
                super::number::valid_hex(raw)
            };
            if !valid {
                return Reading::Invalid(format!("`{raw}` is not a valid {}", ty.name()));
            }
            s.user_val = Some(raw.to_owned());
            s.has_user = true;
            Reading::Taken
        }
        Type::Unknown => Reading::Taken,
    }
}

/// The string up to the closing quote, backslashes removed; `None` without one.
fn unescape(quoted: &str) -> Option<String> {
    let mut out = String::new();
    let mut chars = quoted.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => return Some(out),
            '\\' => out.push(chars.next()?),
            _ => out.push(c),
        }
    }
    None
}
