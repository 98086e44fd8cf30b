//! culprit on a real Linux 6.1 tree (Debian's linux-source-6.1 under git), as a kernel
//! engineer would use it: `culprit init`, `culprit run`, one-step option toggles, a
//! configuration hunt and a commit hunt over planted commits, on x86_64 and on an arm64
//! cross build. Needs `CULPRIT_LINUX_TREE` (see `common/linux.rs` for the cost).
//! Ignored until seen passing: `cargo test -p culprit --test linux_kernel -- --ignored`.

mod common;

use common::json;
use common::linux::{compiled_objects, edit, kernel, Kernel};
use std::path::Path;

/// What the kernel says when the initramfs' /init cannot be executed.
const NO_INIT: &str = "No working init found";

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn check_init_and_boots(kernel: &Kernel, arch: &str) {
    if let Some(init) = &kernel.init_output {
        let said = stdout(init);
        assert!(said.contains(&format!("architecture {arch}")), "{said}");
        assert!(said.contains("culprit-base.config"), "{said}");
    }
    let toml = std::fs::read_to_string(kernel.tree.join("culprit.toml")).unwrap();
    assert!(toml.contains("O={build}"), "builds out of tree: {toml}");

    let out = kernel.culprit(&["run", "--json"]);
    let doc = json(&out);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{doc}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(doc["build"]["outcome"], "pass", "{doc}");
    assert_eq!(doc["tests"][0]["outcome"], "pass", "{doc}");
    assert_eq!(doc["tests"][0]["stage"], "success", "{doc}");

    let out = kernel.culprit(&["run", "--set", "CONFIG_BINFMT_ELF=n", "--json"]);
    let doc = json(&out);
    assert_eq!(out.status.code(), Some(1), "{doc}");
    assert_eq!(doc["build"]["outcome"], "pass", "{doc}");
    let boot = &doc["tests"][0];
    assert_eq!(boot["outcome"], "fail", "{doc}");
    assert_eq!(boot["kind"], "panic", "{doc}");
    assert!(boot["title"].as_str().unwrap().contains(NO_INIT), "{doc}");
    let requested = &doc["config"]["requested"];
    assert_eq!(requested[0]["option"], "CONFIG_BINFMT_ELF", "{doc}");
    assert_eq!(requested[0]["applied"], true, "{doc}");
}

#[test]
#[ignore = "not yet seen passing: a cold build took over 50 min under this session's load; run with --ignored"]
fn x86_64_init_run_and_a_one_step_toggle() {
    let Some(kernel) = kernel("x86_64") else {
        return;
    };
    check_init_and_boots(&kernel, "x86_64");
}

#[test]
#[ignore = "not yet seen passing: a cold build took over 50 min under this session's load; run with --ignored"]
fn arm64_cross_init_run_and_a_one_step_toggle() {
    let Some(kernel) = kernel("arm64") else {
        return;
    };
    check_init_and_boots(&kernel, "arm64");
}

/// The build logs of a hunt's steps, from `culprit log --json`.
fn build_logs(kernel: &Kernel) -> Vec<String> {
    let doc = json(&kernel.culprit(&["log", "--json"]));
    doc["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|step| step["result"]["build"]["log"].as_str())
        .map(|log| std::fs::read_to_string(log).unwrap())
        .collect()
}

#[test]
#[ignore = "not yet seen passing: a cold build took over 50 min under this session's load; run with --ignored"]
fn x86_64_commit_hunt_then_config_hunt_in_warm_build_directories() {
    let Some(kernel) = kernel("x86_64") else {
        return;
    };
    let docs = |root: &Path, name: &str| {
        std::fs::write(
            root.join("Documentation").join(name),
            "planted by culprit's tests\n",
        )
        .unwrap()
    };
    let main_c = "init/main.c";
    let kernel_init = "static int __ref kernel_init(void *unused)\n{\n\tint ret;\n";
    let ids = kernel.plant(
        "planted",
        &[
            ("docs: a harmless change", &|r: &Path| {
                docs(r, "culprit-1.txt")
            }),
            ("init: a change that does not build", &|r: &Path| {
                edit(
                    r,
                    main_c,
                    kernel_init,
                    &format!("{kernel_init}\tculprit_planted_undeclared();\n"),
                )
            }),
            ("init: build again", &|r: &Path| {
                edit(r, main_c, "\tculprit_planted_undeclared();\n", "")
            }),
            ("init: refuse to start userspace", &|r: &Path| {
                edit(
                    r,
                    main_c,
                    kernel_init,
                    &format!("{kernel_init}\tpanic(\"culprit planted: no userspace today\");\n"),
                )
            }),
            ("docs: another harmless change", &|r: &Path| {
                docs(r, "culprit-2.txt")
            }),
        ],
    );
    let out = kernel.culprit(&[
        "bisect", "--good", "main", "--bad", "planted", "-j", "1", "--json",
    ]);
    let doc = json(&out);
    assert_eq!(out.status.code(), Some(0), "{doc}");
    assert_eq!(doc["status"], "found", "{doc}");
    assert_eq!(
        doc["culprit"],
        ids[3].as_str(),
        "the boot culprit, past the build break: {doc}"
    );
    for candidate in doc["candidates"].as_array().unwrap() {
        if candidate["rev"] == ids[1].as_str() {
            let verdict = candidate["verdict"].as_str().unwrap();
            assert!(
                verdict.starts_with("skip"),
                "the unbuildable commit is skipped: {verdict}"
            );
        }
    }

    // The second hunt in the same tree: a configuration hunt at main, in the same
    // worker build directory. Nothing in it may be a cold build.
    let base = std::fs::read_to_string(kernel.tree.join("culprit-base.config")).unwrap();
    let bad = format!(
        "{base}\nCONFIG_PRINTK_TIME=y\nCONFIG_FUTEX=y\nCONFIG_EPOLL=y\n# CONFIG_BINFMT_ELF is not set\n"
    );
    let bad_path = kernel.tree.with_file_name("bad.config");
    std::fs::write(&bad_path, bad).unwrap();
    let out = kernel.culprit(&[
        "bisect-config",
        "--good",
        "culprit-base.config",
        "--bad",
        bad_path.to_str().unwrap(),
        "--rev",
        "main",
        "-j",
        "1",
        "--json",
    ]);
    let doc = json(&out);
    assert_eq!(out.status.code(), Some(0), "{doc}");
    let culprits: Vec<Vec<&str>> = doc["culprits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            c["options"]
                .as_array()
                .unwrap()
                .iter()
                .map(|o| o.as_str().unwrap())
                .collect()
        })
        .collect();
    assert_eq!(culprits, vec![vec!["CONFIG_BINFMT_ELF"]], "{doc}");
    let logs = build_logs(&kernel);
    assert!(!logs.is_empty(), "the configuration hunt built");
    assert!(
        logs.iter().any(|log| compiled_objects(log) > 0),
        "the build logs list the objects compiled"
    );
    for log in &logs {
        let compiled = compiled_objects(log);
        assert!(
            compiled < 150,
            "a warm build directory recompiles a few objects, not {compiled}"
        );
    }
}
