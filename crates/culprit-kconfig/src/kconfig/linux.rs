//! The environment Linux's top Makefile gives `scripts/kconfig/conf`: `ARCH`,
//! `SRCARCH`, `KERNELVERSION`, `srctree` and the toolchain variables the Kconfig
//! macros read (`CC`, `LD`, `NM`, `OBJCOPY`, `PAHOLE`, `RUSTC`, …).

use std::collections::HashMap;
use std::path::Path;

use super::macros::Shell;

/// `ARCH` values whose sources live under another `arch/` directory (the Makefile's
/// `SRCARCH` rules).
const SRCARCH: &[(&str, &str)] = &[
    ("i386", "x86"),
    ("x86_64", "x86"),
    ("sparc32", "sparc"),
    ("sparc64", "sparc"),
    ("parisc64", "parisc"),
    ("sh64", "sh"),
];

/// Toolchain programs, named `$(CROSS_COMPILE)<tool>` by the Makefile.
const CROSS_TOOLS: &[(&str, &str)] = &[
    ("CC", "gcc"),
    ("LD", "ld"),
    ("AR", "ar"),
    ("NM", "nm"),
    ("OBJCOPY", "objcopy"),
    ("OBJDUMP", "objdump"),
    ("READELF", "readelf"),
    ("STRIP", "strip"),
];

/// Host programs the Makefile names without a prefix.
const HOST_TOOLS: &[(&str, &str)] = &[
    ("HOSTCC", "gcc"),
    ("HOSTCXX", "g++"),
    ("RUSTC", "rustc"),
    ("BINDGEN", "bindgen"),
    ("PAHOLE", "pahole"),
];

/// Whether `dir` looks like a Linux source tree (a top Makefile with a version and
/// `scripts/Kconfig.include`).
pub fn is_linux_tree(dir: &Path) -> bool {
    dir.join("scripts/Kconfig.include").is_file() && dir.join("Makefile").is_file()
}

/// `VERSION.PATCHLEVEL.SUBLEVEL` + `EXTRAVERSION` from the top Makefile.
pub fn kernel_version(srctree: &Path) -> Option<String> {
    let makefile = std::fs::read_to_string(srctree.join("Makefile")).ok()?;
    let field = |name: &str| {
        makefile.lines().take(20).find_map(|line| {
            let (key, value) = line.split_once('=')?;
            (key.trim() == name).then(|| value.trim().to_owned())
        })
    };
    let mut version = field("VERSION")?;
    if let Some(patch) = field("PATCHLEVEL").filter(|p| !p.is_empty()) {
        version.push('.');
        version.push_str(&patch);
        if let Some(sub) = field("SUBLEVEL").filter(|s| !s.is_empty()) {
            version.push('.');
            version.push_str(&sub);
        }
    }
    version.push_str(&field("EXTRAVERSION").unwrap_or_default());
    Some(version)
}

/// The environment for `arch`; `outer` (the caller's environment) supplies
/// `CROSS_COMPILE` and overrides any tool, as `make CC=…` would. `shell` asks the
/// compiler for `CC_VERSION_TEXT`, as the Makefile does.
pub fn linux_env(
    srctree: &Path,
    arch: &str,
    outer: &HashMap<String, String>,
    shell: &mut dyn Shell,
) -> HashMap<String, String> {
    let mut env = HashMap::new();
    let srcarch = SRCARCH
        .iter()
        .find(|(a, _)| *a == arch)
        .map_or(arch, |(_, s)| s);
    env.insert("ARCH".to_owned(), arch.to_owned());
    env.insert("SRCARCH".to_owned(), srcarch.to_owned());
    env.insert("srctree".to_owned(), srctree.display().to_string());
    if let Some(version) = kernel_version(srctree) {
        env.insert("KERNELVERSION".to_owned(), version);
    }
    let cross = outer.get("CROSS_COMPILE").cloned().unwrap_or_default();
    env.insert("CROSS_COMPILE".to_owned(), cross.clone());
    for (var, tool) in CROSS_TOOLS {
        env.insert((*var).to_owned(), format!("{cross}{tool}"));
    }
    for (var, tool) in HOST_TOOLS {
        env.insert((*var).to_owned(), (*tool).to_owned());
    }
    for var in CROSS_TOOLS.iter().chain(HOST_TOOLS).map(|(v, _)| *v) {
        if let Some(value) = outer.get(var) {
            env.insert(var.to_owned(), value.clone());
        }
    }
    for var in ["CROSS_COMPILE_COMPAT", "USERCFLAGS", "USERLDFLAGS", "LLVM"] {
        if let Some(value) = outer.get(var) {
            env.insert(var.to_owned(), value.clone());
        }
    }
    let probe = format!("LC_ALL=C {} --version 2>/dev/null | head -n 1", env["CC"]);
    let version = shell.run(&probe).unwrap_or_default();
    env.insert(
        "CC_VERSION_TEXT".to_owned(),
        version.trim_end_matches('\n').replace('#', ""),
    );
    env
}

/// The `ARCH` of the machine, as the Makefile's `SUBARCH` maps `uname -m`.
pub fn host_arch() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" | "x86" => "x86",
        "aarch64" => "arm64",
        "arm" => "arm",
        "riscv64" => "riscv",
        "powerpc64" | "powerpc" => "powerpc",
        "s390x" => "s390",
        "mips" | "mips64" => "mips",
        "loongarch64" => "loongarch",
        other => other,
    }
}
