//! Kconfig's macro language: `$(VAR)`, user-defined functions called as `$(name,arg,…)`
//! with `$(1)`… inside, recursive (`=`), simple (`:=`) and appended (`+=`) variables,
//! the built-ins (`shell`, `info`, `warning-if`, `error-if`, `filename`, `lineno`) and
//! environment variables as the last resort.
//!
//! `$(shell,…)` runs for real through [`Shell`], so the expander itself stays
//! deterministic and testable with a shell that answers from a table.

use std::collections::HashMap;

/// How many nested expansions of one variable count as a runaway (Kconfig's own limit).
const MAX_EXPANSION_DEPTH: u32 = 1000;
/// Nested references (`$($($(…)))`) deeper than this are refused.
const MAX_NESTING: u32 = 256;
/// Kconfig reads at most this much of a command's output.
pub const SHELL_OUTPUT_LIMIT: usize = 4095;

/// Runs the command of a `$(shell,…)` and returns what it printed on stdout.
pub trait Shell {
    /// `Err` only when the command could not be started at all.
    fn run(&mut self, command: &str) -> Result<String, String>;

    /// Called with `true` before a simple variable (`:=`) is expanded and `false` after:
    /// its value is kept and used everywhere later, so a shell whose answers are
    /// placeholders for now gives real ones meanwhile.
    fn keeping(&mut self, kept: bool) {
        let _ = kept;
    }

    /// What a reference to a name nothing defines expands to: nothing, except for a
    /// shell whose answers are placeholders for now, where a name built from one stands
    /// for one too (so that a command built from it is known to depend on a probe).
    fn undefined(&self, name: &str) -> String {
        let _ = name;
        String::new()
    }
}

/// Where an expansion happens, for messages and `$(filename)`/`$(lineno)`.
#[derive(Debug, Clone, Copy)]
pub struct At<'a> {
    pub file: &'a str,
    pub line: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MacroError {
    Unterminated(String),
    SelfReference(String),
    TooDeep,
    Arguments {
        function: &'static str,
        expected: &'static str,
    },
    ErrorIf(String),
    Shell {
        command: String,
        reason: String,
    },
}

impl std::fmt::Display for MacroError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MacroError::Unterminated(text) => {
                write!(f, "unterminated reference `$({text}`: missing `)`")
            }
            MacroError::SelfReference(name) => {
                write!(f, "recursive variable `{name}` references itself")
            }
            MacroError::TooDeep => f.write_str("macro expansion nested too deep"),
            MacroError::Arguments { function, expected } => {
                write!(f, "`{function}` takes {expected}")
            }
            MacroError::ErrorIf(message) => f.write_str(message),
            MacroError::Shell { command, reason } => {
                write!(f, "cannot run `$(shell,{command})`: {reason}")
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    Recursive,
    Simple,
    Append,
}

struct Variable {
    value: String,
    recursive: bool,
    depth: u32,
}

/// The variables defined so far, the environment and the shell.
pub struct Macros<'s> {
    nesting: u32,
    variables: HashMap<String, Variable>,
    env: HashMap<String, String>,
    shell: &'s mut dyn Shell,
    /// Lines printed by `$(info …)` and `$(warning-if …)`, in order.
    pub messages: Vec<String>,
}

