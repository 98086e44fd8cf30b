//! culprit-hunt's tests in one binary: culprit.toml's executor section, and the scheduling
//! of a hunt's steps in virtual time with the fake executor.

mod executor_config;
mod scheduling;
