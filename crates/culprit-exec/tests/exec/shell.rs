//! Placeholder values reach the command as exactly the text they are, through a real
//! `sh -c`, wherever the placeholder stands, and nothing inside them runs.

use culprit_exec::shell::substitute;
use proptest::prelude::*;
use std::process::Command;

/// Text that shells treat specially, mixed with ordinary text.
fn hostile() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("$(touch pwned)".to_string()),
        Just("`touch pwned`".to_string()),
        Just("'".to_string()),
        Just("\"".to_string()),
        Just("\\".to_string()),
        Just(" ".to_string()),
        Just("\n".to_string()),
        Just("$HOME".to_string()),
        Just("${HOME}".to_string()),
        Just(";touch pwned;".to_string()),
        Just("{tree}".to_string()),
        Just("*".to_string()),
        "[a-z0-9./-]{1,4}",
        any::<char>()
            .prop_filter("no NUL in a command line", |c| *c != '\0')
            .prop_map(String::from),
    ];
    prop::collection::vec(piece, 0..8).prop_map(|pieces| pieces.concat())
}

/// Where the author put the placeholder, and what `printf %s` must then print.
const PLACES: &[(&str, &str, &str)] = &[
    ("printf %s {tree}", "", ""),
    ("printf %s x{tree}y", "x", "y"),
    ("printf %s \"{tree}\"", "", ""),
    ("printf %s \"in $(echo side) {tree}.\"", "in side ", "."),
    ("printf %s '{tree}'", "", ""),
    ("printf %s 'a {tree} b'", "a ", " b"),
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn a_value_is_one_word_whatever_it_holds(value in hostile()) {
        let dir = tempfile::tempdir().unwrap();
        for (template, before, after) in PLACES {
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
