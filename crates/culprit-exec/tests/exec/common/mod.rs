//! Helpers shared by the tests of this binary.

pub mod cluster;
pub mod job;
pub mod procs;
pub mod run;
pub mod sh;
