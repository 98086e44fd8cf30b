//! culprit-hunt's tests in one binary: culprit.toml's executor section, the scheduling
//! of a hunt's steps in virtual time with the fake executor, and hunts of intermittent
//! failures in virtual time.

mod executor_config;
mod flaky_hunts;
mod scheduling;
