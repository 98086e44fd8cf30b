//! Configuration hunts on trees whose "kernel" is a shell script reading `.config`:
//! options `OPT_0` to `OPT_{n-1}`, every one off in the good configuration and on in the
//! bad one.

use super::{boot_test, commit_all, git};
use std::path::Path;

/// The shell test that option `o` is on in `.config`.
pub fn option_on(o: usize) -> String {
    format!("grep -q '^CONFIG_OPT_{o}=y' .config")
}

/// A `.config` of `options` options, none set.
pub fn all_off(options: usize) -> String {
    (0..options)
        .map(|o| format!("# CONFIG_OPT_{o} is not set\n"))
        .collect()
}

/// A `.config` of `options` options, every one `y`.
pub fn all_on(options: usize) -> String {
    (0..options)
        .map(|o| format!("CONFIG_OPT_{o}=y\n"))
        .collect()
}

/// Makes `repo` a git tree of `options` options: its culprit.toml is a `[config]` section
/// on `.config` followed by `rest` (more of the section, then the other tables), its
/// `.config` is the good configuration, committed; `good.config` (every option off) and
/// `bad.config` (every option on) stand in the folder above it.
pub fn scripted_config_tree(repo: &Path, options: usize, rest: &str) {
    git(repo, &["init", "-q", "-b", "main"]);
    std::fs::write(repo.join(".gitignore"), ".culprit/\n").unwrap();
    let toml = format!("[config]\nfile = \".config\"\n{rest}");
    std::fs::write(repo.join("culprit.toml"), toml).unwrap();
    std::fs::write(repo.join(".config"), all_off(options)).unwrap();
    commit_all(repo, "tree");
    let above = repo.parent().unwrap();
    std::fs::write(above.join("good.config"), all_off(options)).unwrap();
    std::fs::write(above.join("bad.config"), all_on(options)).unwrap();
}

/// The tests `alpha` (prints `alpha_says`, its failure, when option `alpha` is on) and
/// `beta` (hangs in silence when both `beta` options are on): one failure of each kind,
/// each with its own culprit set, as the hunts and their reports are tested on.
pub fn alpha_and_beta(alpha_says: &str, alpha: usize, beta: (usize, usize)) -> String {
    let alpha = format!(
        "echo 'Linux version 6.1'; if {}; then {alpha_says}; else echo BOOT-OK; fi",
        option_on(alpha)
    );
    let beta = format!(
        "echo 'Linux version 6.1'; if {} && {}; then sleep 30; else echo BOOT-OK; fi",
        option_on(beta.0),
        option_on(beta.1)
    );
    let alpha = boot_test("alpha", &alpha, "");
    let beta = boot_test("beta", &beta, "silence = \"1s\"\n");
    format!("{alpha}\n{beta}")
}
