//! The Kconfig language on small trees written here: what each construct does to values
//! and to the written `.config`, and file:line errors for malformed files.

use std::collections::HashMap;
use std::path::Path;

use culprit_kconfig::kconfig::{Input, Kconfig, KconfigError, LoadOptions, ReasonKind, Shell};

/// A fake shell next to the real one (the Linux agreement test runs real commands):
/// answers `echo WORD` with WORD, for deterministic macro tests.
struct EchoShell;

impl Shell for EchoShell {
    fn run(&mut self, command: &str) -> Result<String, String> {
        command
            .strip_prefix("echo ")
            .map(|w| format!("{w}\n"))
            .ok_or_else(|| format!("unexpected command {command}"))
    }
}

fn load(files: &[(&str, &str)]) -> Result<Kconfig, KconfigError> {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let options = LoadOptions {
        srctree: dir.path().to_owned(),
        env: HashMap::from([("ARCH".to_owned(), "toy".to_owned())]),
    };
    Kconfig::load(Path::new("Kconfig"), &options, &mut EchoShell)
}

fn evaluate(kconfig: &Kconfig, config: &str) -> String {
    let mut input = Input::default();
    input.parse(config, "test.config", true).unwrap();
    kconfig.olddefconfig(&input).dot_config().to_owned()
}

fn value(kconfig: &Kconfig, config: &str, name: &str) -> Option<String> {
    let mut input = Input::default();
    input.parse(config, "test.config", true).unwrap();
    kconfig.olddefconfig(&input).value(name)
}

const GATES: &str = r#"mainmenu "Gates on $(ARCH)"
config MODULES
	bool "Modules"
	modules
config A
	bool "A"
if A
config IN_IF
	bool "inside if A"
	default y
endif
menu "Sub"
	depends on A
config IN_MENU
	tristate "inside menu"
	default m
endmenu
config SELECTOR
	bool "selects IN_IF"
	select IN_IF
config IMPLIER
	bool "implies T"
	imply T
config T
	tristate "T"
"#;

#[test]
fn enclosing_if_and_menu_gate_their_options() {
    let k = load(&[("Kconfig", GATES)]).unwrap();
    assert_eq!(value(&k, "CONFIG_IN_IF=y\n", "IN_IF").as_deref(), Some("n"));
    assert_eq!(value(&k, "CONFIG_A=y\n", "IN_IF").as_deref(), Some("y"));
    assert_eq!(
        value(&k, "CONFIG_A=y\nCONFIG_MODULES=y\n", "IN_MENU").as_deref(),
        Some("m")
    );
    // Without modules, m is y.
    assert_eq!(value(&k, "CONFIG_A=y\n", "IN_MENU").as_deref(), Some("y"));
}

#[test]
fn select_forces_past_dependencies_and_imply_does_not() {
    let k = load(&[("Kconfig", GATES)]).unwrap();
    let mut input = Input::default();
    input.parse("CONFIG_SELECTOR=y\n", "x", true).unwrap();
    let mut e = k.olddefconfig(&input);
    assert_eq!(e.value("IN_IF").as_deref(), Some("y"));
    assert_eq!(e.unmet_selects().len(), 1);
    assert_eq!(value(&k, "CONFIG_IMPLIER=y\n", "T").as_deref(), Some("y"));
    assert_eq!(
        value(&k, "CONFIG_IMPLIER=y\nCONFIG_T=n\n", "T").as_deref(),
        Some("n")
    );
}

