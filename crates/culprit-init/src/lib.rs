//! `culprit init`'s planner: looks at a tree and its environment ([`probe`]), decides
//! what `culprit.toml` to write and what it guessed ([`plan::plan`], pure, so every
//! layout and guess is tested without a real tree, a cross compiler or QEMU), and makes
//! the files a Linux boot test needs ([`files`]). The binary only parses arguments and
//! prints what it is told.

pub mod files;
pub mod initramfs;
pub mod lab;
pub mod plan;
mod probe;

pub use files::InitError;
pub use probe::probe;
