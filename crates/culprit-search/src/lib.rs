//! Search strategies: which candidate to test next, given the verdicts so far.
//!
//! Pure and deterministic: a strategy is a function of its observations, so a resumed
//! session that replays the journal asks for exactly the candidates it asked for before,
//! and simulations in tests and benchmarks stand in for real builds and boots.

pub mod commit;
pub mod config;
