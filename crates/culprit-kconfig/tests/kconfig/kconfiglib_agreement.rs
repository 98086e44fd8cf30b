//! culprit's evaluator against kconfiglib (the Python implementation Zephyr uses) on a
//! Zephyr-style tree modelled on seed 002 (`tests/trees/gale`) and on toyos's tree:
//! the written configuration must be identical for hand-written and seeded fragments.
//! kconfiglib is only used here (installed by the tests when python3 lacks it), never at
//! run time.

use crate::common::kconfiglib;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use culprit_kconfig::kconfig::{Input, Kconfig, LoadOptions, Semantics, Shell, Tri, Type};
use kconfiglib::Kconfiglib;

/// Loads the fragments in order and writes the configuration with `header`.
const KCONFIGLIB: &str = r#"
import sys, kconfiglib
top, out, header, *frags = sys.argv[1:]
kc = kconfiglib.Kconfig(top, warn_to_stderr=False)
for i, f in enumerate(frags):
    kc.load_config(f, replace=(i == 0))
kc.write_config(out, header=header, save_old=False)
"#;

const SEEDED_PER_TREE: usize = 12;

struct NoShell;

impl Shell for NoShell {
    fn run(&mut self, command: &str) -> Result<String, String> {
        Err(format!("these trees run no commands, got {command}"))
    }
}

fn kconfiglib(
    python3: &Kconfiglib,
    srctree: &Path,
    top: &str,
    header: &str,
    fragments: &[PathBuf],
) -> String {
    let out = tempfile::NamedTempFile::new().unwrap();
    let status = python3
        .python3()
        .current_dir(srctree)
        .env("srctree", srctree)
        .args(["-c", KCONFIGLIB, top])
        .arg(out.path())
        .arg(header)
        .args(fragments)
        .status()
        .unwrap();
    assert!(status.success());
    std::fs::read_to_string(out.path()).unwrap()
}

struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

/// Assignments to any defined symbol (visible or not, so unmet dependencies and
/// hidden prompts are exercised too).
fn seeded_fragment(kconfig: &Kconfig, rng: &mut Rng) -> String {
    let tree = kconfig.tree();
    let symbols: Vec<_> = tree.defined().collect();
    let mut out = String::new();
    for _ in 0..1 + rng.below(8) {
        let sym = tree.sym(symbols[rng.below(symbols.len())]);
        let value = match sym.ty {
            Type::Bool => ["y", "n"][rng.below(2)].to_owned(),
            Type::Tristate => ["y", "m", "n"][rng.below(3)].to_owned(),
            Type::Int => [0, 1, 2, 4, 5, 100, 4096, 99999][rng.below(8)].to_string(),
            Type::Hex => "0x20".to_owned(),
            Type::String => "\"x\\\"y\"".to_owned(),
            Type::Unknown => continue,
        };
        out.push_str(&format!("CONFIG_{}={value}\n", sym.name));
    }
    out
}

