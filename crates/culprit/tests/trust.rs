//! Issue 10, hostile input: tree paths and artifact names full of shell syntax are data,
//! never code, in every command; `{config}` is the candidate's configuration file; an
//! artifact list names files that exist.

mod common;

use common::{culprit, git, json};
use std::path::Path;

/// A name with everything a shell would act on.
const HOSTILE: &str = "it's a \"tree\" $(touch pwned) `touch pwned2` $HOME";

#[test]
fn a_tree_path_full_of_shell_syntax_reaches_every_command_as_one_word() {
    let dir = tempfile::tempdir().unwrap();
    let tree = dir.path().join(HOSTILE);
    std::fs::create_dir(&tree).unwrap();
    std::fs::write(tree.join(".config"), "CONFIG_BOOT=y\n").unwrap();
    std::fs::write(
        tree.join("culprit.toml"),
        r#"[build]
command = "test -f {tree}/.config && echo built > {tree}/built"

[config]
file = ".config"
normalize = "grep -q CONFIG_BOOT=y {config}"

[[test]]
name = "boot"
command = "cat {tree}/built && grep -q CONFIG_BOOT=y \"{config}\" && test -d '{tree}' && echo BOOT-OK"
success = ["BOOT-OK"]
"#,
    )
    .unwrap();
    let out = culprit(&tree, &["run", "--json"]);
    let doc = json(&out);
    assert_eq!(out.status.code(), Some(0), "{doc}");
    assert_eq!(doc["build"]["outcome"], "pass", "{doc}");
    assert_eq!(doc["tests"][0]["outcome"], "pass", "{doc}");
    for planted in ["pwned", "pwned2"] {
        assert!(!tree.join(planted).exists() && !dir.path().join(planted).exists());
    }
}

fn artifact_repo(dir: &Path, names: &[String]) {
    git(dir, &["init", "-q", "-b", "main"]);
    let mut list = String::new();
    for (i, name) in names.iter().enumerate() {
        std::fs::write(dir.join(name), format!("{i}\n")).unwrap();
        list.push_str(name);
        list.push('\n');
    }
    std::fs::write(dir.join("images.txt"), list).unwrap();
    std::fs::write(
        dir.join("culprit.toml"),
        "[[test]]\nname = \"boot\"\ncommand = \"n=$(cat {artifact}); [ $n -lt 3 ] && echo BOOT-OK || echo 'Kernel panic - not syncing: bad image'\"\nsuccess = [\"BOOT-OK\"]\n",
    )
    .unwrap();
}

#[test]
fn an_artifact_named_like_a_command_is_found_as_itself() {
    let dir = tempfile::tempdir().unwrap();
    let names: Vec<String> = (0..6)
        .map(|i| {
            if i == 3 {
                "a3$(touch pwned).bin".to_string()
            } else {
                format!("a{i}.bin")
            }
        })
        .collect();
    artifact_repo(dir.path(), &names);
    let out = culprit(dir.path(), &["bisect", "--list", "images.txt", "--json"]);
    let doc = json(&out);
    assert_eq!(out.status.code(), Some(0), "{doc}");
    assert!(
        doc["culprit"]
            .as_str()
            .unwrap()
            .ends_with("a3$(touch pwned).bin"),
        "{doc}"
    );
    assert!(!dir.path().join("pwned").exists(), "part of a name ran");
}

#[test]
fn an_artifact_list_entry_that_does_not_exist_is_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let names: Vec<String> = (0..4).map(|i| format!("a{i}.bin")).collect();
    artifact_repo(dir.path(), &names);
    std::fs::write(
        dir.path().join("images.txt"),
        "a0.bin\na1.bin\nmissing.bin\na3.bin\n",
    )
    .unwrap();
    let out = culprit(dir.path(), &["bisect", "--list", "images.txt", "--json"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("images.txt:3") && err.contains("missing.bin"),
        "{err}"
    );
}
