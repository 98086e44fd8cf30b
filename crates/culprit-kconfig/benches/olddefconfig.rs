//! Side by side in one run, on the same input (Linux 6.1 x86_64, `x86_64_defconfig`):
//! `make olddefconfig`, kconfiglib's olddefconfig, and culprit's evaluator (parse +
//! evaluate + write with an empty probe cache, as the first run on a toolchain, with the
//! probes run one at a time as conf runs them and concurrently as culprit's commands
//! do; the same with the compiler probes' answers cached, as every later run; and evaluate + write
//! alone on a loaded tree, which is what each further candidate of a configuration hunt
//! costs). Prints a table of medians, the
//! ratios to `make olddefconfig`, and culprit's peak memory.
//!
//! ```text
//! CULPRIT_LINUX_TREE=$(scripts/linux-tree) cargo bench -p culprit-kconfig --bench olddefconfig
//! ```
//! kconfiglib 14.1 predates the `modules` keyword of Linux 6.0+, so its copy of the
//! tree has that one line spelled `option modules` (same meaning).

#[path = "../tests/kconfig/common/kconfiglib.rs"]
mod kconfiglib;
#[path = "../tests/kconfig/common/linux.rs"]
mod linux;

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use culprit_kconfig::kconfig::{linux_env, Input, Kconfig, LoadOptions, ProbeCache, SystemShell};

const RUNS: usize = 3;
const ARCH: &str = "x86_64";
const DEFCONFIG: &str = "arch/x86/configs/x86_64_defconfig";

const KCONFIGLIB: &str = r#"
import sys, kconfiglib
kc = kconfiglib.Kconfig("Kconfig", warn=False)
kc.load_config(sys.argv[1])
kc.write_config(sys.argv[2], save_old=False)
"#;

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn time(mut f: impl FnMut()) -> Duration {
    let start = Instant::now();
    f();
    start.elapsed()
}

fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// The 1-minute load average: on a shared machine, what the absolute times mean.
fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "?".to_owned())
}

