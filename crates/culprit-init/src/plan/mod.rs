//! What `culprit init` writes for a tree, decided from what was observed there (a
//! [`Probe`]) and nothing else, so that every layout and every guess is tested without
//! a real tree, a cross compiler or QEMU.

use crate::initramfs::SUCCESS_MARKER;

mod kbuild_env;
pub mod labgrid;
mod lava;

pub use lava::{lava_files, LavaFiles, TEMPLATE_FILE as LAVA_TEMPLATE_FILE};
use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::PathBuf;

/// The file, next to `culprit.toml`, that holds the Linux boot test's initramfs.
pub const INITRAMFS_FILE: &str = "culprit-initramfs.cpio";
/// The file, next to `culprit.toml`, that holds the configuration every Linux step
/// starts from.
pub const BASE_CONFIG_FILE: &str = "culprit-base.config";

/// What the init command saw in the tree and the environment.
#[derive(Clone, Debug, Default)]
pub struct Probe {
    /// The directory the files are written to (absolute).
    pub home: PathBuf,
    /// The top-level `Makefile`, when there is one (Linux states its version there).
    pub makefile: Option<String>,
    /// Whether `Kconfig` and `init/main.c` exist (with the Makefile: a Linux tree).
    pub kconfig_and_init: bool,
    /// The tree's own `.config`, when there is one.
    pub dot_config: Option<String>,
    /// Whether `west.yml` exists at the top.
    pub west_manifest: bool,
    /// Directories (relative, `.` for the top) holding a Zephyr application
    /// (`prj.conf`), sorted.
    pub zephyr_apps: Vec<String>,
    /// `ARCH`, `CROSS_COMPILE`, `LLVM` and `BOARD` from the environment, when set.
    pub env: BTreeMap<String, String>,
    /// `--arch`, when given.
    pub requested_arch: Option<String>,
    /// The machine culprit runs on, as Rust names it (`std::env::consts::ARCH`).
    pub host_arch: String,
    /// How many jobs a build may run (`make -jN`).
    pub jobs: usize,
    /// Whether `ccache` is on the PATH.
    pub ccache: bool,
}

/// What to write, and what was guessed on the way.
#[derive(Clone, Debug)]
pub struct Plan {
    pub layout: Layout,
    /// The text of `culprit.toml`.
    pub toml: String,
    /// One sentence per guess: what was chosen and where it came from.
    pub guesses: Vec<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Layout {
    Linux(LinuxPlan),
    Zephyr,
    Generic,
}

/// What the command must make for a Linux tree besides `culprit.toml`.
#[derive(Clone, Debug, PartialEq)]
pub struct LinuxPlan {
    pub arch: &'static Arch,
    /// `make` variables every kernel command gets (`ARCH=... CROSS_COMPILE=...`).
    pub make_vars: Vec<String>,
    /// The compiler command that builds the initramfs' `/init` for the target.
    pub init_cc: Vec<String>,
    /// Where the base configuration comes from.
    pub base: BaseConfig,
}

#[derive(Clone, Debug, PartialEq)]
pub enum BaseConfig {
    /// The tree's own `.config`, copied (an out-of-tree build refuses a configured
    /// source tree, so it cannot stay there).
    TreeConfig,
    /// `make tinyconfig` plus these options: the least that boots the initramfs.
    Tiny(Vec<String>),
}

/// How culprit builds and boots one architecture.
#[derive(Debug, PartialEq)]
pub struct Arch {
    /// culprit's name for it, as `--arch` takes it.
    pub name: &'static str,
    /// Other names for it: `uname -m`, Rust and the kernel's `ARCH`.
    pub aliases: &'static [&'static str],
    /// The kernel's `ARCH=`.
    pub kernel_arch: &'static str,
    /// The `.config` symbols that say a configuration is for it (all must be `y`).
    pub config_symbols: &'static [&'static str],
    /// The make target and the image it leaves under the build directory.
    pub target: &'static str,
    pub image: &'static str,
    pub qemu: &'static str,
    pub machine: &'static str,
    pub console: &'static str,
    /// Debian's cross compiler prefix and clang's target triple.
    pub cross_compile: &'static str,
    pub clang_target: &'static str,
    /// What tinyconfig lacks to print on this machine's serial console.
    pub console_options: &'static [&'static str],
}

