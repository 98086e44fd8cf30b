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
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}
