//! Malformed Kconfig trees and `.config` files: recursive dependencies named with their
//! cycle, syntax errors with file and line, and no input that makes the parser panic.

use super::{error_of, load};

use culprit_kconfig::kconfig::{Input, KconfigError};

/// The cycle of a recursive dependency, each step with its file:line, in the error.
fn cycle_of(files: &[(&str, &str)]) -> (String, usize, Vec<String>) {
    match load(files) {
        Err(KconfigError::RecursiveDependency { file, line, cycle }) => (file, line, cycle),
        Err(other) => panic!("another error: {other}"),
        Ok(_) => panic!("no recursive dependency found"),
    }
}

#[test]
fn a_recursive_dependency_is_an_error_naming_the_cycle() {
    let text = "config A\n\tbool \"a\"\n\tdepends on B\n\nconfig B\n\tbool \"b\"\n\tdepends on A\n";
    let (file, line, cycle) = cycle_of(&[("Kconfig", text)]);
    assert_eq!((file.as_str(), line), ("Kconfig", 3));
    assert_eq!(
        cycle,
        [
            "Kconfig:3: symbol A depends on symbol B",
            "Kconfig:7: symbol B depends on symbol A"
        ]
    );
    let message = load(&[("Kconfig", text)]).err().unwrap().to_string();
    assert!(
        message.starts_with("Kconfig:3: recursive dependency detected:\n  Kconfig:3: symbol A depends on symbol B\n"),
        "{message}"
    );

    // The files of a tree, and the cycle its error names.
    type Case<'a> = (&'a [(&'a str, &'a str)], &'a [&'a str]);
    let cases: &[Case] = &[
        // kconfig's classic: an option that selects what it depends on.
        (
            &[(
                "Kconfig",
                "config A\n\tbool \"a\"\n\tdepends on B\n\tselect B\nconfig B\n\tbool \"b\"\n",
            )],
            &[
                "Kconfig:3: symbol A depends on symbol B",
                "Kconfig:4: symbol B is selected by symbol A",
            ],
        ),
        // Through an enclosing `if` (named by its line) and a default, across files.
        (
            &[
                (
                    "Kconfig",
                    "config A\n\tbool \"a\"\n\tselect B\nsource \"sub/Kconfig\"\n",
                ),
                (
                    "sub/Kconfig",
                    "if C\nconfig B\n\tbool \"b\"\nendif\nconfig C\n\tbool\n\tdefault B\n",
                ),
            ],
            &[
                "sub/Kconfig:1: symbol B depends on symbol C",
                "sub/Kconfig:7: symbol C's default value contains symbol B",
            ],
        ),
        // A choice and its values are one group: a value may depend on the choice (each
        // does), not on another value of it, and the choice not on its values.
        (
            &[(
                "Kconfig",
                "choice\n\tprompt \"c\"\nconfig X\n\tbool \"x\"\n\tdepends on Y\nconfig Y\n\tbool \"y\"\nendchoice\n",
            )],
            &[
                "Kconfig:5: symbol X depends on symbol Y",
                "Kconfig:1: symbol Y and symbol X are values of one choice",
            ],
        ),
        (
            &[(
                "Kconfig",
                "choice C\n\tprompt \"c\" if !X\nconfig X\n\tbool \"x\"\nendchoice\n",
            )],
            &[
                "Kconfig:2: choice C's prompt is visible depending on symbol X",
                "Kconfig:1: symbol X is a value of choice C",
            ],
        ),
    ];
    for (files, expected) in cases {
        assert_eq!(cycle_of(files).2, *expected, "{files:?}");
    }
}

#[test]
fn a_long_cycle_is_found_without_exhausting_the_stack() {
    let n = 20_000;
    let mut text: String = (0..n)
        .map(|i| format!("config S{i}\n\tbool \"s\"\n\tdepends on S{}\n", i + 1))
        .collect();
    text.push_str(&format!("config S{n}\n\tbool \"s\"\n"));
    assert!(load(&[("Kconfig", &text)]).is_ok());
    text.push_str("\tdepends on S0\n");
    let (_, line, cycle) = cycle_of(&[("Kconfig", &text)]);
    assert_eq!((line, cycle.len()), (3, n + 1));
    assert_eq!(
        cycle.last().unwrap(),
        &format!("Kconfig:{}: symbol S{n} depends on symbol S0", 3 * n + 3)
    );
}

