//! File patterns of shape checks, relative to the tree: `*` and `?` within one path
//! component, `**` for any number of directories.

use crate::error::ElfError;
use std::io::ErrorKind;
use std::path::Path;

/// Why a pattern cannot be used, or `None` when it is fine. Patterns stay inside the
/// tree so that what a check reports never depends on where the tree was checked out.
pub fn pattern_problem(pattern: &str) -> Option<&'static str> {
    if pattern.trim().is_empty() {
        Some("an empty file pattern matches nothing")
    } else if pattern.starts_with('/') || Path::new(pattern).is_absolute() {
        Some("file patterns are relative to the tree, not absolute")
    } else if pattern.split('/').any(|c| c == "..") {
        Some("file patterns must stay inside the tree (no `..`)")
    } else {
        None
    }
}

/// Regular files under `tree` matching `pattern`, as sorted `/`-separated paths
/// relative to `tree`.
pub fn expand(tree: &Path, pattern: &str) -> Result<Vec<String>, ElfError> {
    let components: Vec<&str> = pattern
        .split('/')
        .filter(|c| !c.is_empty() && *c != ".")
        .collect();
    let mut found = Vec::new();
    walk(tree, "", &components, &mut found)?;
    found.sort();
    found.dedup();
    Ok(found)
}

fn join(base: &str, name: &str) -> String {
    if base.is_empty() {
        name.to_owned()
    } else {
        format!("{base}/{name}")
    }
}

fn walk(tree: &Path, base: &str, rest: &[&str], found: &mut Vec<String>) -> Result<(), ElfError> {
    let Some((&component, after)) = rest.split_first() else {
        if !base.is_empty() && tree.join(base).is_file() {
            found.push(base.to_owned());
        }
        return Ok(());
    };
    if component == "**" {
        walk(tree, base, after, found)?;
        for (name, is_dir) in entries(tree, base)? {
            if is_dir && !name.starts_with('.') {
                walk(tree, &join(base, &name), rest, found)?;
            }
        }
        return Ok(());
    }
    if !component.contains(['*', '?']) {
        return walk(tree, &join(base, component), after, found);
    }
    for (name, _) in entries(tree, base)? {
        if name.starts_with('.') && !component.starts_with('.') {
            continue;
        }
        if wildcard_match(component, &name) {
            walk(tree, &join(base, &name), after, found)?;
        }
    }
    Ok(())
}

/// Names in directory `base` and whether each is a real directory (symbolic links are
/// not followed by `**`, so a link cycle cannot loop). A missing directory has none.
fn entries(tree: &Path, base: &str) -> Result<Vec<(String, bool)>, ElfError> {
    let path = tree.join(base);
    let read = match std::fs::read_dir(&path) {
        Ok(read) => read,
        Err(e) if matches!(e.kind(), ErrorKind::NotFound | ErrorKind::NotADirectory) => {
            return Ok(Vec::new())
        }
        Err(cause) => return Err(ElfError::Read { path, cause }),
    };
    let mut names = Vec::new();
    for entry in read {
        let entry = entry.map_err(|cause| ElfError::Read {
            path: path.clone(),
            cause,
        })?;
        let Ok(name) = entry.file_name().into_string() else {
            continue;
        };
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        names.push((name, is_dir));
    }
    Ok(names)
}

/// `*` matches any run of characters, `?` exactly one.
pub fn wildcard_match(pattern: &str, name: &str) -> bool {
    let pattern: Vec<char> = pattern.chars().collect();
    let name: Vec<char> = name.chars().collect();
    let (mut p, mut n) = (0, 0);
    let mut backtrack: Option<(usize, usize)> = None;
    while n < name.len() {
        if p < pattern.len() && (pattern[p] == '?' || pattern[p] == name[n]) {
            p += 1;
            n += 1;
        } else if p < pattern.len() && pattern[p] == '*' {
            backtrack = Some((p, n));
            p += 1;
        } else if let Some((star, matched)) = backtrack {
            p = star + 1;
            n = matched + 1;
            backtrack = Some((star, matched + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn wildcards() {
        assert!(wildcard_match("*.o", "mutex.o"));
        assert!(!wildcard_match("*.o", "mutex.c"));
        assert!(wildcard_match("m?tex.*", "mutex.o"));
        assert!(wildcard_match("*", ""));
        assert!(!wildcard_match("?", ""));
        assert!(wildcard_match("a*b*c", "aXXbYYc"));
        assert!(!wildcard_match("a*b*c", "aXXbYY"));
    }

    #[test]
    fn patterns_must_stay_in_the_tree() {
        assert!(pattern_problem("build/*.o").is_none());
        assert!(pattern_problem("/etc/passwd").is_some());
        assert!(pattern_problem("../other/a.o").is_some());
        assert!(pattern_problem("build/../../a.o").is_some());
        assert!(pattern_problem("  ").is_some());
    }

    #[test]
    fn expands_in_a_real_tree() {
        let tree = tempfile::tempdir().unwrap();
        for path in [
            "build/a.o",
            "build/b.o",
            "build/b.c",
            "build/sub/c.o",
            "build/.hidden.o",
        ] {
            let full = tree.path().join(path);
            std::fs::create_dir_all(full.parent().unwrap()).unwrap();
            std::fs::write(full, b"x").unwrap();
        }
        let t = tree.path();
        assert_eq!(expand(t, "build/*.o").unwrap(), ["build/a.o", "build/b.o"]);
        assert_eq!(
            expand(t, "build/**/*.o").unwrap(),
            ["build/a.o", "build/b.o", "build/sub/c.o"]
        );
        assert_eq!(expand(t, "./build/a.o").unwrap(), ["build/a.o"]);
        assert!(expand(t, "missing/*.o").unwrap().is_empty());
        assert!(
            expand(t, "build").unwrap().is_empty(),
            "a directory is not a file"
        );
    }

    proptest! {
        #[test]
        fn a_name_matches_itself_and_star(name in "[a-z0-9._-]{0,16}") {
            prop_assert!(wildcard_match(&name, &name));
            prop_assert!(wildcard_match("*", &name));
        }
    }
}
