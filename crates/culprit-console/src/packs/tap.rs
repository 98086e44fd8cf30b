//! TAP and KTAP test protocols (kselftest, KUnit): `not ok N name` is a failed
//! test unless its directive says SKIP or TODO.

use super::{Effect, Found, Rule};
use crate::stage::Builtin;
use crate::SignatureKind as Kind;
use regex::Regex;
use std::sync::LazyLock;

pub(crate) fn rules() -> Vec<Rule> {
    vec![
        Rule::new(&["not ok "], Effect::Signature(not_ok)),
        Rule::new(&["TAP version"], Effect::Stage(Builtin::Test)),
    ]
}

static NOT_OK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:#\s*)?not ok\s+\d+\s*(?:-\s*)?(?P<name>[^#]*?)\s*(?:#\s*(?P<directive>.*))?$")
        .expect("built-in pattern")
});

fn not_ok(body: &str) -> Option<Found> {
    let c = NOT_OK.captures(body)?;
    let directive = c
        .name("directive")
        .map_or("", |d| d.as_str())
        .to_ascii_uppercase();
    if directive.starts_with("SKIP") || directive.starts_with("TODO") {
        return None;
    }
    let name = c["name"].trim();
    let title = if name.is_empty() {
        "not ok".to_string()
    } else {
        format!("not ok {name}")
    };
    Some(Found::new(Kind::TestFailure, title))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packs::testing::title;

    fn t(line: &str) -> Option<String> {
        title(&rules(), line)
    }

    #[test]
    fn failures_lose_their_number() {
        assert_eq!(
            t("[    1.2]     not ok 3 kunit_example_fail_test").as_deref(),
            Some("not ok kunit_example_fail_test")
        );
        assert_eq!(
            t("not ok 17 - selftests: net: fcnal-test.sh # exit=1").as_deref(),
            Some("not ok selftests: net: fcnal-test.sh")
        );
        assert_eq!(t("# not ok 2 subtest"), t("not ok 9 subtest"));
    }

    #[test]
    fn skips_todos_and_prose_are_not_failures() {
        assert_eq!(
            t("not ok 4 example_skip_test # SKIP this test should be skipped"),
            None
        );
        assert_eq!(t("not ok 5 flaky # TODO fix later"), None);
        assert_eq!(t("ok 1 example_simple_test"), None);
        assert_eq!(t("this is not ok 5 times"), None);
    }
}
