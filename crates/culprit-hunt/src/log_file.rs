//! `culprit classify`'s input: a console or build log read whole from a file or standard
//! input, streamed through the classifier as a hunt's runs are.

use crate::error::{Context, HuntError, Result};
use culprit_console::{Classification, Classifier, Ending, Rules};
use std::fs::File;
use std::io::{self, Read};
use std::path::PathBuf;
use std::time::Duration;

/// How much of the start of a log is examined to tell text from binary.
const SNIFF: usize = 64 * 1024;

/// Classifies the log `name` (a file, or `-` for standard input) as one finished run.
/// Unless `binary_ok`, refuses input whose first bytes are mostly not text: an image
/// given by mistake would read as a log without a verdict.
pub fn classify_log(name: &str, rules: &Rules, binary_ok: bool) -> Result<Classification> {
    let mut input: Box<dyn Read> = if name == "-" {
        Box::new(io::stdin().lock())
    } else {
        let path = PathBuf::from(name);
        Box::new(File::open(&path).with_context(|| format!("cannot read the log {name}"))?)
    };
    let mut classifier =
        Classifier::new(rules).map_err(|err| HuntError::BadInput(err.to_string()))?;
    let mut buf = vec![0u8; SNIFF];
    let mut first = true;
    loop {
        let n = read_full(&mut input, &mut buf)
            .with_context(|| format!("cannot read the log {name}"))?;
        if n == 0 {
            break;
        }
        if first && !binary_ok {
            if let Some(share) = binary_share(&buf[..n]) {
                return Err(HuntError::BadInput(format!(
                    "{name} does not look like a console or build log ({share}% of its first {n} bytes are \
                     binary); pass the serial log rather than an image, or use --binary-ok to read it anyway"
                )));
            }
        }
        first = false;
        classifier.feed(&buf[..n], Duration::ZERO);
    }
    Ok(classifier.finish(&Ending::Unknown))
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
