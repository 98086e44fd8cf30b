//! Configuration minimization (placeholder).
