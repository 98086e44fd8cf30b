//! Issue 25: a tree whose path holds a space, quotes, `$(...)` and backticks. A toyos
//! commit hunt with the README's commands as they are and with the same commands
//! written through `sh -c '...'` and `bash -lc "..."` names the planted commit, and
//! nothing in the path runs; a placeholder where no quoting gives its value is refused
//! at load time with the file, line and key.

use crate::common;

use common::{culprit, json};
use std::path::Path;

/// A directory name a shell would split, unquote and run, if culprit let it.
const HOSTILE: &str = "sp ace it's \"q\" $(touch pwned) `touch pwned2` *";

/// The toyos commands of the README, and the same ones written the way most real
/// commands are: a script for an inner shell.
fn quoted_commands(toml: &str) -> String {
    let qemu = "qemu-system-x86_64 -smp 2 -m 64 -display none -serial stdio -no-reboot -kernel {tree}/build/kernel.elf -append test=";
    toml.replace(
        r#"command = "make -C {tree} -s""#,
        "command = \"sh -c 'make -C {tree} -s && test -f \\\"{tree}/build/kernel.elf\\\"'\"\nartifacts = [\"build/kernel.elf\"]",
    )
    .replace(
        &format!(r#"command = "{qemu}smp_semaphore""#),
        &format!(r#"command = "sh -c 'exec {qemu}smp_semaphore'""#),
    )
    .replace(
        &format!(r#"command = "{qemu}smp_mutex""#),
        &format!(
            r#"command = "bash -lc \"{}smp_mutex\"""#,
            qemu.replace("{tree}/build/kernel.elf", "'{tree}/build/kernel.elf'")
        ),
    )
}

fn no_file_was_created(dir: &Path) {
    for name in ["pwned", "pwned2"] {
        for at in [dir.to_path_buf(), dir.join("toyos")] {
            assert!(
                !at.join(name).exists(),
                "{} appeared",
                at.join(name).display()
            );
        }
    }
}

#[test]
fn a_hunt_in_a_tree_with_a_hostile_path_names_the_planted_commit() {
    let base = tempfile::tempdir().unwrap();
    let dir = common::new_dir(base.path(), HOSTILE);
    let repo = dir.join("toyos");
    let planted = common::planted_toyos(base.path(), &repo, &["--commits", "30"]);

    let readme = std::fs::read_to_string(repo.join("culprit.toml")).unwrap();
    let quoted = quoted_commands(&readme);
    assert_ne!(quoted, readme, "the README commands were rewritten");
    assert_eq!(quoted.matches("sh -c '").count(), 2, "{quoted}");
    // Untracked: the hunt's tree stays the repository's, clean.
    std::fs::write(repo.join("quoted.toml"), &quoted).unwrap();

    let doc = common::toyos_hunt_ok(&repo, &["-f", "quoted.toml"]);
    assert_eq!(doc["status"], "found", "{doc}");
    assert_eq!(doc["culprit"], planted["culprit"], "{doc}");
    no_file_was_created(&dir);

    // The README's own commands, unchanged: the good endpoint passes, the bad one hangs.
    let out = culprit(&repo, &["run", "--rev", "v0.1", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", json(&out));
    let out = culprit(&repo, &["run", "--rev", "main", "--json"]);
    let doc = json(&out);
    assert_eq!(out.status.code(), Some(1), "{doc}");
    assert_eq!(
        common::test(&doc, "smp_semaphore")["outcome"],
        "hang",
        "{doc}"
    );
    no_file_was_created(&dir);
}

#[test]
fn a_placeholder_in_backticks_is_refused_with_file_line_and_key() {
    let dir = tempfile::tempdir().unwrap();
    common::git(dir.path(), &["init", "-q", "-b", "main"]);
    let toml = "[build]\ncommand = \"true\"\n\n[[test]]\nname = \"boot\"\ncommand = \"sh -c 'cat `ls {tree}/idx`'\"\n";
    std::fs::write(dir.path().join("culprit.toml"), toml).unwrap();
    let out = culprit(dir.path(), &["run"]);
    common::assert_refused(
        &out,
        &[
            "culprit.toml",
            "(line 6)",
            "`command`",
            "backticks",
            "$(...)",
        ],
    );
}