fn agree(python3: &Kconfiglib, srctree: &Path, header: &str, fixed: &[&str]) {
    let kconfig = Kconfig::load(
        Path::new("Kconfig"),
        &LoadOptions {
            srctree: srctree.to_owned(),
            env: HashMap::new(),
        },
        &mut NoShell,
    )
    .unwrap();
    let scratch = tempfile::tempdir().unwrap();
    let mut rng = Rng(0x5eed_0002);
    let mut fragments: Vec<String> = fixed.iter().map(|s| (*s).to_owned()).collect();
    fragments.extend((0..SEEDED_PER_TREE).map(|_| seeded_fragment(&kconfig, &mut rng)));
    let mut failures = Vec::new();
    for (i, fragment) in fragments.iter().enumerate() {
        let path = scratch.path().join(format!("fragment-{i}.conf"));
        std::fs::write(&path, fragment).unwrap();
        let reference = kconfiglib(python3, srctree, "Kconfig", header, &[path]);
        let mut input = Input::default();
        input.parse(fragment, "fragment", true).unwrap();
        let ours = kconfig
            .olddefconfig_as(&input, Semantics::Kconfiglib)
            .dot_config_with_header(header);
        if ours != reference {
            failures.push(format!(
                "fragment:\n{fragment}kconfiglib:\n{reference}culprit:\n{ours}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n----\n"));
}

fn gale_tree() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/trees/gale")
}

#[test]
fn zephyr_style_tree_agrees_with_kconfiglib() {
    let Some(python3) = Kconfiglib::get() else {
        return;
    };
    let prj = std::fs::read_to_string(gale_tree().join("prj.conf")).unwrap();
    agree(
        &python3,
        &gale_tree(),
        "#\n# Automatically generated file; DO NOT EDIT.\n# Gale test application\n#\n",
        &[
            &prj,
            "",
            "CONFIG_MP_MAX_NUM_CPUS=2\nCONFIG_SMP=y\nCONFIG_LOG_MODE_MINIMAL=y\n",
            "CONFIG_GALE_WASM_LTO_MUTEX=y\nCONFIG_GALE_TRACE=y\nCONFIG_LOG=n\n",
            "CONFIG_LOG_BUFFER_SIZE=64\nCONFIG_GALE_WASM_LTO_SEM=y\nCONFIG_GALE_WASM_LTO_OBJ_DIR=\"o\"\n",
            // The value another file adds to the named choice LOG_MODE.
            "CONFIG_GALE_TRACE=y\nCONFIG_LOG_MODE_TRACE=y\n",
            "CONFIG_LOG_MODE_TRACE=y\n",
        ],
    );
}

#[test]
fn toyos_tree_agrees_with_kconfiglib() {
    let Some(python3) = Kconfiglib::get() else {
        return;
    };
    let toyos = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/toyos");
    agree(
        &python3,
        &toyos,
        "# toyos configuration, normalized by make olddefconfig\n",
        &[
            "CONFIG_IPI_BROADCAST=y\nCONFIG_IPI=y\n",
            "CONFIG_SPINLOCK_VALIDATE=y\nCONFIG_ASSERT=n\n",
            "CONFIG_SMP=n\nCONFIG_IPI=y\nCONFIG_MUTEX_STATS=y\n",
        ],
    );
}

#[test]
fn seed_002_option_in_the_wrong_if_is_named_with_its_line() {
    let kconfig = Kconfig::load(
        Path::new("Kconfig"),
        &LoadOptions {
            srctree: gale_tree(),
            env: HashMap::new(),
        },
        &mut NoShell,
    )
    .unwrap();
    let mut input = Input::default();
    input.read(&gale_tree().join("prj.conf"), true).unwrap();
    let mut evaluation = kconfig.olddefconfig(&input);
    let unapplied = evaluation.unapplied();
    let mutex = unapplied
        .iter()
        .find(|u| u.option == "CONFIG_GALE_WASM_LTO_MUTEX")
        .expect("the mutex module request does not apply");
    assert_eq!(mutex.got, "n");
    let first = &mutex.reasons[0];
    assert_eq!(first.at.as_deref(), Some("zephyr/Kconfig:17"));
    assert!(
        first.message.starts_with("it sits inside `if GALE_KERNEL_SEM` (zephyr/Kconfig:17), and GALE_KERNEL_SEM is n (set at "),
        "{}",
        first.message
    );
    assert!(first.message.ends_with("prj.conf:4)"), "{}", first.message);
    assert_eq!(mutex.needs, ["CONFIG_GALE_KERNEL_SEM=y"]);
    // The choice value that cannot apply under SMP is not reported: it applied here.
    assert!(unapplied
        .iter()
        .all(|u| u.option != "CONFIG_LOG_MODE_MINIMAL"));
    assert_eq!(
        evaluation.visibility(kconfig.tree().find("LOG").unwrap()),
        Tri::Yes
    );
}
