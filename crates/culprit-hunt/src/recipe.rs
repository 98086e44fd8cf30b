//! The recipe: the parts of `culprit.toml` that decide a step's result (build and test
//! commands, markers, timeouts, the configuration file, shape checks), so that results
//! are only ever reused under the recipe that produced them.
//!
//! A session records its recipe; `--resume` after an edit is refused, because steps run
//! under two recipes would mix into one answer (and, cached under the old recipe's key,
//! poison later hunts). Every cache key carries the recipe's digest.

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// Top-level tables that say where or how culprit works, not what a step does: editing
/// them keeps every recorded result valid.
const NOT_RECIPE: &[&str] = &[
    // Where steps run (local workers or Slurm jobs) does not change what they measure.
    "executor", // Where the journal and worktrees live.
    "state",
];

/// The most changes one refusal lists.
const MAX_CHANGES: usize = 8;

#[derive(Clone, Debug, PartialEq)]
pub struct Recipe {
    /// The result-deciding tables as JSON, keys in order (comments and layout gone).
    pub canonical: Value,
    /// SHA-256 of `canonical`'s text.
    pub digest: String,
}

impl Recipe {
    /// The recipe of a parsed `culprit.toml`.
    pub fn of(table: &toml::Table) -> Recipe {
        let mut canonical = Map::new();
        for (key, value) in table {
            if !NOT_RECIPE.contains(&key.as_str()) {
                canonical.insert(key.clone(), json(value));
            }
        }
        Recipe::from_canonical(Value::Object(canonical))
    }

    fn from_canonical(canonical: Value) -> Recipe {
        let mut text = String::new();
        write_sorted(&canonical, &mut text);
        let digest = hex(&Sha256::digest(text.as_bytes()));
        Recipe { canonical, digest }
    }

    /// The recipe with the content of `files` (name, path) under `key`: an edited
    /// `.config` that `[tree] copy` puts in every worktree, or a `[config] base`, changes
    /// results as much as an edited command.
    pub fn with_contents(self, key: &str, files: &[(String, PathBuf)]) -> Recipe {
        if files.is_empty() {
            return self;
        }
        let mut digests = Map::new();
        for (name, path) in files {
            let mut hasher = Sha256::new();
            hash_path(path, &mut hasher);
            let digest = hex(&hasher.finalize());
            digests.insert(name.clone(), Value::String(digest));
        }
        let mut canonical = self.canonical;
        if let Value::Object(map) = &mut canonical {
            map.insert(key.into(), Value::Object(digests));
        }
        Recipe::from_canonical(canonical)
    }

    /// Why session `id` (started with `args`) may not be resumed under this recipe, or
    /// `None` when it may. Its steps were measured under the recipe it recorded; new
    /// steps under another would mix two experiments into one answer.
    pub fn refuse_resume(&self, id: i64, args: &Value) -> Option<String> {
        let recorded = args["plan"]["recipe"].as_str();
        if recorded == Some(self.digest.as_str()) {
            return None;
        }
        let what = match args.get("recipe") {
            Some(earlier) => {
                let changes = self.changes_since(earlier);
                format!(
                    "changed since session {id} started ({})",
                    changes.join("; ")
                )
            }
            None => {
                format!("is not the one session {id} started with (or an older culprit started it)")
            }
        };
        Some(format!(
            "culprit.toml {what}; its steps were measured under the old one and cannot be mixed              with new ones. Restore the file and resume, or start a fresh hunt (the same command              without --resume): it reuses only results measured under the file as it is now"
        ))
    }

    /// What differs from an `earlier` recipe, as dotted paths (`test boot: command`),
    /// at most a few.
    pub fn changes_since(&self, earlier: &Value) -> Vec<String> {
        let mut changes = Vec::new();
        diff("", earlier, &self.canonical, &mut changes);
        if changes.len() > MAX_CHANGES {
            let more = changes.len() - MAX_CHANGES;
            changes.truncate(MAX_CHANGES);
            changes.push(format!("{more} more"));
        }
        changes
    }
}

/// Feeds a file's bytes, or a directory's names and files in order, to `hasher`; what
/// cannot be read counts as empty (the copy itself reports it).
fn hash_path(path: &Path, hasher: &mut Sha256) {
    if path.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
            .map(|dir| dir.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        entries.sort();
        for entry in entries {
            hasher.update(entry.file_name().unwrap_or_default().as_encoded_bytes());
            hash_path(&entry, hasher);
        }
    } else {
        let bytes = std::fs::read(path).unwrap_or_default();
        hasher.update((bytes.len() as u64).to_le_bytes());
        hasher.update(&bytes);
    }
}

