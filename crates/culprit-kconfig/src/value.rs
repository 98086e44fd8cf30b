//! One option's value, as Kconfig and KEY=VALUE files spell it.

use std::fmt;

/// The value of one option.
///
/// `Bool(false)` (`CONFIG_X=n`, as fragments write it) and `Unset` (`# CONFIG_X is not
/// set`, as `.config` writes it) are kept apart so a file round-trips as written, but
/// [`Value::same_effect`] treats them as one: Kconfig gives both the same meaning.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Value {
    Bool(bool),
    Module,
    Str(String),
    Int(i64),
    Hex(u64),
    Unset,
    /// An unquoted value of a plain KEY=VALUE file (`MODE=release`); Kconfig files always
    /// quote strings, so there it is a syntax error.
    Word(String),
}

impl Value {
    /// Whether two values mean the same thing to the build: `n` and "not set" are one,
    /// a number is the same in decimal and in hex, and a plain word equals the same
    /// quoted string.
    pub fn same_effect(&self, other: &Value) -> bool {
        match (self.canonical(), other.canonical()) {
            (Canonical::Number(a), Canonical::Number(b)) => a == b,
            (Canonical::Text(a), Canonical::Text(b)) => a == b,
            (a, b) => a == b,
        }
    }

    /// Whether the value disables the option.
    pub fn is_off(&self) -> bool {
        matches!(self, Value::Bool(false) | Value::Unset)
    }

    fn canonical(&self) -> Canonical<'_> {
        match self {
            Value::Bool(false) | Value::Unset => Canonical::Off,
            Value::Bool(true) => Canonical::On,
            Value::Module => Canonical::Module,
            Value::Int(i) => Canonical::Number(i128::from(*i)),
            Value::Hex(h) => Canonical::Number(i128::from(*h)),
            Value::Str(s) | Value::Word(s) => Canonical::Text(s),
        }
    }

    /// A spelling that is equal for values with the same effect, for hashing.
    pub(crate) fn normalized(&self) -> String {
        match self.canonical() {
            Canonical::Off => "n".to_owned(),
            Canonical::On => "y".to_owned(),
            Canonical::Module => "m".to_owned(),
            Canonical::Number(n) => n.to_string(),
            Canonical::Text(s) => quote(s),
        }
    }

    /// Reads the right-hand side of `CONFIG_X=...`, where strings must be quoted.
    pub(crate) fn parse_kconfig(raw: &str) -> Result<Value, String> {
        if raw.starts_with('"') {
            return unquote(raw).map(Value::Str);
        }
        match raw {
            "" => Err("empty value (write \"\" for an empty string)".to_owned()),
            "y" => Ok(Value::Bool(true)),
            "n" => Ok(Value::Bool(false)),
            "m" => Ok(Value::Module),
            _ => parse_number(raw)
                .ok_or_else(|| "expected y, n, m, a number or a quoted string".to_owned()),
        }
    }

    /// Reads the right-hand side of a plain `KEY=VALUE` line, where anything unquoted
    /// that is not a Kconfig value is a word.
    pub(crate) fn parse_plain(raw: &str) -> Result<Value, String> {
        if raw.starts_with('"') {
            return unquote(raw).map(Value::Str);
        }
        match Value::parse_kconfig(raw) {
            Ok(value) => Ok(value),
            Err(_) => Ok(Value::Word(raw.to_owned())),
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Canonical<'a> {
    Off,
    On,
    Module,
    Number(i128),
    Text(&'a str),
}

/// The text after `=`, as a file of either format writes it.
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Bool(true) => f.write_str("y"),
            Value::Bool(false) | Value::Unset => f.write_str("n"),
            Value::Module => f.write_str("m"),
            Value::Str(s) => f.write_str(&quote(s)),
            Value::Int(i) => write!(f, "{i}"),
            Value::Hex(h) => write!(f, "{h:#x}"),
            Value::Word(w) => f.write_str(w),
        }
    }
}

fn parse_number(raw: &str) -> Option<Value> {
    let hex = raw.strip_prefix("0x").or_else(|| raw.strip_prefix("0X"));
    if let Some(digits) = hex {
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        return u64::from_str_radix(digits, 16).ok().map(Value::Hex);
    }
    let digits = raw.strip_prefix('-').unwrap_or(raw);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    raw.parse().ok().map(Value::Int)
}

/// Kconfig's string syntax: double quotes, with `\"` and `\\` escaped.
pub(crate) fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

fn unquote(raw: &str) -> Result<String, String> {
    let mut out = String::new();
    let mut chars = raw.chars().skip(1);
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(escaped) => out.push(escaped),
                None => return Err("unterminated string".to_owned()),
            },
            '"' => {
                return if chars.next().is_none() {
                    Ok(out)
                } else {
                    Err("text after the closing quote".to_owned())
                };
            }
            _ => out.push(c),
        }
    }
    Err("unterminated string".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kconfig_values_are_typed() {
        assert_eq!(Value::parse_kconfig("y"), Ok(Value::Bool(true)));
        assert_eq!(Value::parse_kconfig("m"), Ok(Value::Module));
        assert_eq!(Value::parse_kconfig("-12"), Ok(Value::Int(-12)));
        assert_eq!(Value::parse_kconfig("0x1F"), Ok(Value::Hex(0x1f)));
        assert_eq!(
            Value::parse_kconfig(r#""a \"b\" \\ c""#),
            Ok(Value::Str(r#"a "b" \ c"#.to_owned()))
        );
        assert!(Value::parse_kconfig("release").is_err());
        assert!(Value::parse_kconfig("\"open").is_err());
        assert!(Value::parse_kconfig("\"a\" b").is_err());
        assert!(Value::parse_kconfig("0x").is_err());
        assert!(Value::parse_kconfig("99999999999999999999").is_err());
    }

    #[test]
    fn plain_words_are_kept() {
        assert_eq!(
            Value::parse_plain("release"),
            Ok(Value::Word("release".to_owned()))
        );
        assert_eq!(Value::parse_plain("7"), Ok(Value::Int(7)));
    }

    #[test]
    fn same_effect_merges_spellings_of_one_meaning() {
        assert!(Value::Unset.same_effect(&Value::Bool(false)));
        assert!(Value::Int(16).same_effect(&Value::Hex(0x10)));
        assert!(Value::Word("a".into()).same_effect(&Value::Str("a".into())));
        assert!(!Value::Bool(true).same_effect(&Value::Module));
        assert!(!Value::Unset.same_effect(&Value::Str(String::new())));
    }

    #[test]
    fn display_writes_file_syntax() {
        assert_eq!(Value::Hex(0x1f).to_string(), "0x1f");
        assert_eq!(Value::Str("x\"y".into()).to_string(), r#""x\"y""#);
        assert_eq!(Value::Unset.to_string(), "n");
    }
}
