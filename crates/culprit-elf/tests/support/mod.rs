//! Helpers shared by the integration tests: fixtures are built at test time from
//! assembler source, never committed as binaries.
#![allow(dead_code)]

pub mod synth;
