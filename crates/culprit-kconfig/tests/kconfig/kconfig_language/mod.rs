//! The Kconfig language on small trees written here: what each construct does to values
//! and to the written `.config`, and file:line errors for malformed files.
//!
//! This module holds the helpers and what constructs do to values; [`errors`] the
//! malformed trees (cycles, syntax, never a panic), [`why`] the reasons a request does
//! not apply.

mod errors;
mod why;

use std::collections::HashMap;
use std::path::Path;

use culprit_kconfig::kconfig::{Evaluation, Input, Kconfig, KconfigError, LoadOptions, Shell};

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

/// `make olddefconfig` on `kconfig` with the user's `config`, read strictly.
fn olddefconfig<'k>(kconfig: &'k Kconfig, config: &str) -> Evaluation<'k> {
    let mut input = Input::default();
    input.parse(config, "test.config", true).unwrap();
    kconfig.olddefconfig(&input)
}

fn evaluate(kconfig: &Kconfig, config: &str) -> String {
    olddefconfig(kconfig, config).dot_config().to_owned()
}

fn value(kconfig: &Kconfig, config: &str, name: &str) -> Option<String> {
    olddefconfig(kconfig, config).value(name)
}

fn error_of(files: &[(&str, &str)]) -> String {
    match load(files) {
        Ok(_) => panic!("expected an error"),
        Err(e) => e.to_string(),
    }
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
    let mut e = olddefconfig(&k, "CONFIG_SELECTOR=y\n");
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
