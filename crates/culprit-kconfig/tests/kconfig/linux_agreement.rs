//! culprit's Kconfig evaluator against the real `scripts/kconfig/conf` on Debian's Linux
//! 6.1 tree (`CULPRIT_LINUX_TREE`), for x86_64 and arm64: tinyconfig, allnoconfig,
//! defconfig and seeded configurations derived from them must come out identical, line
//! for line, to what `make olddefconfig` (or `conf --olddefconfig` itself) writes.
//!
//! Cost: a sparse clone of the tree (Kconfig files, Makefiles, scripts; ~30 MB), then per
//! arch three `make` runs and one `conf` run per derived configuration, both arches in
//! parallel: 88 s on the shared 2-core machine at load 4-5 under `nice` (94 s of CPU for
//! both arches; 42 s with 10 derived per arch in CI), most of it kconfig's own compiler
//! probes, which conf runs again for every configuration.

use crate::common;

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

use common::linux::{linux_tree, run, sparse_clone};

use culprit_kconfig::kconfig::{linux_env, Input, Kconfig, LoadOptions, SystemShell, Tri, Type};

/// Derived configurations per arch (issue 11 asks for at least 20 beyond the three
/// named ones).
const DERIVED_PER_ARCH: usize = 20;

struct Arch {
    arch: &'static str,
    cross_compile: &'static str,
    defconfig: &'static str,
}

const ARCHES: &[Arch] = &[
    Arch {
        arch: "x86_64",
        cross_compile: "",
        defconfig: "arch/x86/configs/x86_64_defconfig",
    },
    Arch {
        arch: "arm64",
        cross_compile: "aarch64-linux-gnu-",
        defconfig: "arch/arm64/configs/defconfig",
    },
];

/// A small deterministic generator (xorshift64*), so every run derives the same
/// configurations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// 1–30 assignments over the symbols visible in `base`'s evaluation: bools, tristates
/// (including `m`), choice values, and now and then a number or string.
fn fragment(kconfig: &Kconfig, base: &Input, rng: &mut Rng) -> String {
    let mut evaluation = kconfig.olddefconfig(base);
    let tree = kconfig.tree();
    let visible: Vec<_> = tree
        .defined()
        .filter(|&id| evaluation.visibility(id) != Tri::No)
        .collect();
    let count = 1 + rng.below(30);
    let mut out = String::new();
    for _ in 0..count {
        let id = visible[rng.below(visible.len())];
        let sym = tree.sym(id);
        let value = match sym.ty {
            _ if sym.choice_of.is_some() => "y".to_owned(),
            Type::Bool => ["y", "n"][rng.below(2)].to_owned(),
            Type::Tristate => ["y", "m", "n"][rng.below(3)].to_owned(),
            Type::Int => (rng.below(70) as i64 - 3).to_string(),
            Type::Hex => format!("{:#x}", rng.below(0x10000)),
            Type::String => format!("\"culprit-{}\"", rng.below(100)),
            Type::Unknown => continue,
        };
        if value == "n" && rng.below(2) == 0 {
            out.push_str(&format!("# CONFIG_{} is not set\n", sym.name));
        } else {
            out.push_str(&format!("CONFIG_{}={value}\n", sym.name));
        }
    }
    out
}

fn first_differences(reference: &str, ours: &str) -> String {
    let theirs: Vec<_> = reference.lines().collect();
    let mine: Vec<_> = ours.lines().collect();
    let mut out = String::new();
    let only_theirs: Vec<_> = theirs
        .iter()
        .filter(|l| !mine.contains(l))
        .take(15)
        .collect();
    let only_mine: Vec<_> = mine
        .iter()
        .filter(|l| !theirs.contains(l))
        .take(15)
        .collect();
    for l in only_theirs {
        out.push_str(&format!("- {l}\n"));
    }
    for l in only_mine {
        out.push_str(&format!("+ {l}\n"));
    }
    if out.is_empty() {
        out.push_str("(same lines, different order)\n");
    }
    out
}

