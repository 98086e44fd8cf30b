//! The few kilobytes of a log that show why a run got its outcome: the evidence the
//! classifier pointed at, with a little context, as plain text.
//!
//! Logs can be gigabytes; only the window is read. Console text is cleaned of terminal
//! escapes here; escaping it for the output format is the renderer's job.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

/// Most bytes of one excerpt, evidence and context together.
pub const CAP: u64 = 4096;
/// Most bytes of the evidence itself; the rest of the cap is context.
const EVIDENCE_CAP: u64 = 3 * CAP / 4;
/// Without evidence (a hang), the end of the log is what tells where it stopped.
const TAIL: u64 = 2048;

#[derive(Debug, PartialEq)]
pub struct Excerpt {
    pub before: String,
    /// The classifier's evidence; empty for a tail.
    pub evidence: String,
    pub after: String,
    /// Bytes of the log the excerpt shows.
    pub start: u64,
    pub end: u64,
    /// The evidence was longer than the cap and was cut.
    pub cut: bool,
}

impl Excerpt {
    pub fn text(&self) -> String {
        format!("{}{}{}", self.before, self.evidence, self.after)
    }
}

/// The excerpt of `log` around `evidence` (a byte range), or its last lines without one.
pub fn read(log: &Path, evidence: Option<(u64, u64)>) -> std::io::Result<Excerpt> {
    let mut file = File::open(log)?;
    let len = file.metadata()?.len();
    let (mut start, mut mark, mut mark_end, mut end, cut) = match evidence {
        Some((s, e)) if s < len => {
            let e = e.clamp(s, len);
            let cut = e - s > EVIDENCE_CAP;
            let e = if cut { s + EVIDENCE_CAP } else { e };
            let context = CAP - (e - s);
            let start = s.saturating_sub(context / 3);
            let end = (e + context - (s - start)).min(len);
            (start, s, e, end, cut)
        }
        _ => (len.saturating_sub(TAIL), len, len, len, false),
    };
    file.seek(SeekFrom::Start(start))?;
    let mut bytes = Vec::new();
    file.by_ref().take(end - start).read_to_end(&mut bytes)?;
    // The log may have shrunk since the journal measured it.
    end = start + bytes.len() as u64;
    mark = mark.min(end);
    mark_end = mark_end.min(end);
    // Whole lines only: a window that starts inside a line drops that part.
    if start > 0 {
        let first_break = bytes[..(mark - start) as usize]
            .iter()
            .position(|&b| b == b'\n');
        let skip = first_break.map_or(0, |p| p + 1);
        bytes.drain(..skip);
        start += skip as u64;
    }
    let (from, to) = ((mark - start) as usize, (mark_end - start) as usize);
    if cut {
        // The evidence goes on past the cap: it is shown up to its last whole line, and
        // what follows it is more of it, not context.
        let keep = bytes[from..to]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(to, |p| from + p + 1);
        bytes.truncate(keep);
        end = start + keep as u64;
        mark_end = end;
    } else if end < len {
        let keep = bytes[to..]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(to, |p| to + p + 1);
        bytes.truncate(keep);
        end = start + keep as u64;
    }
    let parts = clean(&bytes, (mark - start) as usize, (mark_end - start) as usize);
    let [before, evidence, after] = parts;
    Ok(Excerpt {
        before,
        evidence,
        after,
        start,
        end,
        cut,
    })
}

/// Removes terminal escapes and turns carriage returns into line breaks, keeping each
/// byte in its part: `[..a]`, `[a..b]`, `[b..]`. An escape that straddles a boundary
/// goes with the part it starts in.
fn clean(bytes: &[u8], a: usize, b: usize) -> [String; 3] {
    let mut parts: [Vec<u8>; 3] = Default::default();
    let mut i = 0;
    while i < bytes.len() {
        let part = if i < a {
            0
        } else if i < b {
            1
        } else {
            2
        };
        let byte = bytes[i];
        match byte {
            0x1b => {
                i += escape_len(&bytes[i..]);
                continue;
            }
            b'\r' if bytes.get(i + 1) == Some(&b'\n') => {}
            b'\r' => parts[part].push(b'\n'),
            _ => parts[part].push(byte),
        }
        i += 1;
    }
    parts.map(|p| String::from_utf8_lossy(&p).into_owned())
}