/// Every architecture `culprit init` knows, the most common first.
pub static ARCHES: &[Arch] = &[
    // PC: 8250 UART on the legacy port, booted by SeaBIOS.
    Arch {
        name: "x86_64",
        aliases: &["x86_64", "amd64", "x86"],
        kernel_arch: "x86_64",
        config_symbols: &["CONFIG_X86_64"],
        target: "bzImage",
        image: "arch/x86/boot/bzImage",
        qemu: "qemu-system-x86_64",
        machine: "",
        console: "ttyS0",
        cross_compile: "x86_64-linux-gnu-",
        clang_target: "x86_64-linux-gnu",
        console_options: &[
            "CONFIG_64BIT",
            "CONFIG_SERIAL_8250",
            "CONFIG_SERIAL_8250_CONSOLE",
        ],
    },
    // QEMU's virt board with a PL011 UART and a fixed ARMv8.0 core: `-cpu max` grows with
    // every QEMU release (the same kernel would meet another CPU on another machine) and
    // emulates pointer authentication slowly under TCG.
    Arch {
        name: "arm64",
        aliases: &["arm64", "aarch64"],
        kernel_arch: "arm64",
        config_symbols: &["CONFIG_ARM64"],
        target: "Image",
        image: "arch/arm64/boot/Image",
        qemu: "qemu-system-aarch64",
        machine: "-M virt -cpu cortex-a57",
        console: "ttyAMA0",
        cross_compile: "aarch64-linux-gnu-",
        clang_target: "aarch64-linux-gnu",
        console_options: &[
            "CONFIG_SERIAL_AMBA_PL011",
            "CONFIG_SERIAL_AMBA_PL011_CONSOLE",
        ],
    },
    // QEMU's virt board, OpenSBI as firmware, an 8250 UART found in the device tree.
    Arch {
        name: "riscv64",
        aliases: &["riscv64", "riscv"],
        kernel_arch: "riscv",
        config_symbols: &["CONFIG_RISCV", "CONFIG_64BIT"],
        target: "Image",
        image: "arch/riscv/boot/Image",
        qemu: "qemu-system-riscv64",
        machine: "-M virt",
        console: "ttyS0",
        cross_compile: "riscv64-linux-gnu-",
        clang_target: "riscv64-linux-gnu",
        console_options: &[
            "CONFIG_64BIT",
            "CONFIG_SERIAL_8250",
            "CONFIG_SERIAL_8250_CONSOLE",
            "CONFIG_SERIAL_OF_PLATFORM",
        ],
    },
    // 32-bit QEMU virt board: a multiplatform ARMv7 kernel with a PL011 UART.
    Arch {
        name: "arm",
        aliases: &["arm", "armv7l", "armhf"],
        kernel_arch: "arm",
        config_symbols: &["CONFIG_ARM"],
        target: "zImage",
        image: "arch/arm/boot/zImage",
        qemu: "qemu-system-arm",
        machine: "-M virt",
        console: "ttyAMA0",
        cross_compile: "arm-linux-gnueabihf-",
        clang_target: "arm-linux-gnueabihf",
        console_options: &[
            "CONFIG_MMU",
            "CONFIG_ARCH_MULTI_V7",
            "CONFIG_ARCH_VIRT",
            "CONFIG_SERIAL_AMBA_PL011",
            "CONFIG_SERIAL_AMBA_PL011_CONSOLE",
        ],
    },
];

/// What every architecture needs on top of tinyconfig to boot the initramfs and say so.
const BOOT_OPTIONS: &[&str] = &[
    // the kernel's messages, on a terminal
    "CONFIG_PRINTK",
    "CONFIG_TTY",
    // the initramfs, and running its static ELF /init
    "CONFIG_BLK_DEV_INITRD",
    "CONFIG_BINFMT_ELF",
];

/// Why `culprit init` cannot decide.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum PlanError {
    #[error("unknown architecture `{0}`; culprit init knows {known}", known = known_arches())]
    UnknownArch(String),
}

fn known_arches() -> String {
    ARCHES.iter().map(|a| a.name).collect::<Vec<_>>().join(", ")
}

