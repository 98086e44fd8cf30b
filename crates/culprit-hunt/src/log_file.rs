//! `culprit classify`'s input: a console or build log read whole from a file or standard
//! input, streamed through the classifier as a hunt's runs are.

use crate::error::{Context, HuntError, Result};
use culprit_console::{Classification, Classifier, Ending, Marker, Marks, Rules};
use std::fs::File;
use std::io::{self, Read};
use std::path::PathBuf;
use std::sync::mpsc;
use std::time::Duration;

/// How much of the start of a log is examined to tell text from binary.
const SNIFF: usize = 64 * 1024;
/// How much is read, marked and classified at a time: large enough that the two
/// threads rarely wait for each other, small enough to stay in a core's cache
/// (measured: 256 KiB took 6% less CPU than 64 KiB and than 512 KiB).
const CHUNK: usize = 256 * 1024;

/// Classifies the log `name` (a file, or `-` for standard input) as one finished run.
/// Unless `binary_ok`, refuses input whose first bytes are mostly not text: an image
/// given by mistake would read as a log without a verdict.
///
/// A second thread reads the log and marks each chunk's lines for the classifier's
/// prefilter while this one classifies the chunk before: on a large log that takes
/// about a quarter of the work off the thread that decides.
pub fn classify_log(name: &str, rules: &Rules, binary_ok: bool) -> Result<Classification> {
    let input: Box<dyn Read + Send> = if name == "-" {
        Box::new(io::stdin())
    } else {
        let path = PathBuf::from(name);
        Box::new(File::open(&path).with_context(|| format!("cannot read the log {name}"))?)
    };
    let mut classifier =
        Classifier::new(rules).map_err(|err| HuntError::BadInput(err.to_string()))?;
    let marker = classifier.marker();
    let (chunks, marked) = mpsc::sync_channel::<io::Result<Marked>>(CHUNKS_AHEAD);
    let (spent, reusable) = mpsc::channel::<Vec<u8>>();
    std::thread::scope(|scope| {
        scope.spawn(move || read_ahead(input, &marker, &chunks, &reusable));
        let mut first = true;
        for chunk in marked {
            let chunk = chunk.with_context(|| format!("cannot read the log {name}"))?;
            let bytes = chunk.buf.as_slice();
            if first && !binary_ok {
                let sample = &bytes[..bytes.len().min(SNIFF)];
                if let Some(share) = binary_share(sample) {
                    return Err(HuntError::BadInput(format!(
                        "{name} does not look like a console or build log ({share}% of its first {} bytes are \
                         binary); pass the serial log rather than an image, or use --binary-ok to read it anyway",
                        sample.len()
                    )));
                }
            }
            first = false;
            classifier.feed_marked(bytes, &chunk.marks, Duration::ZERO);
            // The reader has gone when this fails, and then needs no buffer.
            let _ = spent.send(chunk.buf);
        }
        Ok(classifier.finish(&Ending::Unknown))
    })
}

/// Chunks read and marked ahead of the classifier: enough to keep both threads busy,
/// few enough that memory stays flat however large the log.
const CHUNKS_AHEAD: usize = 4;

/// One chunk of the log, read and marked.
struct Marked {
    /// The chunk's bytes, no more.
    buf: Vec<u8>,
    marks: Marks,
}

/// Reads `input` in chunks of [`CHUNK`] bytes, marks each, and sends them on until the
/// log ends, reading fails or the classifier stops listening.
fn read_ahead(
    mut input: Box<dyn Read + Send>,
    marker: &Marker,
    chunks: &mpsc::SyncSender<io::Result<Marked>>,
    reusable: &mpsc::Receiver<Vec<u8>>,
) {
    loop {
        let mut buf = reusable.try_recv().unwrap_or_default();
        buf.resize(CHUNK, 0);
        let sent = match read_full(&mut input, &mut buf) {
            Ok(0) => return,
            Ok(len) => {
                buf.truncate(len);
                let marks = marker.mark(&buf);
                chunks.send(Ok(Marked { buf, marks }))
            }
            Err(err) => {
                // Whether or not the classifier still listens, reading is over.
                let _ = chunks.send(Err(err));
                return;
            }
        };
        if sent.is_err() {
            return;
        }
    }
}

fn read_full(input: &mut dyn Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match input.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
            Err(err) => return Err(err),
        }
    }
    Ok(filled)
}

/// The percentage of bytes that are neither text nor terminal control, when it is high
/// enough (over 30%) that the input is surely not a log. Serial consoles do carry
/// some garbage (NULs, line noise), so a little is tolerated.
fn binary_share(sample: &[u8]) -> Option<usize> {
    if sample.len() < 256 {
        return None;
    }
    let mut bad = 0usize;
    for chunk in sample.utf8_chunks() {
        bad += chunk.invalid().len();
        bad += chunk
            .valid()
            .bytes()
            .filter(|&b| (b < 0x20 && !b"\t\n\r\x1b\x07\x08\x0c".contains(&b)) || b == 0x7f)
            .count();
    }
    let share = bad * 100 / sample.len();
    (share > 30).then_some(share)
}

#[cfg(test)]
mod tests {
    use super::*;
    use culprit_console::{classify, Outcome};
    use std::io::Write;

    /// A log of many chunks, with a report across the boundary of the fourth and the
    /// fifth: read on two threads, it reads as the classifier reads it whole.
    #[test]
    fn a_log_of_many_chunks_reads_as_it_does_whole() {
        let mut log = Vec::new();
        while log.len() < 4 * CHUNK - 100 {
            log.extend_from_slice(b"[    1.000000] virtio_blk virtio1: [vda] 2048 blocks\n");
        }
        log.extend_from_slice(
            b"[    2.000000] BUG: kernel NULL pointer dereference, address: 0000000000000008\n\
              [    2.000000] RIP: 0010:foo_probe+0x1d/0x60\n\
              [    2.000000] Call Trace:\n\
              [    2.000000]  really_probe+0x1/0x2\n",
        );
        while log.len() < 5 * CHUNK {
            log.extend_from_slice(b"[    3.000000] random: crng init done\n");
        }
        let mut file = tempfile::NamedTempFile::new().unwrap();
        file.write_all(&log).unwrap();
        let name = file.path().to_str().unwrap();
        let rules = Rules::boot();
        let threaded = classify_log(name, &rules, false).unwrap();
        assert_eq!(threaded, classify(&rules, &log, &Ending::Unknown).unwrap());
        assert!(
            matches!(&threaded.outcome, Outcome::Fail { signature } if signature.title.contains("foo_probe")),
            "{:?}",
            threaded.outcome
        );
    }

    /// Reading fails on the reading thread: the error comes back with the log's name.
    #[test]
    fn a_log_that_cannot_be_read_says_which() {
        let folder = tempfile::tempdir().unwrap();
        let name = folder.path().to_str().unwrap();
        let err = classify_log(name, &Rules::boot(), false).unwrap_err();
        assert!(
            err.to_string()
                .contains(&format!("cannot read the log {name}")),
            "{err}"
        );
    }
}