#[test]
fn dot_config_has_kconfig_layout() {
    let k = load(&[("Kconfig", GATES)]).unwrap();
    let text = evaluate(&k, "CONFIG_A=y\n");
    let expected = "#\n# Automatically generated file; DO NOT EDIT.\n# Gates on toy\n#\n\
# CONFIG_MODULES is not set\nCONFIG_A=y\nCONFIG_IN_IF=y\n\n#\n# Sub\n#\nCONFIG_IN_MENU=y\n\
# end of Sub\n\n# CONFIG_SELECTOR is not set\n# CONFIG_IMPLIER is not set\n# CONFIG_T is not set\n";
    assert_eq!(text, expected);
    // Invisible menus and options without a prompt or default are left out.
    let text = evaluate(&k, "");
    assert!(!text.contains("# Sub") && !text.contains("IN_IF"), "{text}");
}

const CHOICES: &str = r#"
choice
	prompt "Scheduler"
	default SCHED_B
config SCHED_A
	bool "A"
config SCHED_B
	bool "B"
	depends on !NO_B
endchoice
config NO_B
	bool "no B"
choice
	prompt "optional one"
	optional
config OPT_A
	bool "opt A"
endchoice
"#;

#[test]
fn choices_take_the_user_pick_else_the_first_visible_default() {
    let k = load(&[("Kconfig", CHOICES)]).unwrap();
    assert_eq!(value(&k, "", "SCHED_B").as_deref(), Some("y"));
    assert_eq!(
        value(&k, "CONFIG_SCHED_A=y\n", "SCHED_A").as_deref(),
        Some("y")
    );
    assert_eq!(
        value(&k, "CONFIG_SCHED_A=y\n", "SCHED_B").as_deref(),
        Some("n")
    );
    assert_eq!(
        value(&k, "CONFIG_NO_B=y\nCONFIG_SCHED_B=y\n", "SCHED_A").as_deref(),
        Some("y")
    );
    assert_eq!(value(&k, "", "OPT_A").as_deref(), Some("n"));
    assert_eq!(value(&k, "CONFIG_OPT_A=y\n", "OPT_A").as_deref(), Some("y"));
}

/// `choice NAME` twice is one choice (Zephyr's modules add values to a board's choice
/// this way); an unnamed choice is always a new one.
#[test]
fn a_named_choice_defined_in_two_files_is_one_choice() {
    let top = r#"
choice PICK
	prompt "Pick"
	default PICK_B
config PICK_A
	bool "A"
config PICK_B
	bool "B"
endchoice
rsource "more/Kconfig"
choice
	prompt "Other"
config OTHER_A
	bool "other A"
endchoice
"#;
    let more = r#"
choice PICK
config PICK_C
	bool "C"
endchoice
choice
	prompt "Another"
config OTHER_B
	bool "other B"
endchoice
"#;
    let k = load(&[("Kconfig", top), ("more/Kconfig", more)]).unwrap();
    let pick =
        |config: &str| ["PICK_A", "PICK_B", "PICK_C"].map(|name| value(&k, config, name).unwrap());
    // The default of the first block holds for the values of both.
    assert_eq!(pick(""), ["n", "y", "n"]);
    // A value of the second block turns the first block's values off.
    assert_eq!(pick("CONFIG_PICK_C=y\n"), ["n", "n", "y"]);
    assert_eq!(pick("CONFIG_PICK_A=y\n"), ["y", "n", "n"]);
    // Unnamed choices stay apart: each has its own value set.
    assert_eq!(value(&k, "", "OTHER_A").as_deref(), Some("y"));
    assert_eq!(value(&k, "", "OTHER_B").as_deref(), Some("y"));
    let text = evaluate(&k, "CONFIG_PICK_C=y\n");
    assert!(
        text.contains("# CONFIG_PICK_B is not set\nCONFIG_PICK_C=y\n")
            || text.contains("CONFIG_PICK_C=y\n"),
        "{text}"
    );
    assert!(error_of(&[("Kconfig", "choice PICK extra\nendchoice\n")])
        .contains("Kconfig:1: unexpected `extra`"));
}

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

const NUMBERS: &str = r#"
config N
	int "N"
	range 2 8
	default 4
config H
	hex "H"
	default 0x1000
config S
	string "S"
	default "a \"quoted\" \\ one"