fn json(value: &toml::Value) -> Value {
    match value {
        toml::Value::String(s) => Value::String(s.clone()),
        toml::Value::Integer(i) => Value::from(*i),
        toml::Value::Float(f) => Value::from(*f),
        toml::Value::Boolean(b) => Value::Bool(*b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(items) => Value::Array(items.iter().map(json).collect()),
        toml::Value::Table(table) => {
            Value::Object(table.iter().map(|(k, v)| (k.clone(), json(v))).collect())
        }
    }
}

/// JSON text with every object's keys sorted, whatever order the map keeps.
fn write_sorted(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                write_sorted(&map[key], out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_sorted(item, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// Collects the paths at which `old` and `new` differ. Arrays of named tables (the
/// `[[test]]`s) are matched by name, so removing one test does not report every later
/// one as changed.
fn diff(path: &str, old: &Value, new: &Value, changes: &mut Vec<String>) {
    if old == new {
        return;
    }
    let at = |key: &str| {
        if path.is_empty() {
            key.to_string()
        } else {
            format!("{path}.{key}")
        }
    };
    match (old, new) {
        (Value::Object(a), Value::Object(b)) => {
            let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
            keys.sort();
            keys.dedup();
            for key in keys {
                match (a.get(key), b.get(key)) {
                    (Some(x), Some(y)) => diff(&at(key), x, y, changes),
                    (Some(_), None) => changes.push(format!("{} removed", at(key))),
                    (None, Some(_)) => changes.push(format!("{} added", at(key))),
                    (None, None) => {}
                }
            }
        }
        (Value::Array(a), Value::Array(b)) if named(a) && named(b) => {
            let name = |v: &Value| v["name"].as_str().unwrap_or_default().to_string();
            for item in a {
                match b.iter().find(|other| name(other) == name(item)) {
                    Some(other) => diff(&format!("{path} {}", name(item)), item, other, changes),
                    None => changes.push(format!("{path} {} removed", name(item))),
                }
            }
            for item in b {
                if !a.iter().any(|other| name(other) == name(item)) {
                    changes.push(format!("{path} {} added", name(item)));
                }
            }
        }
        _ => changes.push(if path.is_empty() {
            "the whole file".to_string()
        } else {
            path.to_string()
        }),
    }
}

fn named(items: &[Value]) -> bool {
    !items.is_empty() && items.iter().all(|item| item["name"].is_string())
}

/// A digest as the journal and cache keys write it: lowercase hex.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recipe(text: &str) -> Recipe {
        Recipe::of(&text.parse::<toml::Table>().unwrap())
    }

    const BASE: &str = r#"
[build]
command = "make"

[[test]]
name = "boot"
command = "qemu -kernel a"
success = ["OK"]

[[test]]
name = "smp"
command = "qemu -smp 2"
"#;

    #[test]
    fn layout_comments_and_the_executor_are_not_the_recipe() {
        let reordered = r#"
# tuned for this lab
[executor]
kind = "slurm"

[[test]]
success = ["OK"]
command = "qemu -kernel a"
name = "boot"

[[test]]
name = "smp"
command = "qemu -smp 2"

[build]
command = "make"
"#;
        assert_eq!(recipe(BASE).digest, recipe(reordered).digest);
    }

    #[test]
    fn every_command_marker_and_timeout_is() {
        let base = recipe(BASE);
        for (from, to) in [
            ("\"make\"", "\"make -j2\""),
            ("qemu -kernel a", "qemu -kernel b"),
            ("[\"OK\"]", "[\"BOOT-OK\"]"),
            ("name = \"smp\"", "name = \"smp\"\ntimeout = \"9s\""),
        ] {
            let edited = recipe(&BASE.replace(from, to));
            assert_ne!(base.digest, edited.digest, "{from} -> {to}");
        }
    }

    #[test]
    fn changes_are_named_by_test() {
        let edited = recipe(
            &BASE
                .replace("qemu -smp 2", "qemu -smp 4")
                .replace("command = \"make\"", "command = \"make\"\ntimeout = \"2h\""),
        );
        assert_eq!(
            edited.changes_since(&recipe(BASE).canonical),
            ["build.timeout added", "test smp.command"]
        );
        let fewer = recipe(&BASE.replace(
            "\n[[test]]\nname = \"smp\"\ncommand = \"qemu -smp 2\"\n",
            "",
        ));
        let fewer = fewer.changes_since(&recipe(BASE).canonical);
        assert!(fewer.contains(&"test smp removed".to_string()), "{fewer:?}");
    }
}
