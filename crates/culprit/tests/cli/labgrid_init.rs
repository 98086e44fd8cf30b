//! `culprit init --lab labgrid --check` on the real Linux tree: the [executor] section
//! and environment file it writes boot the tree's kernel on a place of the real lab.

use crate::common::linux::kernel;
use crate::labgrid_lab::lab;
use std::path::PathBuf;
use std::process::Command;

/// Puts the shared tree's culprit.toml back (the other kernel tests use it) and removes
/// the environment file, however the test ends.
struct Restore {
    toml: PathBuf,
    text: String,
    environment: PathBuf,
}

impl Drop for Restore {
    fn drop(&mut self) {
        let _ = std::fs::write(&self.toml, &self.text);
        let _ = std::fs::remove_file(&self.environment);
    }
}

#[test]
fn init_for_a_labgrid_lab_boots_the_trees_kernel_on_its_place() {
    let Some(kernel) = kernel("x86_64") else {
        return;
    };
    let Some(lab) = lab() else { return };
    let toml = kernel.tree.join("culprit.toml");
    let _restore = Restore {
        text: std::fs::read_to_string(&toml).unwrap(),
        environment: kernel.tree.join("labgrid-env.yaml"),
        toml: toml.clone(),
    };
    let place = &lab.places[0];
    let out = Command::new(env!("CARGO_BIN_EXE_culprit"))
        .args([
            "init", "--arch", "x86_64", "--force", "--lab", "labgrid", "--check",
        ])
        .current_dir(&kernel.tree)
        .env("CULPRIT_STATE", &kernel.state)
        .env("LG_COORDINATOR", &lab.coordinator)
        .env("LG_PLACE", place)
        .env("VIRTUAL_ENV", &lab.venv)
        .env_remove("ARCH")
        .env_remove("CROSS_COMPILE")
        .env_remove("LLVM")
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{said}\n{stderr}");
    assert!(
        said.contains(&format!("labgrid place {place} (LG_PLACE is set)")),
        "{said}"
    );
    assert!(said.contains("the check passed"), "{said}");
    assert!(
        said.contains(&format!("boot             pass (worker 1 · node {place})")),
        "{said}"
    );
    let written = std::fs::read_to_string(&toml).unwrap();
    assert!(written.contains("kind = \"labgrid\""), "{written}");
    let environment = std::fs::read_to_string(kernel.tree.join("labgrid-env.yaml")).unwrap();
    assert!(environment.contains("QEMUDriver"), "{environment}");
    assert_eq!(lab.locked(), vec![], "the check let go of its place");
}
