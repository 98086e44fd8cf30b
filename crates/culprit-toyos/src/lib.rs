//! The bundled example kernel, `examples/toyos`, embedded so that `culprit demo` works
//! from any directory with nothing but the binary, and a generated history of it with
//! the troubles real ones have (the demo's first hunt, and the subject of the end-to-end
//! tests), and histories whose failure is intermittent (`flaky`).

mod files;
pub mod flaky;
pub mod history;

pub use files::write_tree;

/// What went wrong while writing the example, with what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum ToyosError {
    #[error("{0}")]
    Message(String),
    #[error(transparent)]
    Config(#[from] culprit_kconfig::Error),
}

pub type Result<T> = std::result::Result<T, ToyosError>;

/// `what` failed with `err`: the message names both.
fn failed(what: impl std::fmt::Display) -> impl FnOnce(std::io::Error) -> ToyosError {
    move |err| ToyosError::Message(format!("{what}: {err}"))
}
