//! Helpers shared by the tests of this binary and the crash_corpus example.

pub mod crash_corpus;
