//! One module per subcommand: each parses its own arguments and returns the exit code.

pub mod elf;
pub mod classify;
pub mod run;
