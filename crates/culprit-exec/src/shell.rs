//! Placeholders (`{tree}`, `{build}`, `{artifact}`, `{config}`) put into shell command
//! lines as data, never as code.
//!
//! A tree path or an artifact name is whatever the user's disk holds: spaces, quotes,
//! `$(…)`, backticks, newlines. Pasted as it is into `sh -c`, it breaks the command or
//! runs part of itself. Each value is therefore written as the exact text that gives the
//! value back where it lands: bare (`-kernel {tree}/k`), inside `"..."`, inside `'...'`,
//! and, when those quotes hold a script another shell reads (`sh -c '...'`,
//! `ssh host '...'`), quoted for that shell's own quoting too, at any depth
//! (`reading.rs` finds where each placeholder stands).
//!
//! The value itself is written, not a reference to an environment variable holding it:
//! `ssh`, `sudo`, `su -` and containers do not carry culprit's environment, and a
//! reference there would silently become empty.

mod reading;
mod runners;

pub use reading::Refusal;
use reading::{places, Piece, Place, Quoting};

/// Quotes `value` as one shell word that the shell reads back unchanged.
pub fn quote(value: &str) -> String {
    format!("'{}'", within_single_quotes(value))
}

/// `value` for the inside of single quotes: each `'` closes them, adds an escaped quote
/// and opens them again.
fn within_single_quotes(value: &str) -> String {
    value.replace('\'', r"'\''")
}

/// `value` for the inside of double quotes: the four characters special there escaped.
fn within_double_quotes(value: &str) -> String {
    let mut escaped = String::with_capacity(value.len());
    for c in value.chars() {
        if matches!(c, '$' | '`' | '"' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

/// A placeholder that stands where no quoting gives its exact value.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("puts `{{{placeholder}}}` {}", refusal.advice())]
pub struct Refused {
    pub placeholder: String,
    /// Where the placeholder starts in the command, in bytes.
    pub offset: usize,
    pub refusal: Refusal,
}

/// Replaces each `{name}` of `values` in `command` with the text that gives exactly its
/// value where it stands. Other braces (`${VAR}`, `awk '{print}'`) are left alone.
pub fn substitute(command: &str, values: &[(&str, &str)]) -> Result<String, Refused> {
    let names: Vec<&str> = values.iter().map(|(name, _)| *name).collect();
    let (pieces, holes) = split(command, &names);
    let found = places(&pieces).map_err(|(id, refusal)| Refused {
        placeholder: names[holes[id].1].to_string(),
        offset: holes[id].0.start,
        refusal,
    })?;
    let mut texts = vec![String::new(); holes.len()];
    for (id, place) in found {
        if let Place::Read(quotings) = place {
            let value = values[holes[id].1].1;
            texts[id] = quotings
                .iter()
                .rev()
                .fold(value.to_string(), |text, quoting| {
                    quoted_for(&text, *quoting)
                });
        }
    }
    let mut out = String::with_capacity(command.len());
    let mut from = 0;
    for ((range, _), text) in holes.iter().zip(&texts) {
        out.push_str(&command[from..range.start]);
        out.push_str(text);
        from = range.end;
    }
    out.push_str(&command[from..]);
    Ok(out)
}

/// Checks that every placeholder of `names` in `command` stands where its value can be
/// given exactly (whatever the value), as [`substitute`] will need.
pub fn check(command: &str, names: &[&str]) -> Result<(), Refused> {
    let values: Vec<(&str, &str)> = names.iter().map(|name| (*name, "")).collect();
    substitute(command, &values).map(drop)
}

/// `command` as characters and placeholders, and where each placeholder is (its byte
/// range, and the index of its name in `names`).
fn split(command: &str, names: &[&str]) -> (Vec<Piece>, Vec<(std::ops::Range<usize>, usize)>) {
    let mut pieces = Vec::with_capacity(command.len());
    let mut holes = Vec::new();
    let mut at = 0;
    while let Some(c) = command[at..].chars().next() {
        let name = (c == '{')
            .then(|| command[at + 1..].split_once('}'))
            .flatten()
            .and_then(|(name, _)| names.iter().position(|n| *n == name));
        match name {
            Some(index) => {
                let end = at + names[index].len() + 2;
                pieces.push(Piece::Hole(holes.len()));
                holes.push((at..end, index));
                at = end;
            }
            None => {
                pieces.push(Piece::Char(c));
                at += c.len_utf8();
            }
        }
    }
    (pieces, holes)
}

fn quoted_for(value: &str, quoting: Quoting) -> String {
    match quoting {
        Quoting::Bare => quote(value),
        Quoting::Single => within_single_quotes(value),
        Quoting::Double => within_double_quotes(value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expand(command: &str, value: &str) -> String {
        substitute(command, &[("tree", value)]).unwrap()
    }

    #[test]
    fn each_placement_gets_its_own_quoting() {
        let tree = "/a b/it's";
        assert_eq!(
            expand("make -C {tree} -s", tree),
            r"make -C '/a b/it'\''s' -s"
        );
        assert_eq!(expand(r#"cat "{tree}/x""#, tree), r#"cat "/a b/it's/x""#);
        assert_eq!(expand("cat '{tree}/x'", tree), r"cat '/a b/it'\''s/x'");
        assert_eq!(expand(r#"echo "\"{tree}""#, "$HOME"), r#"echo "\"\$HOME""#);
    }

    #[test]
    fn a_script_for_another_shell_is_quoted_for_both() {
        let tree = "/a b/it's";
        assert_eq!(
            expand("sh -c 'cat {tree}/x'", tree),
            r"sh -c 'cat '\''/a b/it'\''\'\'''\''s'\''/x'"
        );
        assert_eq!(
            expand(r#"sh -c "cat {tree}""#, "$x"),
            r#"sh -c "cat '\$x'""#
        );
        assert_eq!(
            expand(r#"ssh host 'cd "{tree}"'"#, "$x"),
            r#"ssh host 'cd "\$x"'"#
        );
    }

    #[test]
    fn other_braces_unknown_names_and_comments_stay() {
        assert_eq!(
            expand("awk '{print $1}' ${HOME} {nope} {", "/t"),
            "awk '{print $1}' ${HOME} {nope} {"
        );
        assert_eq!(expand(r"echo \'{tree}", "/t"), r"echo \''/t'");
        assert_eq!(expand("true # {tree}\necho", "a\nb"), "true # \necho");
    }

    #[test]
    fn places_without_an_exact_quoting_are_refused() {
        let refusal = |command: &str| check(command, &["tree"]).unwrap_err().refusal;
        assert_eq!(refusal("echo `cat {tree}`"), Refusal::Backticks);
        assert_eq!(refusal("echo $'{tree}'"), Refusal::AnsiC);
        assert_eq!(refusal("cat <<EOF\n{tree}\nEOF"), Refusal::HereDocument);
        assert_eq!(refusal(r"echo \{tree}"), Refusal::Escaped);
        assert_eq!(refusal(r#"sh -c "echo \{tree}""#), Refusal::Escaped);
        assert_eq!(refusal("echo ${X:-{tree}}"), Refusal::Expansion);
        assert_eq!(refusal("sh -c 'echo `ls {tree}`'"), Refusal::Backticks);
        assert!(check("cat {tree} <<EOF\nx\nEOF", &["tree"]).is_ok());
        assert!(check("echo \"$(cat {tree})\" $((1+2))", &["tree"]).is_ok());
    }
}
