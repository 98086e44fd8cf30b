//! Opening a tree the way its build system would: a Linux tree with the Makefile's
//! environment for an arch and `conf`'s semantics, anything else (Zephyr, toyos) with
//! the caller's environment and kconfiglib's.

use std::collections::HashMap;
use std::path::Path;

use super::error::KconfigError;
use super::linux::{host_arch, is_linux_tree, linux_env};
use super::parse::LoadOptions;
use super::shell::{ProbeCache, SystemShell};
use super::{Kconfig, Semantics};

/// A tree ready to evaluate, with how it was opened.
pub struct OpenTree {
    pub kconfig: Kconfig,
    pub semantics: Semantics,
    /// The arch a Linux tree was opened for.
    pub arch: Option<String>,
    /// `$(shell,…)` commands run while reading it.
    pub commands: usize,
    /// `$(shell,…)` commands answered from the probe cache instead.
    pub cached: usize,
}

/// Reads `dir/Kconfig`. `arch` applies to Linux trees (default: the machine's);
/// `outer` is the caller's environment (`CROSS_COMPILE`, `CC`, Zephyr's variables).
/// With `probe_cache`, the answers of `$(shell,…)` commands are kept there and reused
/// while the command, its environment and its tools stay the same.
pub fn open_tree(
    dir: &Path,
    arch: Option<&str>,
    outer: &HashMap<String, String>,
    probe_cache: Option<&Path>,
) -> Result<OpenTree, KconfigError> {
    let srctree = std::fs::canonicalize(dir).map_err(|source| KconfigError::Io {
        path: dir.to_owned(),
        source,
    })?;
    let top = srctree.join("Kconfig");
    if !top.is_file() {
        return Err(KconfigError::Io {
            path: top,
            source: std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "no Kconfig file here; pass the tree's top directory with --tree",
            ),
        });
    }
    let mut shell = SystemShell::new(HashMap::new());
    shell.cache = probe_cache.map(|dir| ProbeCache::new(dir.to_owned()));
    let (env, semantics, arch) = if is_linux_tree(&srctree) {
        let arch = arch.map_or_else(|| host_arch().to_owned(), str::to_owned);
        let env = linux_env(&srctree, &arch, outer, &mut shell);
        (env, Semantics::Conf, Some(arch))
    } else {
        let mut env = outer.clone();
        env.insert("srctree".to_owned(), srctree.display().to_string());
        (env, Semantics::Kconfiglib, None)
    };
    shell.env = env.clone();
    shell.cwd = std::env::temp_dir();
    let kconfig = Kconfig::load_probing(
        Path::new("Kconfig"),
        &LoadOptions { srctree, env },
        &mut shell,
    )?;
    Ok(OpenTree {
        kconfig,
        semantics,
        arch,
        commands: shell.commands,
        cached: shell.cache.map_or(0, |c| c.hits()),
    })
}
