//! culprit-elf's tests in one binary: object files built by real assemblers and compilers,
//! read back and compared with binutils; `support` makes the fixtures.

mod agrees_with_binutils;
mod dups;
mod malformed;
mod names_vs_readelf;
mod seed_002;
mod support;