config DERIVED
	int
	default N
"#;

#[test]
fn ranges_clamp_and_out_of_range_user_values_are_dropped() {
    let k = load(&[("Kconfig", NUMBERS)]).unwrap();
    assert_eq!(value(&k, "CONFIG_N=6\n", "N").as_deref(), Some("6"));
    assert_eq!(value(&k, "CONFIG_N=60\n", "N").as_deref(), Some("4"));
    assert_eq!(value(&k, "CONFIG_N=abc\n", "N").as_deref(), Some("4"));
    assert_eq!(value(&k, "", "H").as_deref(), Some("0x1000"));
    let text = evaluate(&k, "");
    assert!(
        text.contains("CONFIG_S=\"a \\\"quoted\\\" \\\\ one\"\n"),
        "{text}"
    );
    assert!(text.contains("CONFIG_DERIVED=4\n"), "{text}");
}

#[test]
fn macros_sources_and_globs() {
    let top = r#"
greet = $(shell,echo $(1))
NAME := $(greet,hello)
config FROM_MACRO
	string "name"
	default "$(NAME)"
config FLAG
	def_bool $(greet,y)
source "sub/Kconfig"
osource "missing/Kconfig"
source "drivers/*/Kconfig"
"#;
    let k = load(&[
        ("Kconfig", top),
        ("sub/Kconfig", "rsource \"near/Kconfig\"\n"),
        (
            "sub/near/Kconfig",
            "config NEAR\n\tbool \"near\"\n\tdefault y\n",
        ),
        ("drivers/b/Kconfig", "config DRV_B\n\tdef_bool y\n"),
        ("drivers/a/Kconfig", "config DRV_A\n\tdef_bool y\n"),
    ])
    .unwrap();
    let text = evaluate(&k, "");
    let body: Vec<&str> = text.lines().skip(4).collect();
    assert_eq!(
        body,
        [
            "CONFIG_FROM_MACRO=\"hello\"",
            "CONFIG_FLAG=y",
            "CONFIG_NEAR=y",
            "CONFIG_DRV_A=y",
            "CONFIG_DRV_B=y"
        ]
    );
}

