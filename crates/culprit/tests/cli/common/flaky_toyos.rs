//! The flaky toyos hunt as the end-to-end test runs it and the `toyos_flaky` benchmark
//! times it: one definition both include, so that what is timed is what is tested.

/// `culprit bisect --flaky` of `smp_threads` from `good` to `main` on two workers,
/// answering in JSON.
pub fn flaky_hunt_args(good: &str) -> [&str; 11] {
    [
        "bisect",
        "--good",
        good,
        "--bad",
        "main",
        "--flaky",
        "--test",
        "smp_threads",
        "-j",
        "2",
        "--json",
    ]
}
