//! What every kernel command `culprit init` writes gets besides the architecture:
//! reproducible builds, so that two candidates whose code compiles to the same kernel
//! give the same bytes (and are booted once), and a compiler cache.
//!
//! Kbuild stamps each image with the time, user and host of the build and a build
//! counter, and `setlocalversion` adds `+` to the version of a git tree past its tag:
//! fixed values leave only the code in the image. Debian's `ccache`, when installed,
//! keeps its files next to the workers' build directories in the state directory, and
//! names the sources relative to the build directory, so one worker's cold build gives
//! its objects to the others (culprit runs one cold build at a time), and a
//! configuration that comes back (a configuration hunt toggling options) compiles from
//! the cache. Its compiler goes in the `make` variables every
//! command shares: a `CC` that differed between `olddefconfig` and the build would make
//! Kbuild regenerate the configuration, and recompile everything, at every build.

/// Kbuild's stamps, fixed (`KBUILD_BUILD_TIMESTAMP` as `date -d` reads it).
const REPRODUCIBLE: &[(&str, &str)] = &[
    ("KBUILD_BUILD_TIMESTAMP", "@0"),
    ("KBUILD_BUILD_USER", "culprit"),
    ("KBUILD_BUILD_HOST", "culprit"),
    ("KBUILD_BUILD_VERSION", "1"),
];

/// The compiler cache's settings, relative to the worker's build directory
/// (`STATE/workers/wN/build`): the cache in `STATE/workers/ccache`, and paths below the
/// state directory hashed relative to the build directory, which are the same in every
/// worker (`../tree/...`). Depend mode: ccache's default mode runs the preprocessor
/// before each compile it has not seen, which made a cold tinyconfig build take 133 s
/// against 99 s without ccache; in depend mode a miss is one compile, and the headers a
/// result depends on come from the dependency file Kbuild has the compiler write
/// (`-Wp,-MMD`): 102 s (Linux 6.1, this project's 2-core machine, BENCHMARKS.md).
const CCACHE: &[(&str, &str)] = &[
    ("CCACHE_DIR", "{build}/../../ccache"),
    ("CCACHE_BASEDIR", "{build}/../../.."),
    ("CCACHE_NOHASHDIR", "1"),
    ("CCACHE_DEPEND", "1"),
];

/// The environment assignments a kernel command starts with.
pub fn env_prefix(ccache: bool) -> String {
    REPRODUCIBLE
        .iter()
        .chain(if ccache { CCACHE } else { &[] })
        .map(|(name, value)| format!("{name}={value}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The `make` variables that go with it: no `+` in the version, and the compiler
/// behind the cache when there is one (`compiler`: `gcc`, `aarch64-linux-gnu-gcc`,
/// `clang`).
pub fn make_vars(ccache: bool, compiler: &str) -> Vec<String> {
    let mut vars = vec!["LOCALVERSION=".to_string()];
    if ccache {
        vars.push(format!("CC=ccache {compiler}"));
    }
    vars
}

/// What init says about the cache.
pub fn ccache_guess(ccache: bool) -> String {
    if ccache {
        "compiler cache: ccache, its files in the state directory (workers/ccache), shared by every worker; reproducible builds (KBUILD_BUILD_* fixed, no `+` in the version) so identical kernels are booted once".into()
    } else {
        "no compiler cache: ccache is not installed (Debian: apt-get install ccache, then run culprit init again); reproducible builds (KBUILD_BUILD_* fixed, no `+` in the version) so identical kernels are booted once".into()
    }
}
