//! Object-file shape: section sizes, relocation counts, exported globals, duplicate
//! definitions and differences between two builds, read with the `object` crate.
//!
//! A firmware bug can live in the shape of an object file rather than in its code: a
//! `.data` section that grew from 4 bytes to 64 KiB, absolute `MOVW`/`MOVT` relocations
//! against a data symbol, internal helpers exported as globals by two modules. This
//! crate reads those shapes so that culprit can show them, diff them and hunt for them.

mod check;
mod diff;
mod dups;
mod error;
mod glob;
mod input;
mod names;
mod normalize;
mod parse;
mod shape;

pub use check::{evaluate, ShapeCheck, ShapeRule, ShapeViolation};
pub use diff::{diff_files, Change, ChangeKind, ObjectChange, ObjectDiff, ShapeDiff};
pub use dups::{find_duplicates, Definition, Duplicate};
pub use error::ElfError;
pub use input::{parse_file, read_file, FileShape, InputKind, SkippedMember};
pub use names::{is_relocation_type_name, machine_label, relocation_type_name};
pub use normalize::normalize_name;
pub use parse::parse_object;
pub use shape::{
    Binding, FileType, ObjectShape, RelocationCounts, RelocationGroup, SectionShape, SymbolKind,
    SymbolShape, Visibility,
};
