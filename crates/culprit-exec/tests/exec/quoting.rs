//! A placeholder's value reaches the program exactly, wherever the author put it: bare,
//! in `"..."`, in `'...'`, in a script another shell reads (`sh -c '...'`,
//! `bash -c "..."`, `eval '...'`), nested two shells deep, through real dash and bash;
//! and nothing the value holds runs; and every place the value stands in, through one
//! `sh -c`, for each value.

use culprit_exec::shell::substitute;
use proptest::prelude::*;
use std::process::Command;

/// Text that shells treat specially, mixed with ordinary text.
fn hostile() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("$(touch pwned)".to_string()),
        Just("`touch pwned`".to_string()),
        Just(";touch pwned;".to_string()),
        Just("' ; touch pwned; '".to_string()),
        Just("\" ; touch pwned; \"".to_string()),
        Just("'".to_string()),
        Just("\"".to_string()),
        Just("\\".to_string()),
        Just("\\'".to_string()),
        Just(" ".to_string()),
        Just("\n".to_string()),
        Just("\t".to_string()),
        Just("$HOME".to_string()),
        Just("${HOME}".to_string()),
        Just("*".to_string()),
        Just("?".to_string()),
        Just("[a]".to_string()),
        Just("-n".to_string()),
        Just("--".to_string()),
        Just("{tree}".to_string()),
        "[a-z0-9./-]{1,4}",
        any::<char>()
            .prop_filter("no NUL in a command line", |c| *c != '\0')
            .prop_map(String::from),
    ];
    prop::collection::vec(piece, 0..10).prop_map(|pieces| pieces.concat())
}

/// Where the innermost script puts the placeholder, and what `printf %s` prints
/// around the value; the first [`SINGLE_SHELL`] are read by one shell as they stand.
const PLACES: &[(&str, &str, &str)] = &[
    ("printf %s {tree}", "", ""),
    ("printf %s x{tree}y", "x", "y"),
    ("printf %s \"{tree}\"", "", ""),
    ("printf %s \"in $(echo side) {tree}.\"", "in side ", "."),
    ("printf %s '{tree}'", "", ""),
    ("printf %s 'a {tree} b'", "a ", " b"),
    ("cd / && printf %s {tree}/k", "", "/k"),
    ("printf %s \"$(printf %s {tree})\"", "", ""),
];

const SINGLE_SHELL: usize = 6;

/// How a script is handed to another shell, as an author writes it.
#[derive(Clone, Copy, Debug)]
enum Wrap {
    /// `SHELL -c '...'` (the shell given with its options)
    Single(&'static str),
    /// `SHELL -c "..."`
    Double(&'static str),
    /// `eval '...'`
    Eval,
}

fn wrap(script: &str, how: Wrap) -> String {
    let single = |s: &str| format!("'{}'", s.replace('\'', r"'\''"));
    match how {
        Wrap::Single(shell) => format!("{shell} {}", single(script)),
        Wrap::Double(shell) => {
            let mut escaped = String::new();
            for c in script.chars() {
                if matches!(c, '$' | '`' | '"' | '\\') {
                    escaped.push('\\');
                }
                escaped.push(c);
            }
            format!("{shell} \"{escaped}\"")
        }
        Wrap::Eval => format!("eval {}", single(script)),
    }
}

fn wraps() -> impl Strategy<Value = Vec<Wrap>> {
    let one = prop_oneof![
        Just(Wrap::Single("sh -c")),
        Just(Wrap::Single("bash -c")),
        Just(Wrap::Single("bash -lc")),
        Just(Wrap::Single("timeout 60 /bin/dash -ec")),
        Just(Wrap::Single("bash -o pipefail -c")),
        Just(Wrap::Double("sh -c")),
        Just(Wrap::Double("bash -lc")),
        Just(Wrap::Eval),
    ];
    prop::collection::vec(one, 0..=2)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn the_program_receives_exactly_the_value(
        value in hostile(),
        place in 0..PLACES.len(),
        wrappers in wraps(),
        outer in prop_oneof![Just("sh"), Just("bash")],
    ) {
        let (script, before, after) = PLACES[place];
        // Values holding a trailing newline lose it in `$(...)`, by the shell's rules.
        prop_assume!(!(script.contains("$(printf") && value.ends_with('\n')));
        let template = wrappers.iter().fold(script.to_string(), |s, how| wrap(&s, *how));
        let command = substitute(&template, &[("tree", &value)]).unwrap();
        let dir = tempfile::tempdir().unwrap();
        // A file for an unquoted `*`, `?` or `[a]` to match.
        std::fs::write(dir.path().join("a"), "").unwrap();
        let out = Command::new(outer)
            .arg("-c")
            .arg(&command)
            .current_dir(dir.path())
            .env("HOME", "/home-of-the-test")
            .output()
            .unwrap();
        prop_assert!(out.status.success(), "{command:?}: {}", String::from_utf8_lossy(&out.stderr));
        prop_assert_eq!(
            out.stdout,
            format!("{before}{value}{after}").into_bytes(),
            "template {:?} became {:?}",
            template,
            command
        );
        prop_assert!(!dir.path().join("pwned").exists(), "{command:?} ran part of the value");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Through one real `sh -c`, at every place that needs no `$(...)` around the value.
    #[test]
    fn a_value_is_one_word_whatever_it_holds(value in hostile()) {
        let dir = tempfile::tempdir().unwrap();
        for (template, before, after) in &PLACES[..SINGLE_SHELL] {
            let command = substitute(template, &[("tree", &value)]).unwrap();
            let out = Command::new("sh")
                .arg("-c")
                .arg(&command)
                .current_dir(dir.path())
                .output()
                .unwrap();
            prop_assert!(out.status.success(), "{command:?}: {}", String::from_utf8_lossy(&out.stderr));
            prop_assert_eq!(
                String::from_utf8_lossy(&out.stdout),
                format!("{before}{value}{after}"),
                "{:?}",
                command
            );
            prop_assert!(!dir.path().join("pwned").exists(), "{command:?} ran part of the value");
        }
    }
}