#[test]
fn malformed_files_give_file_and_line() {
    assert_eq!(
        error_of(&[("Kconfig", "config A\n\tbool \"a\"\n\tfrobnicate\n")]),
        "Kconfig:3: unknown statement \"frobnicate\""
    );
    assert_eq!(
        error_of(&[(
            "Kconfig",
            "config A\n\tbool \"a\"\nif A\nconfig B\n\tbool \"b\"\n"
        )]),
        "Kconfig:3: `if` is not closed in the file that opens it (missing `endif`)"
    );
    assert_eq!(
        error_of(&[("Kconfig", "menu \"m\"\nendif\n")]),
        "Kconfig:2: unexpected `endif` within the `menu` block opened at Kconfig:1"
    );
    let missing = error_of(&[("Kconfig", "\n\nsource \"nope/Kconfig\"\n")]);
    assert!(
        missing.starts_with("Kconfig:3: can't open file \"nope/Kconfig\""),
        "{missing}"
    );
    assert_eq!(
        error_of(&[
            ("Kconfig", "source \"sub\"\n"),
            ("sub", "config X\n\tdepends on (A\n")
        ]),
        "sub:2: expected `)`"
    );
    assert_eq!(
        error_of(&[("Kconfig", "$(error-if,y,no compiler)\n")]),
        "Kconfig:1: no compiler"
    );
    assert_eq!(
        error_of(&[("Kconfig", "config A\n\tbool \"$(oops\"\n")]),
        "Kconfig:2: unterminated reference `$(oops\"`: missing `)`"
    );
}

#[test]
fn malformed_config_lines_give_file_and_line_when_strict() {
    let mut input = Input::default();
    let err = input
        .parse("CONFIG_A=y\nint main() {}\n", "bad.config", true)
        .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("bad.config:2: expected `CONFIG_NAME=value`"),
        "{err}"
    );
    let mut lenient = Input::default();
    lenient
        .parse("CONFIG_A=y\nint main() {}\n", "bad.config", false)
        .unwrap();
    assert_eq!(lenient.assignments.len(), 1);
    assert_eq!(lenient.warnings.len(), 1);
}

mod never_panics {
    use super::*;
    use proptest::prelude::*;

    /// Pieces of Kconfig syntax, so that random files get past the first token.
    const PIECES: &[&str] = &[
        "config ",
        "menuconfig ",
        "choice",
        "endchoice",
        "menu ",
        "endmenu",
        "if ",
        "endif",
        "comment ",
        "source ",
        "bool",
        "tristate",
        "int",
        "hex",
        "string",
        "default ",
        "depends on ",
        "select ",
        "imply ",
        "range ",
        "help",
        "optional",
        "visible if ",
        "\"x\"",
        "A",
        "B",
        "m",
        "y",
        "n",
        "0x10",
        "5",
        "&&",
        "||",
        "!",
        "(",
        ")",
        "=",
        "!=",
        "<",
        "$(",
        "$(shell,echo y)",
        "$(A,B)",
        "X := ",
        "Y = $(X)",
        "\n",
        "\n\t",
        " ",
        "#",
        "\\\n",
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        #[test]
        fn random_files_parse_or_fail_with_a_line(picks in proptest::collection::vec(0..PIECES.len(), 0..80)) {
            let text: String = picks.iter().map(|&i| PIECES[i]).collect();
            match load(&[("Kconfig", &text)]) {
                Ok(k) => {
                    let mut input = Input::default();
                    input.parse("CONFIG_A=y\nCONFIG_B=m\n", "x", false).unwrap();
                    let mut e = k.olddefconfig(&input);
                    let _ = e.unapplied();
                }
                Err(KconfigError::Syntax { line, .. }) => prop_assert!(line >= 1),
                Err(KconfigError::RecursiveDependency { line, cycle, .. }) => {
                    prop_assert!(line >= 1 && !cycle.is_empty())
                }
                Err(other) => prop_assert!(false, "{other}"),
            }
        }
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = format!(
            "config A\n\tbool \"a\"\n\tdepends on {}B{}\n",
            "(".repeat(100_000),
            ")".repeat(100_000)
        );
        assert!(error_of(&[("Kconfig", &deep)]).contains("nested deeper"));
        let macros = format!("X = {}{}\n", "$(".repeat(100_000), ")".repeat(100_000));
        let _ = load(&[("Kconfig", &macros)]);
        let err = error_of(&[("Kconfig", "source \"/dev/zero\"\n")]);
        assert!(err.contains("not a regular file"), "{err}");
    }
}
