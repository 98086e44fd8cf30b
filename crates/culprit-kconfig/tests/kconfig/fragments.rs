//! Linux-style fragments against a full `.config`: whichever way a fragment spells "off"
//! (`# CONFIG_X is not set` or `CONFIG_X=n`), and on whichever side it is given, the
//! changes are the fragment's lines whose value differs, never the options it leaves out.

use std::path::Path;

use culprit_kconfig::{diff, endpoints, Config, Format, Value};

/// A full `.config` as `make` writes it: header, menu blocks, 60 options, on and off.
fn dot_config() -> String {
    let mut text = String::from(
        "#\n# Automatically generated file; DO NOT EDIT.\n# Linux/x86 6.1.0 Kernel Configuration\n#\n",
    );
    for menu in 0..3 {
        text.push_str(&format!("\n#\n# Menu {menu}\n#\n"));
        for i in menu * 20..menu * 20 + 20 {
            if i % 2 == 0 {
                text.push_str(&format!("CONFIG_OPT_{i}=y\n"));
            } else {
                text.push_str(&format!("# CONFIG_OPT_{i} is not set\n"));
            }
        }
    }
    text.push_str("CONFIG_CMDLINE_BOOL=y\nCONFIG_CMDLINE=\"console=ttyS0\"\n");
    text
}

/// 24 lines: 20 that turn an option off (10 of them already off in the full config), and
/// 4 that turn one on, the command line among them.
fn fragment(off: impl Fn(usize) -> String) -> String {
    let mut text = String::from("# boot fragment\n");
    for i in 0..20 {
        text.push_str(&off(i));
    }
    text.push_str("CONFIG_OPT_41=y\nCONFIG_OPT_43=y\n");
    text.push_str("CONFIG_CMDLINE_BOOL=y\nCONFIG_CMDLINE=\"init=/bin/false\"\n");
    text
}

fn not_set(i: usize) -> String {
    format!("# CONFIG_OPT_{i} is not set\n")
}

fn equals_n(i: usize) -> String {
    format!("CONFIG_OPT_{i}=n\n")
}

fn parse(text: &str) -> Config {
    Config::parse(text.as_bytes(), Path::new("t"), None).unwrap()
}

/// 10 options turned off that were on, 2 turned on, the command line changed; the
/// guard `CMDLINE_BOOL` was on already.
const CHANGED: usize = 13;

#[test]
fn a_not_set_fragment_is_a_fragment_and_counts_only_its_changes() {
    let bad = parse(&fragment(not_set));
    assert_eq!(bad.format(), Format::Fragment);
    let (good, bad) = endpoints(&parse(&dot_config()), &bad);
    assert_eq!(diff(&good, &bad).len(), CHANGED);
}

#[test]
fn an_equals_n_fragment_counts_the_same_changes() {
    let (good, bad) = endpoints(&parse(&dot_config()), &parse(&fragment(equals_n)));
    let changes = diff(&good, &bad);
    assert_eq!(changes.len(), CHANGED);
    let cmdline = changes
        .iter()
        .find(|c| c.option == "CONFIG_CMDLINE")
        .unwrap();
    assert_eq!(cmdline.bad, Some(Value::Str("init=/bin/false".into())));
}

#[test]
fn a_fragment_on_the_good_side_is_the_bad_configuration_with_these_changes() {
    let (good, bad) = endpoints(&parse(&fragment(not_set)), &parse(&dot_config()));
    let changes = diff(&good, &bad);
    assert_eq!(changes.len(), CHANGED);
    let opt0 = changes.iter().find(|c| c.option == "CONFIG_OPT_0").unwrap();
    assert!(opt0.good.as_ref().is_some_and(Value::is_off));
    assert_eq!(opt0.bad, Some(Value::Bool(true)));
}

#[test]
fn a_full_config_is_known_by_its_menus_without_its_header() {
    let text = dot_config();
    let headless: String = text.lines().skip(4).map(|l| format!("{l}\n")).collect();
    assert_eq!(Format::detect(&headless), Format::DotConfig);
    assert_eq!(Format::detect(&text), Format::DotConfig);
    assert_eq!(
        Format::detect("# CONFIG_A is not set\n#\nCONFIG_B=y\n"),
        Format::Fragment
    );
}

#[test]
fn the_format_can_be_given_when_the_guess_is_wrong() {
    // A fragment copied with Kconfig's header: the user says what it is.
    let text = format!("# Automatically generated file\n{}", fragment(not_set));
    assert_eq!(parse(&text).format(), Format::DotConfig);
    let bad = Config::parse(text.as_bytes(), Path::new("t"), Some(Format::Fragment)).unwrap();
    let (good, bad) = endpoints(&parse(&dot_config()), &bad);
    assert_eq!(diff(&good, &bad).len(), CHANGED);
}

#[test]
fn two_fragments_or_two_full_configs_are_compared_as_they_are() {
    let (good, bad) = endpoints(&parse(&fragment(not_set)), &parse(&fragment(equals_n)));
    assert!(diff(&good, &bad).is_empty());
    let full = parse(&dot_config());
    let (good, bad) = endpoints(&full, &full.overlaid(&parse(&fragment(not_set))));
    assert_eq!(diff(&good, &bad).len(), CHANGED);
}
