//! Commit bisection over the commit graph (placeholder).
