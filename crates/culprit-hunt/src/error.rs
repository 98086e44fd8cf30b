//! The one error type of the hunt crate.
//!
//! A hunt threads errors of many layers (the journal, git, processes, files, the
//! configuration) up to the command that reports them, so one enum carries them all,
//! with the context each layer adds. The chain (`source()`) is kept: a front end that
//! prints it with its causes (`{:#}` through anyhow) shows the same message as before.

use std::fmt::Display;

pub type Result<T, E = HuntError> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum HuntError {
    /// Ctrl-C or SIGTERM stopped the session; what finished is in the journal.
    #[error("interrupted: every running command was stopped; finished steps are in the journal, resume with --resume")]
    Interrupted,
    /// Bad input discovered while hunting (an endpoint that does not behave as stated):
    /// reported with exit code 2 and recorded as such.
    #[error("{0}")]
    BadInput(String),
    /// The bad endpoint shows no failure to hunt (every test passed, or none showed the
    /// `--target`): `seen` is what each test did.
    #[error("the bad revision {revision} shows no failure to hunt ({seen}); give a --bad that fails{with_target}", with_target = if *explicit_target { " with the --target" } else { "" })]
    NothingToHunt {
        revision: String,
        seen: String,
        explicit_target: bool,
    },
    /// The good endpoint does not pass what the hunt is for.
    #[error("the good revision {revision} does not pass: {verdict}; give a --good that passes, or hunt another --target")]
    GoodFails { revision: String, verdict: String },
    /// A plain message that already says what happened and what to do.
    #[error("{0}")]
    Message(String),
    /// What culprit was doing when a lower layer failed.
    #[error("{context}")]
    Context {
        context: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync + 'static>,
    },
    /// The journal's file cannot be used; the message names it and what to do.
    #[error("{message}")]
    JournalFile {
        trouble: JournalTrouble,
        message: String,
    },
    #[error(transparent)]
    Journal(#[from] rusqlite::Error),
    #[error(transparent)]
    Json(#[from] serde_json::Error),
    #[error(transparent)]
    Exec(#[from] culprit_exec::ExecError),
    #[error(transparent)]
    Git(#[from] culprit_exec::git::GitError),
    #[error(transparent)]
    Manifest(#[from] crate::manifest::ManifestError),
    #[error(transparent)]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    CommitSearch(#[from] culprit_search::commit::SearchError),
    #[error(transparent)]
    ConfigSearch(#[from] culprit_search::config::ConfigSearchError),
}

impl HuntError {
    /// The innermost hunt error under every context layer: what really happened.
    pub fn root(&self) -> &HuntError {
        let mut err = self;
        while let HuntError::Context { source, .. } = err {
            match source.downcast_ref::<HuntError>() {
                Some(inner) => err = inner,
                None => break,
            }
        }
        err
    }

    pub fn is_interrupted(&self) -> bool {
        matches!(self.root(), HuntError::Interrupted)
    }

    pub fn is_bad_input(&self) -> bool {
        matches!(
            self.root(),
            HuntError::BadInput(_) | HuntError::NothingToHunt { .. } | HuntError::GoodFails { .. }
        )
    }

    /// The journal's file is damaged (not a database, or a corrupt one).
    pub fn is_damaged_journal(&self) -> bool {
        self.journal_trouble() == Some(JournalTrouble::Damaged)
    }

    /// The journal's file or directory cannot be opened or written.
    pub fn is_unwritable_journal(&self) -> bool {
        self.journal_trouble() == Some(JournalTrouble::Unwritable)
    }

    fn journal_trouble(&self) -> Option<JournalTrouble> {
        match self.root() {
            HuntError::JournalFile { trouble, .. } => Some(*trouble),
            _ => None,
        }
    }
}

/// Adds what culprit was doing to an error (or to a missing value), as the layer above
/// sees it.
pub trait Context<T> {
    fn context<C: Display>(self, context: C) -> Result<T>;
    fn with_context<C: Display, F: FnOnce() -> C>(self, f: F) -> Result<T>;
}

impl<T, E: std::error::Error + Send + Sync + 'static> Context<T> for std::result::Result<T, E> {
    fn context<C: Display>(self, context: C) -> Result<T> {
        self.map_err(|source| HuntError::Context {
            context: context.to_string(),
            source: Box::new(source),
        })
    }

    fn with_context<C: Display, F: FnOnce() -> C>(self, f: F) -> Result<T> {
        self.map_err(|source| HuntError::Context {
            context: f().to_string(),
            source: Box::new(source),
        })
    }
}

impl<T> Context<T> for Option<T> {
    fn context<C: Display>(self, context: C) -> Result<T> {
        self.ok_or_else(|| HuntError::Message(context.to_string()))
    }

    fn with_context<C: Display, F: FnOnce() -> C>(self, f: F) -> Result<T> {
        self.ok_or_else(|| HuntError::Message(f().to_string()))
    }
}

/// Returns early with a [`HuntError::Message`] made like `format!`.
#[macro_export]
macro_rules! bail {
    ($($arg:tt)*) => {
        return Err($crate::error::HuntError::Message(format!($($arg)*)))
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_root_is_found_under_every_context_layer() {
        let inner: Result<()> = Err(HuntError::Interrupted);
        let wrapped = inner
            .context("running step 3")
            .context("bisecting")
            .unwrap_err();
        assert!(wrapped.is_interrupted());
        assert!(!wrapped.is_bad_input());
        assert_eq!(wrapped.to_string(), "bisecting");
    }

    #[test]
    fn the_chain_keeps_every_cause() {
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "no such file");
        let err = Err::<(), _>(io)
            .context("cannot read x.config")
            .unwrap_err();
        let source = std::error::Error::source(&err).map(|s| s.to_string());
        assert_eq!(source.as_deref(), Some("no such file"));
        let missing: Result<()> = None.context("no [config] section");
        assert_eq!(missing.unwrap_err().to_string(), "no [config] section");
    }
}

/// Why the journal's file cannot be used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JournalTrouble {
    /// The file is not a database, or a damaged one.
    Damaged,
    /// The file or its directory cannot be opened or written.
    Unwritable,
    /// Another process held it locked for too long.
    Busy,
    /// The disk is full.
    Full,
    Other,
}
