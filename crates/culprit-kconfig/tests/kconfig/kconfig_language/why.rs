//! Why a request does not apply: each kind of reason, with its message and file:line,
//! on one tree that has one of each.

use super::{load, olddefconfig};

use culprit_kconfig::kconfig::ReasonKind;

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
        let unapplied = olddefconfig(&k, config).unapplied();
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
