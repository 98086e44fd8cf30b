//! One module per subcommand: each parses its own arguments and returns the exit code.

pub mod bisect;
pub mod bisect_config;
pub mod classify;
pub mod demo;
pub mod elf;
pub mod hunt_args;
pub mod init;
pub mod kconfig;
pub mod log;
pub mod output;
pub mod report;
pub mod run;
