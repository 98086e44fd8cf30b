//! One cold build, not one per worker: a C project built out of tree the way Kbuild
//! does it (absolute source paths, objects in `{build}`, a dependency file per object
//! from `-Wp,-MMD`), through Debian's ccache in depend mode, set up
//! as `culprit init` sets it up for Linux, bisected with two workers. The second
//! worker's first build waits for the first one's and takes the objects it can from the
//! shared cache, and every step still runs exactly its own candidate's code: the
//! program each boot runs prints the value its commit wrote.

use crate::common;

use common::{culprit, git, json, write_file};
use std::process::Command;

const MAKEFILE: &str = "\
OBJS := main.o a.o b.o
prog: $(OBJS)
\t$(CC) -o $@ $(OBJS)
%.o: $(SRC)/%.c $(SRC)/include/value.h
\t$(CC) -Wp,-MMD,$@.d -I$(SRC)/include -c $(SRC)/$*.c -o $@
";

/// Builds with ccache shared between the workers, as `culprit init` sets it up for Linux;
/// the boot prints the tree's commit number, then runs the program built from it.
fn culprit_toml() -> String {
    let boot = common::boot_test(
        "boot",
        "echo \\\"tree $(cat {tree}/n)\\\"; {build}/prog",
        "timeout = \"20s\"\n",
    );
    format!(
        r#"[build]
command = "CCACHE_DIR={{build}}/../../ccache CCACHE_BASEDIR={{build}}/../../.. CCACHE_NOHASHDIR=1 CCACHE_DEPEND=1 make -s -C {{build}} -f {{tree}}/Makefile SRC={{tree}} 'CC=ccache gcc'"
artifacts = ["{{build}}/prog"]

{boot}"#
    )
}

#[test]
fn workers_share_one_cold_build_and_each_step_runs_its_own_code() {
    if Command::new("ccache").arg("--version").output().is_err() {
        assert!(std::env::var_os("CI").is_none(), "CI installs ccache");
        eprintln!("skipped: ccache is not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let repo = common::new_dir(dir.path(), "repo");
    git(&repo, &["init", "-q", "-b", "main"]);
    write_file(&repo, "culprit.toml", culprit_toml());
    write_file(&repo, ".gitignore", ".culprit/\n");
    write_file(&repo, "Makefile", MAKEFILE);
    // Two files the commits never change: their objects are the cache's to share.
    for name in ["a", "b"] {
        write_file(
            &repo,
            &format!("{name}.c"),
            format!("int {name}(void) {{ return 1; }}\n"),
        );
    }
    write_file(
        &repo,
        "main.c",
        "#include <stdio.h>\n#include \"value.h\"\nint a(void); int b(void);\nint main(void) {\n  printf(\"value %d\\n\", VALUE + a() + b() - 2);\n  if (VALUE >= 9) printf(\"Kernel panic - not syncing: planted at %d\\n\", VALUE);\n  else printf(\"BOOT-OK\\n\");\n  return 0;\n}\n",
    );
    let mut ids = Vec::new();
    for i in 1..=12 {
        write_file(&repo, "n", format!("{i}\n"));
        write_file(&repo, "include/value.h", format!("#define VALUE {i}\n"));
        ids.push(common::commit_all(&repo, &format!("commit {i}")));
    }
    let args = [&common::bisect_args(&ids[0])[..], &["-j", "2"]].concat();
    let (doc, _) = common::json_ok(&repo, &args);
    assert_eq!(doc["culprit"], ids[8].as_str(), "{doc}");

    // Every boot ran the code of the commit it was for.
    let log = json(&culprit(&repo, &["log", "--json"]));
    let mut boots = 0;
    for step in log["steps"].as_array().unwrap() {
        for run in step["result"]["tests"].as_array().unwrap() {
            let text = std::fs::read_to_string(run["log"].as_str().unwrap()).unwrap();
            let tree = text.lines().find_map(|l| l.strip_prefix("tree ")).unwrap();
            let value = text.lines().find_map(|l| l.strip_prefix("value ")).unwrap();
            assert_eq!(tree, value, "a step ran another commit's object: {text}");
            boots += 1;
        }
    }
    assert!(boots >= 5, "{log}");

    // Both workers built cold once, one after the other, the second from the cache.
    let workers = repo.join(".culprit/workers");
    for w in ["w0", "w1"] {
        assert!(workers.join(w).join("build/.culprit-warm").exists(), "{w}");
    }
    let stats = Command::new("ccache")
        .arg("--print-stats")
        .env("CCACHE_DIR", workers.join("ccache"))
        .output()
        .unwrap();
    let stats = String::from_utf8_lossy(&stats.stdout).into_owned();
    let count = |key: &str| -> u64 {
        stats
            .lines()
            .filter_map(|l| l.split_once('\t'))
            .filter(|(k, _)| k.starts_with(key))
            .map(|(_, v)| v.trim().parse::<u64>().unwrap_or(0))
            .sum()
    };
    assert!(
        count("direct_cache_hit") + count("preprocessed_cache_hit") >= 2,
        "{stats}"
    );
}
