//! Streaming classification of serial consoles and build logs.
//!
//! Pure and deterministic: no I/O, no clocks. The caller feeds bytes and tells the
//! classifier how much time has passed, so that the same input always gives the same
//! reading (and tests and simulations can replay any log).

mod outcome;

pub use outcome::{Classification, Ending, Outcome, Signature, SignatureKind};
