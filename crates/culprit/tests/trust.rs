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

#[test]
fn sigterm_ends_culprit_with_143_and_ctrl_c_with_130() {
    for (signal, code) in [
        (nix::sys::signal::Signal::SIGTERM, 143),
        (nix::sys::signal::Signal::SIGINT, 130),
    ] {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("culprit.toml"),
            "[[test]]\nname = \"boot\"\ncommand = \"echo booting; sleep 60\"\n",
        )
        .unwrap();
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_culprit"))
            .arg("run")
            .current_dir(dir.path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(800));
        nix::sys::signal::kill(nix::unistd::Pid::from_raw(child.id() as i32), signal).unwrap();
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(code), "after {signal}");
    }
}

#[test]
fn an_edited_or_staged_culprit_toml_does_not_make_the_tree_dirty() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path();
    let log = repo.join(".culprit-invocations");
    let ids = common::linear_repo(repo, 12, &common::toml(7, (0, 0), (0, 0), &log));
    let edited = format!(
        "# tuned for this lab\n{}",
        std::fs::read_to_string(repo.join("culprit.toml")).unwrap()
    );
    std::fs::write(repo.join("culprit.toml"), &edited).unwrap();
    let out = culprit(
        repo,
        &["bisect", "--good", &ids[0], "--bad", "main", "--json"],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(json(&out)["culprit"], ids[6].as_str());
    git(repo, &["add", "culprit.toml"]);
    let out = culprit(
        repo,
        &["bisect", "--good", &ids[0], "--bad", "main", "--json"],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Any other edit still is.
    std::fs::write(repo.join("n"), "dirty\n").unwrap();
    let out = culprit(repo, &["bisect", "--good", &ids[0], "--bad", "main"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("uncommitted changes"));
}