/// Finds an architecture by any of its names.
pub fn arch_named(name: &str) -> Option<&'static Arch> {
    ARCHES
        .iter()
        .find(|a| a.name == name || a.aliases.contains(&name))
}

/// Decides what to write.
pub fn plan(probe: &Probe) -> Result<Plan, PlanError> {
    if let Some(version) = linux_version(probe) {
        return plan_linux(probe, &version);
    }
    if probe.west_manifest || !probe.zephyr_apps.is_empty() {
        return Ok(plan_zephyr(probe));
    }
    Ok(plan_generic(probe))
}

/// `6.1` from a Linux top-level Makefile, when the tree looks like Linux.
fn linux_version(probe: &Probe) -> Option<String> {
    let makefile = probe.makefile.as_deref()?;
    let field = |name: &str| {
        makefile.lines().take(20).find_map(|line| {
            let (key, value) = line.split_once('=')?;
            (key.trim() == name).then(|| value.trim().to_string())
        })
    };
    let (version, patchlevel) = (field("VERSION")?, field("PATCHLEVEL")?);
    (probe.kconfig_and_init && !version.is_empty()).then(|| format!("{version}.{patchlevel}"))
}

fn plan_linux(probe: &Probe, version: &str) -> Result<Plan, PlanError> {
    let mut guesses = Vec::new();
    let (arch, from) = linux_arch(probe)?;
    guesses.push(format!("architecture {}: {from}", arch.name));
    let host = arch_named(&probe.host_arch).is_some_and(|h| h.name == arch.name);
    let mut make_vars = vec![format!("ARCH={}", arch.kernel_arch)];
    let init_cc: Vec<String>;
    let llvm = probe.env.get("LLVM").filter(|v| !v.is_empty() && *v != "0");
    if let Some(llvm) = llvm {
        make_vars.push(format!("LLVM={llvm}"));
        init_cc = vec![
            "clang".into(),
            format!("--target={}", arch.clang_target),
            "-fuse-ld=lld".into(),
        ];
        guesses.push(format!("toolchain LLVM (LLVM={llvm} is set)"));
    } else {
        let cross = match probe.env.get("CROSS_COMPILE") {
            Some(prefix) => {
                guesses.push(format!("cross compiler {prefix}gcc (CROSS_COMPILE is set)"));
                Some(prefix.clone())
            }
            None if host => None,
            None => {
                guesses.push(format!(
                    "cross compiler {}gcc (Debian's name; set CROSS_COMPILE to use another)",
                    arch.cross_compile
                ));
                Some(arch.cross_compile.to_string())
            }
        };
        if let Some(prefix) = &cross {
            make_vars.push(format!("CROSS_COMPILE={prefix}"));
        }
        init_cc = vec![format!("{}gcc", cross.unwrap_or_default())];
    }
    // The initramfs' compiler is the kernel's (clang takes its target as an option).
    make_vars.extend(kbuild_env::make_vars(probe.ccache, &init_cc[0]));
    guesses.push(kbuild_env::ccache_guess(probe.ccache));
    let base = if probe.dot_config.is_some() {
        guesses.push(format!(
            "base configuration: the tree's .config, copied to {BASE_CONFIG_FILE} (out-of-tree builds need a clean source tree: run `make mrproper` to build the working tree itself)"
        ));
        BaseConfig::TreeConfig
    } else {
        guesses.push(format!(
            "base configuration: tinyconfig plus what the initramfs boot needs, in {BASE_CONFIG_FILE} (no .config in the tree)"
        ));
        BaseConfig::Tiny(boot_options(arch))
    };
    guesses.push(format!(
        "boot: {} {}with the initramfs {INITRAMFS_FILE}, whose /init prints {SUCCESS_MARKER} and powers off",
        arch.qemu,
        if arch.machine.is_empty() {
            String::new()
        } else {
            format!("{} ", arch.machine)
        }
    ));
    let linux = LinuxPlan {
        arch,
        make_vars,
        init_cc,
        base,
    };
    let toml = linux_toml(probe, version, &linux, &guesses);
    Ok(Plan {
        layout: Layout::Linux(linux),
        toml,
        guesses,
    })
}

