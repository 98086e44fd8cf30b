//! Random mixes of the lines the packs react to, in random chunks.

use super::*;
use crate::support::classified_in_pieces;
use proptest::prelude::*;

const LINES: &[&str] = &[
    "[ 1.0] BUG: kernel NULL pointer dereference, address: 0000000000000008\r\n",
    "[ 1.0] Oops: 0000 [#1] PREEMPT SMP NOPTI\r\n",
    "[ 1.0] RIP: 0010:foo_probe+0x1d/0x60 [foo]\r\n",
    "[ 1.0] RIP: 0010:bar_remove+0x1d/0x60 [foo]\r\n",
    "[ 1.0] ---[ end trace 0000000000000000 ]---\r\n",
    "[ 1.0] Kernel panic - not syncing: Fatal exception\r\n",
    "[ 1.0] Kernel Offset: 0x37c00000 from 0xffffffff81000000\r\n",
    "[ 1.0] WARNING: CPU: 0 PID: 1 at kernel/f.c:1 f+0x1/0x2\r\n",
    "E: ***** USAGE FAULT *****\n",
    "E:   Attempt to execute undefined instruction\n",
    "thread 'main' panicked at src/x.rs:1:2:\n",
    " FAIL - test_a in 0.1 seconds\n",
    "PROJECT EXECUTION FAILED\n",
    "BOOT-OK\n",
    "buildroot login: BOOT-OK",
    "Linux version 6.1\r\n",
    "SeaBIOS\x1bc\x1b[?7l",
    "\x1b[2J\r",
    "\n",
    "qemu-system-x86_64: -foo: invalid option\n",
    "plain text \u{fffd}\0\n",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn any_mix_in_any_chunks_reads_the_same(
        picks in proptest::collection::vec(0..LINES.len(), 0..120),
        cuts in proptest::collection::vec(any::<prop::sample::Index>(), 0..20),
    ) {
        let log: String = picks.iter().map(|&i| LINES[i]).collect();
        let bytes = log.as_bytes();
        let rules = rules_with("BOOT-OK");
        let whole = classify(&rules, bytes, &Ending::Unknown).unwrap();
        let split = classified_in_pieces(&rules, bytes, &cuts, &Ending::Unknown);
        prop_assert_eq!(&split, &whole);
        prop_assert!(whole.signatures.len() <= MAX_SIGNATURES);
        for (i, a) in whole.signatures.iter().enumerate() {
            prop_assert!(!whole.signatures[i + 1..].contains(a), "{} repeated", a);
        }
        if let Some((start, end)) = whole.evidence {
            prop_assert!(start < end && end <= bytes.len() as u64);
        }
        prop_assert_eq!(marked_ahead(&rules, bytes, &cuts), whole);
    }
}

/// The reading of `bytes` cut at `cuts`, as `culprit classify` reads a file: each
/// chunk marked on another thread and fed with its marks, every other chunk with
/// stale marks (of another chunk, another length), which must be found again.
fn marked_ahead(rules: &Rules, bytes: &[u8], cuts: &[prop::sample::Index]) -> Classification {
    let mut cuts: Vec<usize> = cuts.iter().map(|i| i.index(bytes.len() + 1)).collect();
    cuts.sort_unstable();
    let (mut chunks, mut at) = (Vec::new(), 0);
    for cut in cuts.into_iter().chain([bytes.len()]) {
        chunks.push(&bytes[at..cut]);
        at = cut;
    }
    let mut classifier = Classifier::new(rules).unwrap();
    let marker = classifier.marker();
    let marks = std::thread::scope(|scope| {
        let marking = scope.spawn(|| chunks.iter().map(|c| marker.mark(c)).collect::<Vec<_>>());
        marking.join()
    })
    .unwrap();
    let other = b"[ 1.0] BUG: a line of some other chunk\n";
    let stale = marker.mark(other);
    for (n, (chunk, marks)) in chunks.iter().zip(&marks).enumerate() {
        let marks = match n % 2 == 1 && chunk.len() != other.len() {
            true => &stale,
            false => marks,
        };
        classifier.feed_marked(chunk, marks, Duration::ZERO);
    }
    classifier.finish(&Ending::Unknown)
}
