//! What can go wrong reading shapes or evaluating checks. Every message names the file
//! (or archive member) and says what is wrong with it, because the reader is usually
//! looking at one build artifact among thousands.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum ElfError {
    #[error("{}: cannot read: {cause}", path.display())]
    Read {
        path: PathBuf,
        cause: std::io::Error,
    },

    #[error("{name}: not an ELF object or ar archive ({found})")]
    NotElf { name: String, found: String },

    #[error("{name}: malformed ELF: {reason}")]
    MalformedElf { name: String, reason: String },

    #[error("{name}: malformed archive: {reason}")]
    MalformedArchive { name: String, reason: String },

    #[error(
        "{name}: thin archive member {member} cannot be found without the archive's directory"
    )]
    ThinMemberWithoutDirectory { name: String, member: String },

    #[error("shape check on {files}: {reason}")]
    Check { files: String, reason: String },
}