/// The architecture and why: `--arch`, then `ARCH`, then the `.config`, then the host.
fn linux_arch(probe: &Probe) -> Result<(&'static Arch, String), PlanError> {
    let named = |name: &str| arch_named(name).ok_or_else(|| PlanError::UnknownArch(name.into()));
    if let Some(name) = &probe.requested_arch {
        return Ok((named(name)?, "from --arch".into()));
    }
    if let Some(name) = probe.env.get("ARCH").filter(|a| !a.is_empty()) {
        return Ok((named(name)?, format!("from ARCH={name}")));
    }
    if let Some(text) = &probe.dot_config {
        let set = |symbol: &str| text.lines().any(|l| l.trim() == format!("{symbol}=y"));
        if let Some(arch) = ARCHES
            .iter()
            .find(|a| a.config_symbols.iter().all(|s| set(s)))
        {
            return Ok((arch, "from the tree's .config".into()));
        }
    }
    let host = named(&probe.host_arch)?;
    Ok((
        host,
        "the host's (set ARCH or pass --arch for another)".into(),
    ))
}

/// The options added to tinyconfig for `arch`.
pub fn boot_options(arch: &Arch) -> Vec<String> {
    BOOT_OPTIONS
        .iter()
        .chain(arch.console_options)
        .map(|o| format!("{o}=y"))
        .collect()
}

/// Quotes a word for the shell when it needs it.
fn shell_word(word: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c);
    if !word.is_empty() && word.chars().all(plain) {
        word.to_string()
    } else {
        culprit_exec::shell::quote(word)
    }
}

