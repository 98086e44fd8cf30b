use std::path::PathBuf;

/// Why a Kconfig tree could not be read. A syntax error names the file (relative to the
/// srctree, as kconfig names it) and the line.
#[derive(Debug, thiserror::Error)]
pub enum KconfigError {
    #[error("{file}:{line}: {reason}")]
    Syntax {
        file: String,
        line: usize,
        reason: String,
    },
    /// A symbol whose value needs its own value, each step of the cycle with its
    /// file:line (kconfig refuses such a tree too).
    #[error(
        "{file}:{line}: recursive dependency detected:\n{}\nbreak the cycle at one of \
         these lines (see \"Kconfig recursive dependency limitations\" in the kernel's \
         Documentation/kbuild/kconfig-language.rst)",
        cycle.iter().map(|step| format!("  {step}")).collect::<Vec<_>>().join("\n")
    )]
    RecursiveDependency {
        file: String,
        line: usize,
        cycle: Vec<String>,
    },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}
