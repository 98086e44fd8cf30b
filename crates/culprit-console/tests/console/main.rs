//! culprit-console's tests in one binary: real console logs, streamed as they arrive, and
//! the titles of real crash reports.

mod corpus;
mod crash_corpus;
mod real_logs;
mod streaming;
mod support;
mod titles;