/// Disagreements, and how many derived configurations conf changed beyond their base
/// (a fragment that changes nothing would test nothing).
fn agree_on(src: &Path, arch: &Arch, scratch: &Path) -> (Vec<String>, usize) {
    let obj = scratch.join(format!("obj-{}", arch.arch));
    std::fs::create_dir_all(&obj).unwrap();
    let make = |target: &str| {
        run(Command::new("make")
            .current_dir(src)
            .arg("-s")
            .arg(format!("ARCH={}", arch.arch))
            .arg(format!("CROSS_COMPILE={}", arch.cross_compile))
            .arg(format!("O={}", obj.display()))
            .arg(target));
        std::fs::read_to_string(obj.join(".config")).unwrap()
    };
    let tiny = make("tinyconfig");
    let allno = make("allnoconfig");
    std::fs::copy(src.join(arch.defconfig), obj.join(".config")).unwrap();
    let defconfig = make("olddefconfig");

    let outer = HashMap::from([("CROSS_COMPILE".to_owned(), arch.cross_compile.to_owned())]);
    let mut shell = SystemShell::new(HashMap::new());
    let env = linux_env(src, arch.arch, &outer, &mut shell);
    shell.env = env.clone();
    // The read every culprit command does: probes run concurrently.
    let kconfig = Kconfig::load_probing(
        Path::new("Kconfig"),
        &LoadOptions {
            srctree: src.to_owned(),
            env: env.clone(),
        },
        &mut shell,
    )
    .unwrap();

    let input_of = |texts: &[(&str, &str)]| {
        let mut input = Input::default();
        for (name, text) in texts {
            input.parse(text, name, false).unwrap();
        }
        input
    };
    let mut failures = Vec::new();
    let mut check = |name: String, input: Input, reference: &str, fragment: &str| {
        let ours = kconfig.olddefconfig(&input);
        if ours.dot_config() != reference {
            failures.push(format!(
                "{} {name}: differs from conf\nfragment:\n{fragment}{}",
                arch.arch,
                first_differences(reference, ours.dot_config())
            ));
        }
    };
    let defconfig_file = std::fs::read_to_string(src.join(arch.defconfig)).unwrap();
    check("tinyconfig".into(), input_of(&[("tiny", &tiny)]), &tiny, "");
    check(
        "allnoconfig".into(),
        input_of(&[("allno", &allno)]),
        &allno,
        "",
    );
    check(
        "defconfig".into(),
        input_of(&[("defconfig", &defconfig_file)]),
        &defconfig,
        "",
    );

    let bases = [
        ("tinyconfig", &tiny),
        ("allnoconfig", &allno),
        ("defconfig", &defconfig),
    ];
    let conf = obj.join("scripts/kconfig/conf");
    let mut changed = 0;
    let mut rng =
        Rng(0x6375_6c70_7269_7400 ^ arch.arch.len() as u64 ^ u64::from(arch.arch.as_bytes()[0]));
    for i in 0..DERIVED_PER_ARCH {
        let (base_name, base) = bases[i % bases.len()];
        let base_input = input_of(&[(base_name, base)]);
        let fragment = fragment(&kconfig, &base_input, &mut rng);
        let merged = obj.join(format!("derived-{i}.config"));
        std::fs::write(&merged, format!("{base}{fragment}")).unwrap();
        run(Command::new(&conf)
            .current_dir(&obj)
            .envs(&env)
            .env("KCONFIG_CONFIG", &merged)
            .args(["-s", "--olddefconfig", "Kconfig"]));
        let reference = std::fs::read_to_string(&merged).unwrap();
        changed += usize::from(reference != *base);
        let input = input_of(&[(base_name, base), ("fragment", &fragment)]);
        check(
            format!("{base_name} + fragment {i}"),
            input,
            &reference,
            &fragment,
        );
    }
    (failures, changed)
}

#[test]
fn evaluator_agrees_with_make_olddefconfig_on_linux_6_1() {
    let Some(tree) = linux_tree() else {
        return;
    };
    let scratch = tempfile::tempdir().unwrap();
    let src = scratch.path().join("linux");
    sparse_clone(&tree, &src);
    let results: Vec<(Vec<String>, usize)> = std::thread::scope(|scope| {
        let handles: Vec<_> = ARCHES
            .iter()
            .map(|arch| {
                let (src, scratch) = (&src, scratch.path());
                std::thread::Builder::new()
                    .stack_size(64 << 20)
                    .spawn_scoped(scope, move || agree_on(src, arch, scratch))
                    .unwrap()
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let changed: usize = results.iter().map(|(_, c)| c).sum();
    assert!(
        changed * 4 >= DERIVED_PER_ARCH * ARCHES.len() * 3,
        "only {changed} derived configurations differ from their base"
    );
    let failures: Vec<String> = results.into_iter().flat_map(|(f, _)| f).collect();
    assert!(
        failures.is_empty(),
        "{} disagreements:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
