//! The bundled example kernel, `examples/toyos`, embedded so that `culprit demo` works
//! from any directory with nothing but the binary, and a generated history of it with
//! the troubles real ones have (the demo's first hunt, and the subject of the end-to-end
//! tests), and histories whose failure is intermittent (`flaky`).

mod files;
pub mod flaky;
pub mod history;

pub use files::write_tree;

use std::path::Path;

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

/// Makes `dir` (new, or an empty directory) the start of a generated repository: the
/// example's files and a `.gitignore` for what builds and hunts leave there. Refusing a
/// directory with files in it keeps a generator from mixing its commits into them.
fn start_repository(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(failed(format!("cannot create {}", dir.display())))?;
    let mut entries =
        std::fs::read_dir(dir).map_err(failed(format!("cannot read {}", dir.display())))?;
    if entries.next().is_some() {
        return Err(ToyosError::Message(format!(
            "{} is not empty; give a new directory",
            dir.display()
        )));
    }
    write_tree(dir)?;
    std::fs::write(dir.join(".gitignore"), "build/\n.culprit/\n")
        .map_err(failed("cannot write .gitignore"))
}