/// A TOML basic string.
fn toml_string(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

fn comment_block(out: &mut String, guesses: &[String]) {
    out.push_str("# What it guessed (edit anything that is wrong):\n");
    for guess in guesses {
        let _ = writeln!(out, "#   - {guess}");
    }
}

fn linux_toml(probe: &Probe, version: &str, linux: &LinuxPlan, guesses: &[String]) -> String {
    let arch = linux.arch;
    let make = format!(
        "{} make -C {{tree}} O={{build}} {}",
        kbuild_env::env_prefix(probe.ccache),
        linux
            .make_vars
            .iter()
            .map(|v| shell_word(v))
            .collect::<Vec<_>>()
            .join(" ")
    );
    let image = format!("{{build}}/{}", arch.image);
    let initramfs = probe.home.join(INITRAMFS_FILE);
    let machine = if arch.machine.is_empty() {
        String::new()
    } else {
        format!("{} ", arch.machine)
    };
    let qemu = format!(
        "{} {machine}-m 256 -display none -serial stdio -monitor none -no-reboot -kernel {image} -initrd {} -append 'console={} panic=-1'",
        arch.qemu,
        shell_word(&initramfs.to_string_lossy()),
        arch.console
    );
    let mut out =
        format!("# culprit.toml for this Linux {version} tree, written by `culprit init`.\n");
    comment_block(&mut out, guesses);
    let _ = write!(
        out,
        r#"#
# Each worker builds out of tree in its own build directory, {{build}}, which culprit
# keeps between candidates, sessions and resumes: only a worker's first build is a full one.

[build]
command = {build}
artifacts = [{image}]
timeout = "60m"

[config]
# Every step starts from this configuration: culprit writes it to `file` (then runs
# `normalize`) before building; `culprit run --set CONFIG_X=n` and configuration hunts
# change it from there.
base = {base}
file = "{{build}}/.config"
normalize = {normalize}

[[test]]
name = "boot"
command = {qemu}
timeout = "5m"
# A TCG boot of a small kernel is never this quiet before its marker; a kernel with long
# silent stretches (a big initramfs to unpack) needs more.
silence = "30s"
success = [{marker}]
# `Linux version` (kernel) and `Run /init` (init) are stages culprit knows already.
stages = [{{ name = "userspace", marker = "culprit: /init is running" }}]
"#,
        // Not silent: the build log then lists every object compiled, which shows at a
        // glance whether a step was incremental.
        build = toml_string(&format!("{make} -j{} {}", probe.jobs.max(1), arch.target)),
        image = toml_string(&image),
        base = toml_string(BASE_CONFIG_FILE),
        normalize = toml_string(&format!("{make} -s olddefconfig")),
        qemu = toml_string(&qemu),
        marker = toml_string(SUCCESS_MARKER),
    );
    out
}

/// The value environment variable `var` gives, said in `guesses` as "`label` VALUE (VAR
/// is set)"; else `default`, with `unset_guess` said when the default needs a word.
fn env_or(
    env: &BTreeMap<String, String>,
    (var, label): (&str, &str),
    default: &str,
    unset_guess: Option<&str>,
    guesses: &mut Vec<String>,
) -> String {
    match env.get(var) {
        Some(value) => {
            guesses.push(format!("{label} {value} ({var} is set)"));
            value.clone()
        }
        None => {
            guesses.extend(unset_guess.map(str::to_owned));
            default.to_owned()
        }
    }
}

fn plan_zephyr(probe: &Probe) -> Plan {
    let mut guesses = Vec::new();
    let app = probe
        .zephyr_apps
        .first()
        .cloned()
        .unwrap_or_else(|| ".".into());
    guesses.push(match probe.zephyr_apps.len() {
        0 => "application: the top directory (no prj.conf found; change the path)".into(),
        1 => format!("application: {app} (its prj.conf)"),
        n => format!("application: {app}, the first of {n} with a prj.conf"),
    });
    let board = env_or(
        &probe.env,
        ("BOARD", "board"),
        "qemu_x86_64",
        Some("board qemu_x86_64 (set BOARD, or edit -b, for another)"),
        &mut guesses,
    );
    let app_dir = if app == "." {
        "{tree}".to_string()
    } else {
        format!("{{tree}}/{app}")
    };
    let mut out =
        String::from("# culprit.toml for this Zephyr application, written by `culprit init`.\n");
    comment_block(&mut out, &guesses);
    let _ = write!(
        out,
        r#"#
# Each worker builds in its own build directory, {{build}}, kept between candidates.

[build]
command = {build}
timeout = "30m"

[config]
# Configuration hunts write each candidate's options to this overlay, which the build
# adds on top of prj.conf.
file = "{{build}}/culprit.conf"

[[test]]
name = "run"
command = "west build -d {{build}} -t run"
timeout = "5m"
silence = "60s"
# ztest's verdict lines.
success = ["PROJECT EXECUTION SUCCESSFUL"]
failure = ["PROJECT EXECUTION FAILED"]
"#,
        build = toml_string(&format!(
            "touch -a {{build}}/culprit.conf && west build -p auto -b {} -d {{build}} {app_dir} -- -DEXTRA_CONF_FILE={{build}}/culprit.conf",
            shell_word(&board)
        )),
    );
    Plan {
        layout: Layout::Zephyr,
        toml: out,
        guesses,
    }
}

fn plan_generic(probe: &Probe) -> Plan {
    let guesses = vec![if probe.makefile.is_some() {
        "build: `make` (there is a Makefile)".to_string()
    } else {
        "build: none found; fill in [build] command".to_string()
    }];
    let build = if probe.makefile.is_some() {
        format!("make -C {{tree}} -j{}", probe.jobs.max(1))
    } else {
        "true".to_string()
    };
    let mut out = String::from(
        "# culprit.toml skeleton, written by `culprit init`: this is neither a Linux nor a\n# Zephyr tree, so say how to build and boot it.\n",
    );
    comment_block(&mut out, &guesses);
    let _ = write!(
        out,
        r#"
[build]
# A non-zero exit is a build error, classified from the build's log.
command = {build}
# What the tests boot: two candidates that build the same bytes are booted once.
# artifacts = ["build/kernel.elf"]

[[test]]
name = "boot"
# The command that boots the image with its console on stdout, for example
#   qemu-system-x86_64 -kernel {{tree}}/build/kernel.elf -display none -serial stdio -no-reboot
command = "echo 'edit culprit.toml: [[test]] command boots the image'; exit 1"
timeout = "5m"
silence = "30s"
# A line the console prints when the test passed.
success = ["BOOT-OK"]
# stages = [{{ name = "banner", marker = "Booting my kernel" }}]

# For configuration hunts: where the configuration lives and what normalizes it.
# [config]
# file = ".config"
# normalize = "make -C {{tree}} olddefconfig"
"#,
        build = toml_string(&build),
    );
    Plan {
        layout: Layout::Generic,
        toml: out,
        guesses,
    }
}

#[cfg(test)]
mod tests;
