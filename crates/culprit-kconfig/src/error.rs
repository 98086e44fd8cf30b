use std::path::PathBuf;

/// Why a file could not be used as a configuration. Every variant names the file, and a
/// syntax error also the line and its text, so the user can open the file at the spot.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}:{line}: not a configuration file: {reason}")]
    NotText {
        path: PathBuf,
        line: usize,
        reason: &'static str,
    },
    #[error("{path}:{line}: {reason}: `{text}`")]
    Syntax {
        path: PathBuf,
        line: usize,
        text: String,
        reason: String,
    },
}
