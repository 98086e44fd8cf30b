//! Names that stay the same from one build to the next.
//!
//! Compilers number the copies they make of a function or a static (`foo.constprop.0`,
//! `foo.isra.1`, `bar.123`) in an order that shifts with unrelated changes; comparing two
//! builds by raw names would report every renumbered copy as vanished and appeared.

use std::borrow::Cow;

/// `name` without its `.NUMBER` components: `foo.constprop.0` -> `foo.constprop`,
/// `bar.123` -> `bar`, `foo.isra.0.cold` -> `foo.isra.cold`. A leading dot and empty
/// components (`.data..percpu`) are kept.
pub fn normalize_name(name: &str) -> Cow<'_, str> {
    let is_number = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    let mut parts = name.split('.');
    let Some(first) = parts.next() else {
        return Cow::Borrowed(name);
    };
    if !name.split('.').skip(1).any(is_number) {
        return Cow::Borrowed(name);
    }
    let mut out = String::with_capacity(name.len());
    out.push_str(first);
    for part in parts.filter(|p| !is_number(p)) {
        out.push('.');
        out.push_str(part);
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Names and what they normalize to.
    const NAMES: &[(&str, &str)] = &[
        // Compiler numbering goes; the kind of clone stays.
        ("foo.constprop.0", "foo.constprop"),
        ("bar.123", "bar"),
        ("foo.isra.0.cold", "foo.isra.cold"),
        ("__func__.4", "__func__"),
        // Names without numbers are kept as they are.
        ("func_7", "func_7"),
        (".data", ".data"),
        (".data..percpu", ".data..percpu"),
        ("v1.x", "v1.x"),
    ];

    #[test]
    fn strips_compiler_numbering_and_nothing_else() {
        for &(name, normalized) in NAMES {
            assert_eq!(normalize_name(name), normalized, "{name}");
        }
        assert!(matches!(normalize_name("plain"), Cow::Borrowed(_)));
    }

    proptest! {
        #[test]
        fn normalizing_twice_changes_nothing(name in "[a-z_.0-9]{0,24}") {
            let once = normalize_name(&name).into_owned();
            prop_assert_eq!(normalize_name(&once).into_owned(), once);
        }

        #[test]
        fn renumbering_does_not_change_the_name(base in "[a-z_]{1,12}", a in 0u32..1000, b in 0u32..1000) {
            let first = format!("{base}.constprop.{a}");
            let second = format!("{base}.constprop.{b}");
            prop_assert_eq!(normalize_name(&first), normalize_name(&second));
        }
    }
}