fn error_of(files: &[(&str, &str)]) -> String {
    match load(files) {
        Ok(_) => panic!("expected an error"),
        Err(e) => e.to_string(),
    }
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

/// One of each reason a request does not apply, at known lines: a menu and a choice with
/// `depends on`, a select past an unmet dependency, a promptless option, a prompt with
/// `if`, a range, a choice with a default and an optional one.
const WHY: &str = r#"
config A
	bool "A"
menu "Sub"
	depends on A
config IN_MENU
	bool "inside menu"
endmenu
config GUARD
	bool "guard"
config SELECTED
	bool "selected"
	depends on GUARD
config SELECTOR
	bool "selector"
	select SELECTED
config HIDDEN
	bool
config SHOWN_IF
	bool "shown if A" if A
config N
	int "N"
	range 2 8
	default 4
choice
	prompt "Mode"
	depends on A
config MODE_X
	bool "X"
config MODE_Y
	bool "Y"
endchoice
choice
	prompt "Pick"
	default PICK_B
config PICK_A
	bool "A"
config PICK_B
	bool "B"
endchoice
choice
	prompt "Opt"
	optional
config OPT_X
	bool "X"
	depends on A
endchoice
"#;

/// A request and the reasons it does not apply: (kind, message, file:line or "" for none).
type Why = (
    &'static str,
    &'static [(ReasonKind, &'static str, &'static str)],
);

/// Each request of `table`, alone on the `WHY` tree, does not apply for exactly its
/// reasons.
fn check_why(table: &[Why]) {
    let k = load(&[("Kconfig", WHY)]).unwrap();
    for (config, expected) in table {
        let mut input = Input::default();
        input.parse(config, "test.config", true).unwrap();
        let unapplied = k.olddefconfig(&input).unapplied();
        assert_eq!(unapplied.len(), 1, "{config}: {unapplied:?}");
        let got: Vec<(ReasonKind, &str, &str)> = unapplied[0]
            .reasons
            .iter()
            .map(|r| (r.kind, r.message.as_str(), r.at.as_deref().unwrap_or("")))
            .collect();
        assert_eq!(got, *expected, "{config}");
    }
}

#[test]
fn why_names_the_enclosing_menu_and_choice_with_their_lines() {
    use ReasonKind::*;
    check_why(&[
        (
            "CONFIG_IN_MENU=y\n",
            &[(
                MenuDependsOn,
                "its menu \"Sub\" depends on `A` (Kconfig:5), and A is n",
                "Kconfig:5",
            )],
        ),
        // The choice's own `depends on`, and a choice that is off with none.
        (
            "CONFIG_MODE_X=y\n",
            &[(
                Choice,
                "its choice depends on `A` (Kconfig:27), and A is n",
                "Kconfig:27",
            )],
        ),
        (
            "CONFIG_OPT_X=y\n",
            &[
                (
                    DependsOn,
                    "it depends on `A` (Kconfig:46), and A is n",
                    "Kconfig:46",
                ),
                (
                    Choice,
                    "it is a value of the choice at Kconfig:41, which is off",
                    "Kconfig:41",
                ),
            ],
        ),
        // Two values of one choice asked: the later one is the choice's value.
        (
            "CONFIG_PICK_A=y\nCONFIG_PICK_B=y\n",
            &[(
                ChoiceTaken,
                "PICK_B is the selected value of its choice (Kconfig:38), and a choice has one",
                "Kconfig:38",
            )],
        ),
        (
            "CONFIG_PICK_B=n\n",
            &[(
                ChoiceTaken,
                "PICK_B is the selected value of its choice; set another value of the choice to y to turn it off",
                "",
            )],
        ),
    ]);
}

#[test]
fn why_names_the_select_that_forced_a_value_and_its_unmet_dependency() {
    use ReasonKind::*;
    check_why(&[
        (
            "CONFIG_SELECTOR=y\nCONFIG_SELECTED=n\n",
            &[
                (
                    SelectedBy,
                    "SELECTOR is y (set at test.config:1) selects SELECTED (Kconfig:16), so it cannot be n",
                    "Kconfig:16",
                ),
                (
                    UnmetDirectDependencies,
                    "SELECTED is selected although its own dependencies are unmet (kconfig warns \
                     \"unmet direct dependencies\"): it depends on `GUARD` (Kconfig:13), and GUARD is n",
                    "Kconfig:13",
                ),
            ],
        ),
        // With its dependency met the select alone is the reason.
        (
            "CONFIG_GUARD=y\nCONFIG_SELECTOR=y\nCONFIG_SELECTED=n\n",
            &[(
                SelectedBy,
                "SELECTOR is y (set at test.config:2) selects SELECTED (Kconfig:16), so it cannot be n",
                "Kconfig:16",
            )],
        ),
    ]);
}

#[test]
fn why_names_a_range_a_missing_prompt_and_a_hidden_one() {
    use ReasonKind::*;
    check_why(&[
        (
            "CONFIG_N=60\n",
            &[(
                Range,
                "60 is outside the range 2..8 of N, so kconfig drops it",
                "Kconfig:23",
            )],
        ),
        (
            "CONFIG_HIDDEN=y\n",
            &[(
                Promptless,
                "HIDDEN has no prompt (Kconfig:17): only its defaults and selects set it",
                "Kconfig:17",
            )],
        ),
        (
            "CONFIG_SHOWN_IF=y\n",
            &[(
                PromptHidden,
                "the prompt of SHOWN_IF (Kconfig:20) is shown only if `A`, which is n",
                "Kconfig:20",
            )],
        ),
    ]);
}
