//! Placeholders (`{tree}`, `{artifact}`, `{config}`) put into shell command lines as
//! data, never as code.
//!
//! A tree path or an artifact name is whatever the user's disk holds: spaces, quotes,
//! `$(…)`, backticks, newlines. Pasted as it is into `sh -c`, it breaks the command or
//! runs part of itself. Each value is therefore inserted as exactly one shell word, quoted
//! for the place it lands in: bare (`-kernel {tree}/k`), inside double quotes
//! (`"{tree}/k"`) or inside single quotes (`'{tree}/k'`), so that commands written either
//! way keep meaning what their author meant.

/// Quotes `value` as one shell word that the shell reads back unchanged.
pub fn quote(value: &str) -> String {
    format!("'{}'", within_single_quotes(value))
}

/// `value` for the inside of single quotes: each `'` closes them, adds an escaped quote
/// and opens them again.
fn within_single_quotes(value: &str) -> String {
    value.replace('\'', r"'\''")
}

/// Where in the command line a placeholder sits, as far as the shell's quoting goes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Quoting {
    Bare,
    Single,
    Double,
}

/// Replaces each `{name}` of `values` in `command` with its value, quoted for where it
/// stands. Other braces (`${VAR}`, `awk '{print}'`) are left alone.
pub fn substitute(command: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(command.len());
    let mut quoting = Quoting::Bare;
    let mut rest = command;
    while let Some(c) = rest.chars().next() {
        if c == '{' {
            if let Some((value, after)) = placeholder(rest, values) {
                out.push_str(&quoted_for(value, quoting));
                rest = after;
                continue;
            }
        }
        let mut taken = c.len_utf8();
        match (quoting, c) {
            (Quoting::Bare, '\'') => quoting = Quoting::Single,
            (Quoting::Single, '\'') => quoting = Quoting::Bare,
            (Quoting::Bare, '"') => quoting = Quoting::Double,
            (Quoting::Double, '"') => quoting = Quoting::Bare,
            // A backslash outside single quotes takes the next character with it.
            (Quoting::Bare | Quoting::Double, '\\') => {
                taken += rest[taken..].chars().next().map_or(0, char::len_utf8);
            }
            _ => {}
        }
        out.push_str(&rest[..taken]);
        rest = &rest[taken..];
    }
    out
}

/// The value of the placeholder `rest` starts with, and what follows it.
fn placeholder<'a>(rest: &'a str, values: &[(&str, &'a str)]) -> Option<(&'a str, &'a str)> {
    let inner = &rest[1..];
    let end = inner.find('}')?;
    let name = &inner[..end];
    let value = values.iter().find(|(n, _)| *n == name)?.1;
    Some((value, &inner[end + 1..]))
}

fn quoted_for(value: &str, quoting: Quoting) -> String {
    match quoting {
        Quoting::Bare => quote(value),
        Quoting::Single => within_single_quotes(value),
        Quoting::Double => {
            let mut escaped = String::with_capacity(value.len());
            for c in value.chars() {
                if matches!(c, '$' | '`' | '"' | '\\') {
                    escaped.push('\\');
                }
                escaped.push(c);
            }
            escaped
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_placement_gets_its_own_quoting() {
        let values = [("tree", "/a b/it's")];
        assert_eq!(
            substitute("make -C {tree} -s", &values),
            r"make -C '/a b/it'\''s' -s"
        );
        assert_eq!(
            substitute(r#"cat "{tree}/x""#, &values),
            r#"cat "/a b/it's/x""#
        );
        assert_eq!(
            substitute("cat '{tree}/x'", &values),
            r"cat '/a b/it'\''s/x'"
        );
        assert_eq!(
            substitute(r#"echo "\"{tree}""#, &[("tree", "$HOME")]),
            r#"echo "\"\$HOME""#
        );
    }

    #[test]
    fn other_braces_and_unknown_names_stay() {
        let values = [("tree", "/t")];
        assert_eq!(
            substitute("awk '{print $1}' ${HOME} {nope} {", &values),
            "awk '{print $1}' ${HOME} {nope} {"
        );
        assert_eq!(substitute(r"echo \'{tree}", &values), r"echo \''/t'");
    }
}