impl<'s> Macros<'s> {
    pub fn new(env: HashMap<String, String>, shell: &'s mut dyn Shell) -> Macros<'s> {
        Macros {
            nesting: 0,
            variables: HashMap::new(),
            env,
            shell,
            messages: Vec::new(),
        }
    }

    /// `name = value`, `name := value` or `name += value`.
    pub fn assign(
        &mut self,
        name: &str,
        value: &str,
        flavor: Flavor,
        at: At<'_>,
    ) -> Result<(), MacroError> {
        let (recursive, append) = match (self.variables.get(name), flavor) {
            (Some(v), Flavor::Append) => (v.recursive, true),
            (None, Flavor::Append) => (true, false),
            (_, Flavor::Recursive) => (true, false),
            (_, Flavor::Simple) => (false, false),
        };
        let value = if recursive {
            value.to_owned()
        } else {
            self.shell.keeping(true);
            let value = self.expand(value, &[], at);
            self.shell.keeping(false);
            value?
        };
        match self.variables.get_mut(name) {
            Some(v) if append => {
                v.value.push(' ');
                v.value.push_str(&value);
            }
            _ => {
                self.variables.insert(
                    name.to_owned(),
                    Variable {
                        value,
                        recursive,
                        depth: 0,
                    },
                );
            }
        }
        Ok(())
    }

    /// Expands every `$(…)` in `text`.
    pub fn expand(
        &mut self,
        text: &str,
        args: &[String],
        at: At<'_>,
    ) -> Result<String, MacroError> {
        let mut out = String::new();
        let mut rest = text;
        while let Some(dollar) = rest.find('$') {
            out.push_str(&rest[..dollar]);
            let (expansion, used) = self.expand_dollar(&rest[dollar + 1..], args, at)?;
            out.push_str(&expansion);
            rest = &rest[dollar + 1 + used..];
        }
        out.push_str(rest);
        Ok(out)
    }

    /// Expands the reference that starts right after a `$`; returns the expansion and how
    /// many bytes after the `$` it used. A `$` not followed by `(` stands for itself.
    pub fn expand_dollar(
        &mut self,
        after: &str,
        args: &[String],
        at: At<'_>,
    ) -> Result<(String, usize), MacroError> {
        if !after.starts_with('(') {
            return Ok(("$".to_owned(), 0));
        }
        let close =
            matching_paren(after).ok_or_else(|| MacroError::Unterminated(after[1..].to_owned()))?;
        let clause = &after[1..close];
        if self.nesting >= MAX_NESTING {
            return Err(MacroError::TooDeep);
        }
        self.nesting += 1;
        let value = self.eval_clause(clause, args, at);
        self.nesting -= 1;
        Ok((value?, close + 1))
    }

    fn eval_clause(
        &mut self,
        clause: &str,
        args: &[String],
        at: At<'_>,
    ) -> Result<String, MacroError> {
        if let Ok(n) = clause.parse::<usize>() {
            if n > 0 && n <= args.len() {
                return Ok(args[n - 1].clone());
            }
        }
        let parts = split_arguments(clause);
        let name = self.expand(parts[0], args, at)?;
        let mut call_args = Vec::with_capacity(parts.len() - 1);
        for part in &parts[1..] {
            call_args.push(self.expand(part, args, at)?);
        }
        if let Some(value) = self.expand_variable(&name, &call_args, at)? {
            return Ok(value);
        }
        if let Some(value) = self.builtin(&name, &call_args, at)? {
            return Ok(value);
        }
        if call_args.is_empty() {
            if let Some(value) = self.env.get(&name) {
                return Ok(value.clone());
            }
        }
        Ok(self.shell.undefined(&name))
    }

    fn expand_variable(
        &mut self,
        name: &str,
        args: &[String],
        at: At<'_>,
    ) -> Result<Option<String>, MacroError> {
        let Some(variable) = self.variables.get_mut(name) else {
            return Ok(None);
        };
        if args.is_empty() && variable.depth > 0 {
            return Err(MacroError::SelfReference(name.to_owned()));
        }
        if variable.depth > MAX_EXPANSION_DEPTH {
            return Err(MacroError::TooDeep);
        }
        if !variable.recursive {
            return Ok(Some(variable.value.clone()));
        }
        variable.depth += 1;
        let body = variable.value.clone();
        let result = self.expand(&body, args, at);
        if let Some(variable) = self.variables.get_mut(name) {
            variable.depth -= 1;
        }
        result.map(Some)
    }

    fn builtin(
        &mut self,
        name: &str,
        args: &[String],
        at: At<'_>,
    ) -> Result<Option<String>, MacroError> {
        let arity = |function: &'static str, n: usize, expected: &'static str| {
            if args.len() == n {
                Ok(())
            } else {
                Err(MacroError::Arguments { function, expected })
            }
        };
        let value = match name {
            "shell" => {
                arity("shell", 1, "one argument")?;
                let output = self
                    .shell
                    .run(&args[0])
                    .map_err(|reason| MacroError::Shell {
                        command: args[0].clone(),
                        reason,
                    })?;
                shell_words(&output)
            }
            "info" => {
                arity("info", 1, "one argument")?;
                self.messages.push(args[0].clone());
                String::new()
            }
            "warning-if" => {
                arity("warning-if", 2, "two arguments")?;
                if args[0] == "y" {
                    self.messages
                        .push(format!("{}:{}: {}", at.file, at.line, args[1]));
                }
                String::new()
            }
            "error-if" => {
                arity("error-if", 2, "two arguments")?;
                if args[0] == "y" {
                    return Err(MacroError::ErrorIf(args[1].clone()));
                }
                String::new()
            }
            "filename" => {
                arity("filename", 0, "no arguments")?;
                at.file.to_owned()
            }
            "lineno" => {
                arity("lineno", 0, "no arguments")?;
                at.line.to_string()
            }
            _ => return Ok(None),
        };
        Ok(Some(value))
    }
}

/// What `$(shell,…)` yields: the first 4095 bytes of the output, trailing newlines
/// dropped and inner newlines made spaces.
fn shell_words(output: &str) -> String {
    let mut end = output.len().min(SHELL_OUTPUT_LIMIT);
    while !output.is_char_boundary(end) {
        end -= 1;
    }
    output[..end].trim_end_matches('\n').replace('\n', " ")
}

/// The index of the `)` that closes the `(` at index 0.
fn matching_paren(text: &str) -> Option<usize> {
    let mut nest = 0usize;
    for (i, b) in text.bytes().enumerate().skip(1) {
        match b {
            b'(' => nest += 1,
            b')' if nest == 0 => return Some(i),
            b')' => nest -= 1,
            _ => {}
        }
    }
    None
}

/// Splits `name,arg1,arg2` at the commas outside parentheses.
fn split_arguments(clause: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut nest = 0i32;
    let mut start = 0;
    for (i, b) in clause.bytes().enumerate() {
        match b {
            b',' if nest == 0 => {
                parts.push(&clause[start..i]);
                start = i + 1;
            }
            b'(' => nest += 1,
            b')' => nest -= 1,
            _ => {}
        }
    }
    parts.push(&clause[start..]);
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fake shell next to the real one: answers from a table, for the expander's logic.
    struct TableShell(Vec<(&'static str, &'static str)>);

    impl Shell for TableShell {
        fn run(&mut self, command: &str) -> Result<String, String> {
            self.0
                .iter()
                .find(|(c, _)| *c == command)
                .map(|(_, out)| (*out).to_owned())
                .ok_or_else(|| format!("unexpected command {command}"))
        }
    }

    const AT: At<'static> = At {
        file: "Kconfig",
        line: 3,
    };

