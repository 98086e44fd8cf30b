//! The globs of `source "drivers/*/Kconfig"` (kconfiglib's extension): `*`, `?` and
//! `[…]` within one path component, matches sorted like kconfiglib's.

use std::path::{Component, Path, PathBuf};

pub fn is_pattern(path: &str) -> bool {
    path.contains(['*', '?', '['])
}

/// The existing files matching an absolute pattern, sorted.
pub fn expand(pattern: &Path) -> Vec<PathBuf> {
    let mut found = vec![PathBuf::new()];
    for component in pattern.components() {
        let part = component.as_os_str().to_string_lossy();
        let literal = !matches!(component, Component::Normal(_)) || !is_pattern(&part);
        let mut next = Vec::new();
        for base in &found {
            if literal {
                next.push(base.join(component.as_os_str()));
                continue;
            }
            let Ok(entries) = std::fs::read_dir(if base.as_os_str().is_empty() {
                Path::new(".")
            } else {
                base
            }) else {
                continue;
            };
            let mut names: Vec<String> = entries
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|name| !name.starts_with('.') && matches(part.as_bytes(), name.as_bytes()))
                .collect();
            names.sort();
            next.extend(names.into_iter().map(|name| base.join(name)));
        }
        found = next;
    }
    found.retain(|p| p.is_file());
    found
}

/// Whether `name` matches the one-component `pattern`.
fn matches(pattern: &[u8], name: &[u8]) -> bool {
    match pattern.split_first() {
        None => name.is_empty(),
        Some((b'*', rest)) => (0..=name.len()).any(|skip| matches(rest, &name[skip..])),
        Some((b'?', rest)) => !name.is_empty() && matches(rest, &name[1..]),
        Some((b'[', rest)) => {
            let Some(close) = rest.iter().skip(1).position(|&b| b == b']').map(|i| i + 1) else {
                return name.first() == Some(&b'[') && matches(rest, &name[1..]);
            };
            let Some((&c, name_rest)) = name.split_first() else {
                return false;
            };
            let (negate, set) = match rest[..close].split_first() {
                Some((b'!' | b'^', set)) => (true, set),
                _ => (false, &rest[..close]),
            };
            in_set(set, c) != negate && matches(&rest[close + 1..], name_rest)
        }
        Some((&b, rest)) => name.first() == Some(&b) && matches(rest, &name[1..]),
    }
}

fn in_set(set: &[u8], c: u8) -> bool {
    let mut i = 0;
    while i < set.len() {
        if i + 2 < set.len() && set[i + 1] == b'-' {
            if set[i] <= c && c <= set[i + 2] {
                return true;
            }
            i += 3;
        } else {
            if set[i] == c {
                return true;
            }
            i += 1;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn component_patterns() {
        assert!(matches(b"Kconfig*", b"Kconfig.soc"));
        assert!(matches(b"*", b""));
        assert!(matches(b"?ab", b"xab"));
        assert!(!matches(b"?ab", b"ab"));
        assert!(matches(b"[a-c]x", b"bx"));
        assert!(!matches(b"[!a-c]x", b"bx"));
    }

    #[test]
    fn expands_sorted_files() {
        let dir = tempfile::tempdir().unwrap();
        for sub in ["b", "a", "c"] {
            std::fs::create_dir(dir.path().join(sub)).unwrap();
            if sub != "c" {
                std::fs::write(dir.path().join(sub).join("Kconfig"), "").unwrap();
            }
        }
        let found = expand(&dir.path().join("*/Kconfig"));
        assert_eq!(
            found,
            [dir.path().join("a/Kconfig"), dir.path().join("b/Kconfig")]
        );
    }
}
