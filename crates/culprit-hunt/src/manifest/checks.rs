//! What `Manifest::parse` checks beyond the TOML's shape: test names, paths that must
//! stay inside each worker's tree or build directory, commands (placeholders, the
//! program they start), and where in the file a mistake is.

use super::quoting;
use super::{PATH_PLACEHOLDERS, PLACEHOLDERS, SHAPE_RUN};
use std::path::{Path, PathBuf};

/// Names a test cannot take, because another run of the step has them (and writes
/// `NAME.log`), with who has it.
pub(super) const RESERVED_NAMES: &[(&str, &str)] = &[
    (SHAPE_RUN, "the [[shape]] checks"),
    ("build", "the [build] command"),
    ("normalize", "the [config] normalizer"),
];

/// Accepts a path that is plain or starts with `{tree}/` or `{build}/`, and stays inside
/// that directory: each worker has its own worktree and build directory, so a path that
/// leaves them would be shared by all workers (and overwrite a file of the user's).
pub(super) fn check_path(path: &Path) -> Result<(), String> {
    use std::path::Component;
    let text = path.to_string_lossy();
    let rest = match text.strip_prefix('{') {
        None => &*text,
        Some(rest) => match rest.split_once('}') {
            Some((name, tail)) if PATH_PLACEHOLDERS.contains(&name) => tail.trim_start_matches('/'),
            _ => {
                return Err(format!(
                    "`{text}`: a path may start with {{tree}} or {{build}} and use no other placeholder"
                ))
            }
        },
    };
    if rest.contains('{') {
        return Err(format!("`{text}` may use a placeholder only at its start"));
    }
    let escapes = Path::new(rest).components().any(|c| {
        matches!(
            c,
            Component::RootDir | Component::Prefix(_) | Component::ParentDir
        )
    });
    if escapes || rest.is_empty() {
        return Err(format!(
            "`{text}` must be a path inside the tree (like \".config\") or the build directory (like \"{{build}}/.config\"), relative to it: each worker has its own copy"
        ));
    }
    Ok(())
}

/// Where a configured path is: under the build directory for `{build}/...`, else under
/// the tree (`{tree}/...` or relative).
pub fn resolve_path(path: &Path, tree: &Path, build: &Path) -> PathBuf {
    let text = path.to_string_lossy();
    if let Some(rest) = text.strip_prefix("{build}") {
        build.join(rest.trim_start_matches('/'))
    } else if let Some(rest) = text.strip_prefix("{tree}") {
        tree.join(rest.trim_start_matches('/'))
    } else {
        tree.join(path)
    }
}

/// Rejects empty commands, unknown `{placeholders}` and placeholders where no quoting
/// gives their exact value (`text` is the file's, to name the line).
pub(super) fn check_command(command: &str, text: &str) -> Result<(), String> {
    static BRACES: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"\{([A-Za-z0-9_]*)\}").expect("a valid pattern")
    });
    if command.trim().is_empty() {
        return Err("is empty: give the shell command to run".into());
    }
    for cap in BRACES.captures_iter(command) {
        let name = &cap[1];
        if !PLACEHOLDERS.contains(&name) {
            return Err(format!(
                "uses the unknown placeholder `{{{name}}}`; known ones are {}",
                PLACEHOLDERS
                    .iter()
                    .map(|p| format!("{{{p}}}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }
    culprit_exec::shell::check(command, PLACEHOLDERS)
        .map_err(|refused| format!("{}{refused}", quoting::line_of(text, command, &refused)))
}

/// The program a shell command line starts first, when it is a plain name looked up on
/// PATH (paths and shell syntax are left to the shell).
pub(super) fn first_program(command: &str) -> Option<String> {
    const SHELL_WORDS: &[&str] = &[
        // Reserved words and grouping.
        "if", "for", "while", "until", "case", "{", "(", "!", // POSIX special built-ins.
        ":", ".", "break", "continue", "eval", "exec", "exit", "export", "readonly", "return",
        "set", "shift", "times", "trap", "unset",
        // Regular built-ins of sh (dash, bash) that need no program on PATH.
        "alias", "bg", "cd", "command", "false", "fg", "getopts", "hash", "jobs", "kill", "local",
        "pwd", "read", "true", "type", "ulimit", "umask", "unalias", "wait",
        // Built-ins that also exist as programs, and bash's own.
        "test", "[", "echo", "printf", "source", "builtin",
    ];
    let mut words = command.split_whitespace();
    let word = loop {
        let word = words.next()?;
        if !word.contains('=') || word.starts_with('=') {
            break word;
        }
        // `V=$(cmd -n 1)` or `V="a b"`: splitting on blanks no longer finds the words
        // the shell sees.
        if word.contains(['$', '`', '\'', '"', '\\']) {
            return None;
        }
    };
    let plain = word
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_.+".contains(c));
    (plain && !word.starts_with('-') && !SHELL_WORDS.contains(&word)).then(|| word.to_string())
}

pub(super) fn on_path(program: &str) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::env::var_os("PATH").is_some_and(|path| {
        std::env::split_paths(&path).any(|dir| {
            std::fs::metadata(dir.join(program))
                .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
    })
}

pub(super) fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::first_program;

    #[test]
    fn the_first_program_is_found_after_plain_assignments_only() {
        let cases: &[(&str, Option<&str>)] = &[
            ("qemu-system-x86_64 -m 256", Some("qemu-system-x86_64")),
            ("A=1 B=2 make -j2", Some("make")),
            ("if true; then x; fi", None),
            ("./boot.sh", None),
            // The shell's words are not the blank-separated ones here.
            ("v=$(head -n 1 image); west build", None),
            ("v=`head -n 1 image` west build", None),
            ("V=\"a b\" west build", None),
            ("-n", None),
        ];
        for (command, program) in cases {
            assert_eq!(first_program(command).as_deref(), *program, "{command}");
        }
    }
}
