//! Configuration files of Kconfig-based trees (Linux, Zephyr) and plain `KEY=VALUE`
//! files: read and write them, diff a good and a bad one into changes, build candidates
//! between them, and check which requested values survived normalization; and the
//! Kconfig language itself ([`kconfig`]): parse a tree, evaluate a configuration like
//! `make olddefconfig`, and say why a value is what it is.
//!
//! A fragment of changes on its own (to show the user what reproduces or cures a
//! failure) is `apply_changes(&Config::new(Format::Fragment), subset)`.

mod config;
mod diff;
mod error;
pub mod kconfig;
mod value;

pub use config::{Config, Format};
pub use diff::{
    applied_changes, apply_changes, diff, endpoints, not_applied, revert_changes, Change,
    NotApplied,
};
pub use error::Error;
pub use value::Value;
