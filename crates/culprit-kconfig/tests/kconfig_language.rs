//! The Kconfig language on small trees written here: what each construct does to values
//! and to the written `.config`, and file:line errors for malformed files.

use std::collections::HashMap;
use std::path::Path;

use culprit_kconfig::kconfig::{Input, Kconfig, KconfigError, LoadOptions, Shell};

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