    #[test]
    fn functions_variables_and_environment() {
        let mut shell = TableShell(vec![("echo hi", "hi\nthere\n\n")]);
        let env = HashMap::from([("ARCH".to_owned(), "x86".to_owned())]);
        let mut m = Macros::new(env, &mut shell);
        m.assign("greet", "$(shell,echo $(1))", Flavor::Recursive, AT)
            .unwrap();
        m.assign("arch", "$(ARCH)", Flavor::Simple, AT).unwrap();
        m.assign("arch", "more", Flavor::Append, AT).unwrap();
        assert_eq!(m.expand("$(greet,hi)", &[], AT).unwrap(), "hi there");
        assert_eq!(m.expand("[$(arch)]", &[], AT).unwrap(), "[x86 more]");
        assert_eq!(m.expand("$(undefined)$x", &[], AT).unwrap(), "$x");
        assert_eq!(
            m.expand("$(filename):$(lineno)", &[], AT).unwrap(),
            "Kconfig:3"
        );
        m.assign("self", "$(self)", Flavor::Recursive, AT).unwrap();
        assert_eq!(
            m.expand("$(self)", &[], AT),
            Err(MacroError::SelfReference("self".into()))
        );
        assert!(matches!(
            m.expand("$(oops", &[], AT),
            Err(MacroError::Unterminated(_))
        ));
        assert_eq!(
            m.expand("$(error-if,y,no compiler)", &[], AT),
            Err(MacroError::ErrorIf("no compiler".into()))
        );
        m.expand("$(warning-if,y,careful)$(info,hello)", &[], AT)
            .unwrap();
        assert_eq!(m.messages, ["Kconfig:3: careful", "hello"]);
    }

    #[test]
    fn simple_variables_expand_once_at_assignment() {
        let mut shell = TableShell(vec![]);
        let mut m = Macros::new(HashMap::new(), &mut shell);
        m.assign("a", "1", Flavor::Simple, AT).unwrap();
        m.assign("b", "$(a)", Flavor::Simple, AT).unwrap();
        m.assign("c", "$(a)", Flavor::Recursive, AT).unwrap();
        m.assign("a", "2", Flavor::Simple, AT).unwrap();
        assert_eq!(m.expand("$(b)$(c)", &[], AT).unwrap(), "12");
    }
}
