//! What `culprit init` decides from: the files of the tree and the environment.

use crate::plan::Probe;
use std::path::{Path, PathBuf};

/// Environment variables that change what init writes.
const ENV: &[&str] = &[
    // What to build for, and with which toolchain.
    "ARCH",
    "CROSS_COMPILE",
    "LLVM",
    "BOARD",
    // labgrid's own settings, and the virtualenv it may be installed in (`--lab labgrid`).
    "LG_COORDINATOR",
    "LG_PLACE",
    "VIRTUAL_ENV",
];

/// Looks at the files init decides from, and the environment.
pub fn probe(home: &Path, requested_arch: Option<String>) -> Probe {
    let read = |name: &str| std::fs::read(home.join(name)).ok();
    let text = |bytes: Vec<u8>| String::from_utf8_lossy(&bytes).into_owned();
    Probe {
        home: home.to_path_buf(),
        makefile: read("Makefile").map(text),
        kconfig_and_init: home.join("Kconfig").is_file() && home.join("init/main.c").is_file(),
        dot_config: read(".config").map(text),
        west_manifest: home.join("west.yml").is_file(),
        zephyr_apps: zephyr_apps(home),
        env: ENV
            .iter()
            .filter_map(|name| Some((name.to_string(), std::env::var(name).ok()?)))
            .collect(),
        requested_arch,
        host_arch: std::env::consts::ARCH.to_string(),
        jobs: std::thread::available_parallelism().map_or(1, |n| n.get()),
        ccache: on_path("ccache"),
    }
}

/// Whether an executable `name` is in one of the PATH's directories.
fn on_path(name: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|path| {
        std::env::split_paths(&path).any(|dir| {
            std::fs::metadata(dir.join(name)).is_ok_and(|m| {
                m.is_file()
                    && std::os::unix::fs::PermissionsExt::mode(&m.permissions()) & 0o111 != 0
            })
        })
    })
}

/// Directories up to two levels down holding a `prj.conf` (hidden ones skipped), sorted.
fn zephyr_apps(home: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut dirs = vec![(PathBuf::from("."), 0)];
    while let Some((dir, depth)) = dirs.pop() {
        if home.join(&dir).join("prj.conf").is_file() {
            found.push(dir.to_string_lossy().trim_start_matches("./").to_string());
        }
        if depth == 2 {
            continue;
        }
        let Ok(entries) = std::fs::read_dir(home.join(&dir)) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let hidden = name.to_string_lossy().starts_with('.');
            if !hidden && entry.file_type().is_ok_and(|t| t.is_dir()) {
                dirs.push((dir.join(name), depth + 1));
            }
        }
    }
    found.sort();
    found
}