/// Length of the escape sequence at the start of `bytes` (which starts with ESC).
fn escape_len(bytes: &[u8]) -> usize {
    match bytes.get(1) {
        // CSI: parameters, then one final byte in @..~.
        Some(b'[') => bytes[2..]
            .iter()
            .position(|b| (0x40..=0x7e).contains(b))
            .map_or(bytes.len(), |p| p + 3),
        // OSC: up to BEL or ESC \.
        Some(b']') => {
            let body = &bytes[2..];
            match body.iter().position(|&b| b == 0x07 || b == 0x1b) {
                Some(p) if body[p] == 0x07 => p + 3,
                Some(p) => (p + 4).min(bytes.len()),
                None => bytes.len(),
            }
        }
        // Other escapes: intermediate bytes, then one final byte (`ESC ( B`).
        Some(_) => {
            let intermediates = bytes[1..]
                .iter()
                .take_while(|b| (0x20..=0x2f).contains(*b))
                .count();
            (intermediates + 2).min(bytes.len())
        }
        None => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::io::Write;

    fn log(bytes: &[u8]) -> tempfile::NamedTempFile {
        let mut file = tempfile::NamedTempFile::new().unwrap();
        file.write_all(bytes).unwrap();
        file
    }

    #[test]
    fn marks_the_evidence_between_whole_lines_of_context() {
        let text = "boot 1\nboot 2\n\x1b[1;31mKernel panic - not syncing: VFS\x1b[0m\r\nCall Trace:\n end\n";
        let file = log(text.as_bytes());
        let s = text.find("\x1b[1;31m").unwrap() as u64;
        let e = text.find(" end").unwrap() as u64;
        let excerpt = read(file.path(), Some((s, e))).unwrap();
        assert_eq!(excerpt.before, "boot 1\nboot 2\n");
        assert_eq!(
            excerpt.evidence,
            "Kernel panic - not syncing: VFS\nCall Trace:\n"
        );
        assert_eq!(excerpt.after, " end\n");
        assert!(!excerpt.cut);
    }

    #[test]
    fn a_long_log_gives_a_capped_window_of_whole_lines() {
        let mut text = String::new();
        for i in 0..5000 {
            text.push_str(&format!("line {i} of the console\n"));
        }
        let s = text.find("line 2500 ").unwrap() as u64;
        let e = text.find("line 2700 ").unwrap() as u64;
        let file = log(text.as_bytes());
        let excerpt = read(file.path(), Some((s, e))).unwrap();
        assert!(excerpt.end - excerpt.start <= CAP);
        assert!(excerpt.cut, "200 lines are more than the evidence cap");
        assert!(excerpt.evidence.starts_with("line 2500 "));
        for part in [&excerpt.before, &excerpt.evidence, &excerpt.after] {
            assert!(part.is_empty() || part.ends_with('\n'), "{part:?}");
            assert!(part.is_empty() || part.starts_with("line "), "{part:?}");
        }
        assert!(
            excerpt.after.is_empty(),
            "what follows cut evidence is more evidence"
        );
    }

    #[test]
    fn without_evidence_the_tail_is_shown() {
        let mut text = String::new();
        for i in 0..1000 {
            text.push_str(&format!("tick {i}\n"));
        }
        let file = log(text.as_bytes());
        let excerpt = read(file.path(), None).unwrap();
        assert!(excerpt.evidence.is_empty());
        assert!(excerpt.before.ends_with("tick 999\n"));
        assert!(excerpt.before.starts_with("tick "));
        assert_eq!(excerpt.end, text.len() as u64);
    }

    #[test]
    fn escapes_are_removed_whole() {
        assert_eq!(
            clean(b"a\x1b]0;title\x07b\x1b[38;5;196mc\x1b(Bd", 0, 100)[1],
            "abcd"
        );
    }

    proptest! {
        #[test]
        fn any_log_and_range_gives_a_bounded_excerpt(
            bytes in proptest::collection::vec(any::<u8>(), 0..12000),
            s in 0u64..13000,
            len in 0u64..6000,
        ) {
            let file = log(&bytes);
            let excerpt = read(file.path(), Some((s, s + len))).unwrap();
            prop_assert!(excerpt.start <= excerpt.end);
            prop_assert!(excerpt.end <= bytes.len() as u64);
            prop_assert!(excerpt.end - excerpt.start <= CAP.max(TAIL));
            prop_assert!(!excerpt.text().contains('\x1b'));
        }
    }
}
