//! Classifier throughput on the real console logs, repeated to about 64 MiB.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use culprit_console::{Classifier, Ending, Rules};
use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

const TARGET: usize = 64 << 20;
const CHUNK: usize = 64 << 10;

fn corpus() -> Vec<u8> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/console-logs");
    let mut logs = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| {
            panic!(
                "the real console logs are missing from {}: {e}",
                dir.display()
            )
        })
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "log"))
        .collect();
    entries.sort();
    for path in entries {
        logs.extend(std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())));
    }
    let mut corpus = Vec::with_capacity(TARGET + logs.len());
    while corpus.len() < TARGET {
        corpus.extend_from_slice(&logs);
    }
    corpus
}

fn throughput(c: &mut Criterion) {
    let corpus = corpus();
    let mut group = c.benchmark_group("classify");
    group.throughput(Throughput::Bytes(corpus.len() as u64));
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    for (name, rules) in [
        (
            "boot",
            Rules {
                success: vec!["LATER-MARKER".into()],
                ..Rules::boot()
            },
        ),
        (
            "boot+user-regex",
            Rules {
                success: vec!["LATER-MARKER".into()],
                failure: vec![r"selftest: \w+ FAILED".into()],
                ..Rules::boot()
            },
        ),
        ("build", Rules::build()),
    ] {
        group.bench_function(format!("{name}/64KiB-chunks"), |b| {
            b.iter(|| {
                let mut classifier = Classifier::new(&rules).expect("valid rules");
                for chunk in corpus.chunks(CHUNK) {
                    classifier.feed(black_box(chunk), Duration::ZERO);
                }
                black_box(classifier.finish(&Ending::Unknown))
            })
        });
    }
    group.finish();
}

criterion_group!(benches, throughput);
criterion_main!(benches);
