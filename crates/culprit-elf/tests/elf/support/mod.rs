//! Helpers shared by the integration tests: fixtures are assembled at test time from
//! source with `llvm-mc`, `gcc` and `ar`, never committed as binaries.

pub mod fixtures;
pub mod synth;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub const ARM: &str = "armv7-none-eabi";
pub const AARCH64: &str = "aarch64-none-elf";
pub const RISCV64: &str = "riscv64-unknown-elf";
pub const X86_64: &str = "x86_64-unknown-linux-gnu";

/// Assemble `source` for `triple` into `dir/name` and return the path.
pub fn assemble(dir: &Path, name: &str, triple: &str, source: &str) -> PathBuf {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    let mut args = vec![format!("-triple={triple}"), "-filetype=obj".to_owned()];
    if triple.starts_with("riscv") {
        args.push("-mattr=+relax".to_owned());
    }
    run_with_input("llvm-mc", &args, source, &path);
    path
}

/// Compile C `source` with the host gcc and the given flags into `dir/name`.
pub fn compile_c(dir: &Path, name: &str, flags: &[&str], source: &str) -> PathBuf {
    let path = dir.join(name);
    let mut args: Vec<String> = flags.iter().map(|s| s.to_string()).collect();
    args.extend(["-x", "c", "-"].map(String::from));
    run_with_input("gcc", &args, source, &path);
    path
}

/// Runs `program args -o output` with `input` on its standard input; it must succeed.
fn run_with_input(program: &str, args: &[String], input: &str, output: &Path) {
    use std::io::Write;
    let mut child = Command::new(program)
        .args(args)
        .arg("-o")
        .arg(output)
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{program} runs: {e}"));
    let mut stdin = child.stdin.take().expect("stdin is piped");
    stdin.write_all(input.as_bytes()).unwrap();
    // Closed before the wait, so that the program sees the end of its input.
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{program} {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `ar` with `flags` (e.g. `rcs`, or `cDPrST` for a Kbuild thin archive) run in `dir`.
pub fn archive(dir: &Path, flags: &str, archive: &str, members: &[&str]) -> PathBuf {
    let status = Command::new("ar")
        .current_dir(dir)
        .arg(flags)
        .arg(archive)
        .args(members)
        .status()
        .expect("ar runs");
    assert!(status.success());
    dir.join(archive)
}

/// What `program args path` prints. It must succeed, unless `printing_is_enough` and it
/// printed something: nm exits 1 on archives with symbol-less members ("no symbols") and
/// still prints everything else.
pub fn stdout(program: &str, args: &[&str], path: &Path, printing_is_enough: bool) -> String {
    let out = Command::new(program)
        .args(args)
        .arg(path)
        .output()
        .unwrap_or_else(|e| panic!("{program} runs: {e}"));
    assert!(
        out.status.success() || (printing_is_enough && !out.stdout.is_empty()),
        "{program} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Relocation counts by type name as `readelf -rW` lists them (all members of an
/// archive added up).
pub fn readelf_relocation_counts(path: &Path) -> BTreeMap<String, u64> {
    let mut counts = BTreeMap::new();
    let mut in_table = false;
    for line in stdout("readelf", &["-rW"], path, true).lines() {
        if line.starts_with("Relocation section") {
            in_table = true;
            continue;
        }
        if line.trim().is_empty() || line.starts_with("File:") {
            in_table = false;
            continue;
        }
        if !in_table || line.trim_start().starts_with("Offset") {
            continue;
        }
        if let Some(name) = line.split_whitespace().nth(2) {
            *counts.entry(name.to_owned()).or_default() += 1;
        }
    }
    counts
}

/// Relocation counts by type name as `llvm-readobj -r` lists them.
pub fn llvm_readobj_relocation_counts(path: &Path) -> BTreeMap<String, u64> {
    let mut counts = BTreeMap::new();
    for line in stdout("llvm-readobj", &["-r"], path, true).lines() {
        let mut words = line.split_whitespace();
        if words.next().is_some_and(|w| w.starts_with("0x")) {
            if let Some(name) = words.next() {
                *counts.entry(name.to_owned()).or_default() += 1;
            }
        }
    }
    counts
}

/// Defined external symbols as `nm` prints them, upper-case type letters only.
pub fn nm_defined_globals(path: &Path) -> Vec<String> {
    let mut names: Vec<String> = stdout("nm", &["--defined-only", "-g"], path, true)
        .lines()
        .filter_map(|line| {
            let words: Vec<&str> = line.split_whitespace().collect();
            (words.len() == 3).then(|| words[2].to_owned())
        })
        .collect();
    names.sort();
    names
}

/// Counts by type from a shape file, all objects added up.
pub fn our_relocation_counts(file: &culprit_elf::FileShape) -> BTreeMap<String, u64> {
    let mut counts = BTreeMap::new();
    for object in &file.objects {
        for (name, count) in &object.relocations.by_type {
            *counts.entry(name.clone()).or_default() += count;
        }
    }
    counts
}
