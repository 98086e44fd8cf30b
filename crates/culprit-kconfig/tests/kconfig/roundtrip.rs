//! Property tests: writing and reading back gives the same configuration; diff and apply
//! agree.

use std::path::Path;

use culprit_kconfig::{apply_changes, diff, revert_changes, Config, Format, Value};
use proptest::prelude::*;

fn kconfig_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<bool>().prop_map(Value::Bool),
        Just(Value::Module),
        Just(Value::Unset),
        any::<i64>().prop_map(Value::Int),
        any::<u64>().prop_map(Value::Hex),
        "[ -~]{0,12}".prop_map(Value::Str),
    ]
}

fn plain_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::Int),
        "[ -~]{0,12}".prop_map(Value::Str),
        "[a-z][a-z0-9_./-]{0,8}"
            .prop_filter("a Kconfig word", |w| !["y", "n", "m"].contains(&w.as_str()))
            .prop_map(Value::Word),
    ]
}

fn config(format: Format) -> impl Strategy<Value = Config> {
    let value = match format {
        Format::Plain => plain_value().boxed(),
        _ => kconfig_value().boxed(),
    };
    let prefix = if format == Format::Plain {
        ""
    } else {
        "CONFIG_"
    };
    prop::collection::vec(("[A-Z][A-Z0-9_]{0,6}", value), 0..24).prop_map(move |entries| {
        let mut config = Config::new(format);
        for (name, value) in entries {
            config.set(format!("{prefix}{name}"), value);
        }
        config
    })
}

fn any_format() -> impl Strategy<Value = Format> {
    prop_oneof![
        Just(Format::DotConfig),
        Just(Format::Fragment),
        Just(Format::Plain)
    ]
}

fn parse(text: &str, format: Option<Format>) -> Config {
    Config::parse(text.as_bytes(), Path::new("p"), format).unwrap()
}

proptest! {
    #[test]
    fn text_round_trips((format, config) in any_format().prop_flat_map(|f| (Just(f), config(f)))) {
        let text = config.to_text();
        let again = parse(&text, Some(format));
        let expected: Vec<_> = config
            .iter()
            .filter(|(_, v)| !(format == Format::Plain && **v == Value::Unset))
            .collect();
        prop_assert_eq!(again.iter().collect::<Vec<_>>(), expected);
        prop_assert_eq!(again.to_text(), text);
    }

    #[test]
    fn written_dot_configs_are_detected_as_such(config in config(Format::DotConfig)) {
        prop_assert_eq!(parse(&config.to_text(), None), config);
    }

    #[test]
    fn apply_and_revert_reach_the_endpoints(
        good in config(Format::DotConfig),
        bad in config(Format::DotConfig),
    ) {
        let changes = diff(&good, &bad);
        prop_assert!(diff(&apply_changes(&good, &changes), &bad).is_empty());
        prop_assert!(diff(&revert_changes(&bad, &changes), &good).is_empty());
        let sorted = changes.windows(2).all(|w| w[0].option < w[1].option);
        prop_assert!(sorted);
    }

    #[test]
    fn digest_ignores_entry_order(config in config(Format::DotConfig)) {
        let mut reversed = Config::new(Format::DotConfig);
        let entries: Vec<_> = config.iter().collect();
        for (option, value) in entries.into_iter().rev() {
            reversed.set(option, value.clone());
        }
        prop_assert_eq!(reversed.digest(), config.digest());
    }
}
