//! Which commits of a range touch the functions or the files a crash names: what a
//! prior that favours likelier culprits is made from.
//!
//! A change inside a function shows in its diff's hunk header (`@@ ... @@ int f(void)`,
//! git's own guess at the enclosing function) or in a changed line that names it; a
//! change to its file shows in the diff's paths.

use super::{GitError, Repo};

/// How closely a commit's diff comes to what the crash names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Touch {
    /// It changes a file the crash names.
    File,
    /// It changes a function the crash names (or a line that names it).
    Function,
}

impl Repo {
    /// The commits reachable from `bad` but not from any of `good` whose diff touches
    /// one of `functions` or `files`, with how; newest first. Merges show no diff of
    /// their own and touch nothing.
    pub fn touching(
        &self,
        bad: &str,
        good: &[String],
        functions: &[String],
        files: &[String],
    ) -> Result<Vec<(String, Touch)>, GitError> {
        if functions.is_empty() && files.is_empty() {
            return Ok(Vec::new());
        }
        let mut args = vec![
            "log",
            "-p",
            "-U0",
            "--no-color",
            "--no-ext-diff",
            "--format=%x00%H",
            bad,
            "--not",
        ];
        args.extend(good.iter().map(String::as_str));
        let log = self.git(&args)?;
        Ok(touches(&log, functions, files))
    }
}

/// Reads `git log -p --format=%x00%H` output.
fn touches(log: &str, functions: &[String], files: &[String]) -> Vec<(String, Touch)> {
    let mut found = Vec::new();
    for chunk in log.split('\0').skip(1) {
        let (id, diff) = chunk.split_once('\n').unwrap_or((chunk, ""));
        if let Some(touch) = touch(diff, functions, files) {
            found.push((id.trim().to_string(), touch));
        }
    }
    found
}

fn touch(diff: &str, functions: &[String], files: &[String]) -> Option<Touch> {
    let mut touch = None;
    for line in diff.lines() {
        if line.starts_with("diff --git ") {
            continue;
        }
        if let Some(path) = line
            .strip_prefix("+++ b/")
            .or_else(|| line.strip_prefix("--- a/"))
        {
            if files.iter().any(|f| same_file(path, f)) {
                touch = Some(Touch::File);
            }
            continue;
        }
        let text = if let Some(rest) = line.strip_prefix("@@") {
            rest.split_once("@@").map_or("", |(_, context)| context)
        } else if let Some(changed) = line.strip_prefix(['+', '-']) {
            changed
        } else {
            continue;
        };
        if functions.iter().any(|f| names(text, f)) {
            return Some(Touch::Function);
        }
    }
    touch
}

/// Whether `path` (from the repository's root) is the file `named` (as a crash names
/// it: a base name, a path from the root, or a longer path from the build machine).
fn same_file(path: &str, named: &str) -> bool {
    let ends = |long: &str, short: &str| {
        long == short || long.strip_suffix(short).is_some_and(|s| s.ends_with('/'))
    };
    ends(path, named) || ends(named, path)
}

/// Whether `text` names the identifier `name` as a whole word.
fn names(text: &str, name: &str) -> bool {
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    text.match_indices(name).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + name.len()..].chars().next();
        !before.is_some_and(word) && !after.is_some_and(word)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOG: &str = "\0aaa\n\ndiff --git a/src/thread.c b/src/thread.c\n--- a/src/thread.c\n+++ b/src/thread.c\n@@ -40 +40 @@ static int kick_lost(void)\n-\treturn 0;\n+\treturn 1;\n\0bbb\n\ndiff --git a/src/thread.c b/src/thread.c\n--- a/src/thread.c\n+++ b/src/thread.c\n@@ -10 +10 @@ void other(void)\n-\tx = 1;\n+\tx = 2;\n\0ccc\n\ndiff --git a/docs/a.md b/docs/a.md\n--- a/docs/a.md\n+++ b/docs/a.md\n@@ -1 +1 @@\n-kick_lost_count\n+see k_thread_join( here\n\0ddd\n";

    fn strings(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_hunk_in_the_function_or_a_line_naming_it_touches_it() {
        let found = touches(
            LOG,
            &strings(&["kick_lost", "k_thread_join"]),
            &strings(&["thread.c"]),
        );
        assert_eq!(
            found,
            vec![
                ("aaa".to_string(), Touch::Function),
                ("bbb".to_string(), Touch::File),
                ("ccc".to_string(), Touch::Function),
            ]
        );
    }

    #[test]
    fn names_are_whole_words_and_files_whole_path_parts() {
        assert!(!names("kick_lost_count", "kick_lost"));
        assert!(names("if (kick_lost())", "kick_lost"));
        assert!(same_file("src/thread.c", "thread.c"));
        assert!(same_file("src/thread.c", "/build/toyos/src/thread.c"));
        assert!(!same_file("src/mythread.c", "thread.c"));
        assert!(touches(LOG, &[], &strings(&["nothing.c"])).is_empty());
    }
}
