//! Naming the line of culprit.toml that holds a refused placeholder.

use culprit_exec::shell::Refused;

/// `(line N) ` for the line of the file `text` that holds the command's line with the
/// refused placeholder, as written literally or as a TOML basic string writes it; empty
/// when no line of the file holds it.
pub(super) fn line_of(text: &str, command: &str, refused: &Refused) -> String {
    let start = command[..refused.offset].rfind('\n').map_or(0, |n| n + 1);
    let end = command[refused.offset..]
        .find('\n')
        .map_or(command.len(), |n| refused.offset + n);
    let written = command[start..end].trim();
    let escaped = written.replace('\\', r"\\").replace('"', r#"\""#);
    text.lines()
        .position(|line| line.contains(written) || line.contains(&escaped))
        .map_or_else(String::new, |index| format!("(line {}) ", index + 1))
}

#[cfg(test)]
mod tests {
    use super::line_of;
    use culprit_exec::shell::check;

    #[test]
    fn the_line_is_found_as_written_or_escaped() {
        let command = "make\nsh -c \"echo `cat {tree}`\"";
        let refused = check(command, &["tree"]).unwrap_err();
        let literal = "[build]\ncommand = '''\nmake\nsh -c \"echo `cat {tree}`\"\n'''\n";
        assert_eq!(line_of(literal, command, &refused), "(line 4) ");
        let basic = "[build]\ncommand = \"make\\nsh -c \\\"echo `cat {tree}`\\\"\"\n";
        assert_eq!(line_of(basic, command, &refused), "(line 2) ");
        assert_eq!(line_of("", command, &refused), "");
    }
}
