//! culprit-console's tests in one binary: real console logs, streamed as they arrive, and
//! the titles of real crash reports.

mod corpus;
mod real_logs;
mod streaming;
mod titles;