fn main() {
    let Some(tree) = linux::linux_tree() else {
        return;
    };
    let load_before = load();
    let scratch = tempfile::tempdir().unwrap();
    let src = scratch.path().join("linux");
    linux::sparse_clone(&tree, &src);
    let obj = scratch.path().join("obj");
    std::fs::create_dir_all(&obj).unwrap();
    let defconfig = src.join(DEFCONFIG);

    let make = median(
        (0..RUNS)
            .map(|_| {
                std::fs::copy(&defconfig, obj.join(".config")).unwrap();
                time(|| {
                    linux::run(Command::new("make").current_dir(&src).args([
                        "-s",
                        &format!("ARCH={ARCH}"),
                        &format!("O={}", obj.display()),
                        "olddefconfig",
                    ]))
                })
            })
            .collect(),
    );
    let reference = std::fs::read_to_string(obj.join(".config")).unwrap();

    let mut shell = SystemShell::new(HashMap::new());
    let env = linux_env(&src, ARCH, &HashMap::new(), &mut shell);
    shell.env = env.clone();
    let options = LoadOptions {
        srctree: src.clone(),
        env: env.clone(),
    };
    let mut input = Input::default();
    input.read(&defconfig, false).unwrap();
    let mut output = String::new();
    // The first read on a toolchain (no probe cache): probes one at a time as conf runs
    // them, and concurrently as culprit does, alternating so both see the same load.
    let (mut serial_times, mut parallel_times) = (Vec::new(), Vec::new());
    let (mut commands, mut parallel_commands) = (0, 0);
    for _ in 0..RUNS {
        for concurrent in [false, true] {
            shell.commands = 0;
            let t = time(|| {
                let kconfig = if concurrent {
                    Kconfig::load_probing(Path::new("Kconfig"), &options, &mut shell)
                } else {
                    Kconfig::load(Path::new("Kconfig"), &options, &mut shell)
                };
                output = kconfig
                    .unwrap()
                    .olddefconfig(&input)
                    .dot_config()
                    .to_owned();
            });
            assert_eq!(
                output, reference,
                "culprit (probes concurrent: {concurrent}) disagrees with make olddefconfig"
            );
            if concurrent {
                parallel_times.push(t);
                parallel_commands = shell.commands;
            } else {
                serial_times.push(t);
                commands = shell.commands;
            }
        }
    }
    let (cold, parallel) = (median(serial_times), median(parallel_times));
    // A new process on the same toolchain: the probes' answers come from the cache
    // (filled by one run first), the tree is read and evaluated from scratch.
    let probes = scratch.path().join("probes");
    let cached_shell = || {
        let mut shell = SystemShell::new(env.clone());
        shell.cache = Some(ProbeCache::new(probes.clone()));
        shell
    };
    Kconfig::load(Path::new("Kconfig"), &options, &mut cached_shell()).unwrap();
    let mut probes_run = 0;
    let cached = median(
        (0..RUNS)
            .map(|_| {
                let mut shell = cached_shell();
                let t = time(|| {
                    let kconfig =
                        Kconfig::load(Path::new("Kconfig"), &options, &mut shell).unwrap();
                    output = kconfig.olddefconfig(&input).dot_config().to_owned();
                });
                probes_run = shell.commands;
                t
            })
            .collect(),
    );
    assert_eq!(
        output, reference,
        "culprit with cached probes disagrees with make olddefconfig"
    );
    let kconfig = Kconfig::load(Path::new("Kconfig"), &options, &mut shell).unwrap();
    let warm = median(
        (0..RUNS * 3)
            .map(|_| time(|| output = kconfig.olddefconfig(&input).dot_config().to_owned()))
            .collect(),
    );
    let rss = peak_rss_kib();

    let python3 = kconfiglib::Kconfiglib::get().expect("kconfiglib, to compare with it");
    let klib_src = scratch.path().join("linux-kconfiglib");
    linux::run(Command::new("cp").arg("-r").arg(&src).arg(&klib_src));
    let module_kconfig = klib_src.join("kernel/module/Kconfig");
    let text = std::fs::read_to_string(&module_kconfig).unwrap();
    std::fs::write(
        &module_kconfig,
        text.replace("\tmodules\n", "\toption modules\n"),
    )
    .unwrap();
    let klib_out = scratch.path().join("kconfiglib.config");
    let kconfiglib = median(
        (0..RUNS)
            .map(|_| {
                time(|| {
                    linux::run(
                        python3
                            .python3()
                            .current_dir(&klib_src)
                            .envs(&env)
                            .env("srctree", &klib_src)
                            .args(["-c", KCONFIGLIB])
                            .arg(&defconfig)
                            .arg(&klib_out),
                    )
                })
            })
            .collect(),
    );
    let body = |t: &str| {
        t.lines()
            .filter(|l| !l.starts_with('#'))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let klib_agrees = body(&std::fs::read_to_string(&klib_out).unwrap()) == body(&reference);

    let ratio = |d: Duration| d.as_secs_f64() / make.as_secs_f64();
    println!(
        "Linux 6.1 {ARCH}, input {DEFCONFIG}, median of {RUNS} runs, load average {load_before} before, {} after\n",
        load()
    );
    println!("| what | time | vs make olddefconfig |");
    println!("|---|---:|---:|");
    println!("| make olddefconfig | {:.3} s | 1 |", make.as_secs_f64());
    println!(
        "| kconfiglib olddefconfig{} | {:.3} s | {:.2} |",
        if klib_agrees { "" } else { " (output differs)" },
        kconfiglib.as_secs_f64(),
        ratio(kconfiglib)
    );
    println!(
        "| culprit parse + evaluate + write, empty probe cache, {commands} `$(shell)` probes one at a time | {:.3} s | {:.2} |",
        cold.as_secs_f64(),
        ratio(cold)
    );
    println!(
        "| culprit parse + evaluate + write, empty probe cache, {parallel_commands} probes {} at a time | {:.3} s | {:.2} |",
        shell.jobs,
        parallel.as_secs_f64(),
        ratio(parallel)
    );
    println!(
        "| culprit parse + evaluate + write, probes cached ({probes_run} run) | {:.3} s | 1/{:.0} |",
        cached.as_secs_f64(),
        1.0 / ratio(cached)
    );
    println!(
        "| culprit evaluate + write, tree loaded | {:.4} s | 1/{:.0} |",
        warm.as_secs_f64(),
        1.0 / ratio(warm)
    );
    if let Some(kib) = rss {
        println!(
            "\nculprit peak memory (whole tree loaded twice, two evaluations): {} MiB",
            kib / 1024
        );
    }
}
