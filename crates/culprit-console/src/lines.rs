//! Line reassembly for raw serial output.
//!
//! A serial console is not a text file: firmware sends VT escape sequences
//! (SeaBIOS resets the terminal with `ESC c ESC [ ? 7 l ESC [ 2 J`), lines end in
//! `\r\n`, a lone `\r` or `\n\r`, bytes may be NUL or invalid UTF-8 after a baud
//! glitch, and a wedged guest may print forever without a newline. The reader
//! turns that into clean lines while remembering where each one lay in the raw
//! stream, so evidence can point at the exact bytes of the log. Its state is a
//! handful of flags plus the current partial line, so any split of the same bytes
//! into chunks gives the same lines.

use memchr::{memchr, memchr3};

const ESC: u8 = 0x1b;
const BEL: u8 = 0x07;
/// Longest escape sequence honoured; a longer one is garbage (a lost final byte)
/// and would otherwise swallow real text.
const MAX_ESCAPE: u16 = 64;

/// Receives the reassembled lines.
pub(crate) trait LineSink {
    /// One line without its terminator or escape sequences; `start..end` is its
    /// raw byte range including them. `verbatim`: the text is exactly the raw
    /// bytes at `start` of the chunk being fed (nothing stripped, cut or
    /// replaced, and the line began in this chunk), so a search of the chunk
    /// speaks for the line.
    fn line(&mut self, text: &str, start: u64, end: u64, verbatim: bool);
    /// The `\n` of a `\r\n` pair arrived after the line ending in `\r` was given
    /// out: the range that ended at `from` now ends at `to`.
    fn extend(&mut self, from: u64, to: u64);
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Escape {
    Ground,
    /// After ESC.
    Start,
    /// `ESC [`: parameters until a final byte.
    Csi,
    /// `ESC ]`, `ESC P`...: a string until BEL or `ESC \`.
    Text,
    /// ESC inside a string: `\` ends it.
    TextEsc,
    /// `ESC` followed by intermediate bytes, until a final byte.
    Intermediate,
}

/// What one byte did to an escape sequence in progress.
enum Step {
    Consumed,
    /// The sequence reset or cleared the screen: whatever was on the line is gone.
    Break,
    /// The byte does not belong to the sequence (a newline inside it, or text after
    /// a broken one): handle it as ordinary output.
    Reprocess,
}

pub(crate) struct LineReader {
    line: Vec<u8>,
    max_line: usize,
    /// Raw offset where the current line began.
    start: u64,
    /// Raw bytes consumed.
    consumed: u64,
    escape: Escape,
    escape_len: u16,
    /// The last byte was a `\r` that ended a line: a `\n` now completes the pair.
    after_cr: bool,
    /// Nothing was stripped from or cut off the current line so far.
    verbatim: bool,
    /// Raw offset of the chunk being fed; lines that began before it are not
    /// verbatim copies of it.
    chunk_start: u64,
    /// The chunk being fed holds a NUL byte: one search per chunk, so that
    /// lines of a chunk without any are not searched one by one.
    chunk_nul: bool,
    /// The current line holds a NUL byte.
    line_nul: bool,
}

impl LineReader {
    pub(crate) fn new(max_line: usize) -> LineReader {
        LineReader {
            line: Vec::with_capacity(256.min(max_line)),
            max_line,
            start: 0,
            consumed: 0,
            escape: Escape::Ground,
            escape_len: 0,
            after_cr: false,
            verbatim: true,
            chunk_start: 0,
            chunk_nul: false,
            line_nul: false,
        }
    }

    pub(crate) fn consumed(&self) -> u64 {
        self.consumed
    }

    /// The line still being received (bytes so far, possibly with NULs), and
    /// where it began. A prompt such as `login: ` never gets its newline.
    pub(crate) fn partial(&self) -> (&[u8], u64) {
        (&self.line, self.start)
    }

    pub(crate) fn feed(&mut self, bytes: &[u8], sink: &mut impl LineSink) {
        let base = self.consumed;
        self.chunk_start = base;
        self.chunk_nul = memchr(0, bytes).is_some();
        let text = valid_prefix(bytes);
        let mut i = 0;
        while i < bytes.len() {
            if self.escape != Escape::Ground {
                match self.escape_step(bytes[i]) {
                    Step::Consumed => i += 1,
                    Step::Break => {
                        i += 1;
                        self.emit(base + i as u64, sink);
                    }
                    Step::Reprocess => self.escape = Escape::Ground,
                }
                continue;
            }
            if self.after_cr {
                self.after_cr = false;
                if bytes[i] == b'\n' {
                    i += 1;
                    let end = base + i as u64;
                    sink.extend(self.start, end);
                    self.start = end;
                    continue;
                }
            }
            let rest = &bytes[i..];
            let Some(k) = memchr3(b'\n', b'\r', ESC, rest) else {
                self.push(rest);
                i = bytes.len();
                continue;
            };
            // A line that lies whole in the chunk, as most do, is handed out
            // from the chunk without a copy.
            let whole =
                (rest[k] != ESC && self.line.is_empty() && !self.chunk_nul && k <= self.max_line)
                    .then(|| Whole {
                        bytes: &rest[..k],
                        text: text.get(i..i + k),
                    });
            if whole.is_none() {
                self.push(&rest[..k]);
            }
            i += k + 1;
            match rest[k] {
                b'\n' => self.end_line(whole, base + i as u64, sink),
                b'\r' => {
                    self.end_line(whole, base + i as u64, sink);
                    self.after_cr = true;
                }
                _ => {
                    self.escape = Escape::Start;
                    self.escape_len = 0;
                    self.verbatim = false;
                }
            }
        }
        self.consumed = base + bytes.len() as u64;
    }

    /// Gives out the partial last line, if any: the stream has ended.
    pub(crate) fn flush(&mut self, sink: &mut impl LineSink) {
        self.escape = Escape::Ground;
        self.after_cr = false;
        self.chunk_start = u64::MAX;
        if self.start < self.consumed {
            self.emit(self.consumed, sink);
        }
    }

    fn push(&mut self, bytes: &[u8]) {
        let room = self.max_line.saturating_sub(self.line.len());
        if bytes.len() > room {
            self.verbatim = false;
        }
        let kept = &bytes[..bytes.len().min(room)];
        self.line_nul |= self.chunk_nul && memchr(0, kept).is_some();
        self.line.extend_from_slice(kept);
    }

    /// Ends the line at `end`: `whole` is all of it, when it lay in the chunk
    /// (with no NUL) and was not copied; else the copy is.
    fn end_line(&mut self, whole: Option<Whole>, end: u64, sink: &mut impl LineSink) {
        match whole {
            Some(whole) => {
                let verbatim = self.verbatim && self.start >= self.chunk_start;
                match whole.text {
                    Some(text) => sink.line(text, self.start, end, verbatim),
                    None => deliver(whole.bytes, self.start, end, verbatim, sink),
                }
                self.start = end;
                self.verbatim = true;
            }
            None => self.emit(end, sink),
        }
    }

    fn emit(&mut self, end: u64, sink: &mut impl LineSink) {
        if std::mem::take(&mut self.line_nul) {
            self.line.retain(|&b| b != 0);
            self.verbatim = false;
        }
        let verbatim = self.verbatim && self.start >= self.chunk_start;
        deliver(&self.line, self.start, end, verbatim, sink);
        self.line.clear();
        self.start = end;
        self.verbatim = true;
    }

    fn escape_step(&mut self, b: u8) -> Step {
        self.escape_len += 1;
        if self.escape_len > MAX_ESCAPE {
            self.escape = Escape::Ground;
            return Step::Reprocess;
        }
        if b == b'\n' || b == b'\r' {
            return Step::Reprocess;
        }
        match self.escape {
            Escape::Ground => Step::Reprocess,
            Escape::Start => match b {
                b'[' => self.enter(Escape::Csi),
                b']' | b'P' | b'X' | b'^' | b'_' => self.enter(Escape::Text),
                0x20..=0x2f => self.enter(Escape::Intermediate),
                ESC => Step::Consumed,
                b'c' => self.ground(Step::Break),
                0x30..=0x7e => self.ground(Step::Consumed),
                _ => self.ground(Step::Reprocess),
            },
            Escape::Csi => match b {
                0x20..=0x3f => Step::Consumed,
                b'J' => self.ground(Step::Break),
                0x40..=0x7e => self.ground(Step::Consumed),
                ESC => {
                    self.escape_len = 0;
                    self.enter(Escape::Start)
                }
                0x00..=0x1f => Step::Consumed,
                _ => self.ground(Step::Reprocess),
            },
            Escape::Text => match b {
                BEL => self.ground(Step::Consumed),
                ESC => self.enter(Escape::TextEsc),
                _ => Step::Consumed,
            },
            Escape::TextEsc => match b {
                b'\\' => self.ground(Step::Consumed),
                _ => self.enter(Escape::Text),
            },
            Escape::Intermediate => match b {
                0x20..=0x2f => Step::Consumed,
                0x30..=0x7e => self.ground(Step::Consumed),
                _ => self.ground(Step::Reprocess),
            },
        }
    }

    fn enter(&mut self, state: Escape) -> Step {
        self.escape = state;
        Step::Consumed
    }

    fn ground(&mut self, step: Step) -> Step {
        self.escape = Escape::Ground;
        step
    }
}

/// A line that lies whole in the chunk: its bytes, and its text when the chunk's
/// UTF-8 was checked through it already.
struct Whole<'a> {
    bytes: &'a [u8],
    text: Option<&'a str>,
}

/// The longest prefix of `bytes` that is valid UTF-8. One check of the chunk
/// costs much less than one per line; lines end at ASCII bytes, which are
/// always character boundaries, so every line inside the prefix is text.
fn valid_prefix(bytes: &[u8]) -> &str {
    let valid = match std::str::from_utf8(bytes) {
        Ok(text) => return text,
        Err(e) => e.valid_up_to(),
    };
    std::str::from_utf8(&bytes[..valid]).unwrap_or_default()
}

/// Hands one line's bytes to the sink as text. The strict check is much
/// faster than the lossy one on the ASCII that consoles almost always send.
fn deliver(line: &[u8], start: u64, end: u64, verbatim: bool, sink: &mut impl LineSink) {
    match std::str::from_utf8(line) {
        Ok(text) => sink.line(text, start, end, verbatim),
        Err(_) => sink.line(&String::from_utf8_lossy(line), start, end, false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[derive(Default, Debug, PartialEq)]
    struct Lines(Vec<(String, u64, u64)>);

    impl LineSink for Lines {
        fn line(&mut self, text: &str, start: u64, end: u64, _verbatim: bool) {
            self.0.push((text.to_string(), start, end));
        }
        fn extend(&mut self, from: u64, to: u64) {
            if let Some(last) = self.0.last_mut() {
                if last.2 == from {
                    last.2 = to;
                }
            }
        }
    }

    fn read(bytes: &[u8], max_line: usize) -> Lines {
        let mut reader = LineReader::new(max_line);
        let mut lines = Lines::default();
        reader.feed(bytes, &mut lines);
        reader.flush(&mut lines);
        lines
    }

    fn texts(bytes: &[u8]) -> Vec<String> {
        read(bytes, 4096).0.into_iter().map(|l| l.0).collect()
    }

    #[test]
    fn seabios_reset_sequences_are_stripped_and_break_the_line() {
        let raw = b"Probing EDD (edd=off to disable)... o\x1bc\x1b[?7l\x1b[2J[    0.000000] Linux version 6.1.0-56-amd64\r\n";
        assert_eq!(
            texts(raw),
            [
                "Probing EDD (edd=off to disable)... o",
                "",
                "[    0.000000] Linux version 6.1.0-56-amd64"
            ]
        );
    }

    #[test]
    fn colour_and_osc_sequences_vanish_without_breaking() {
        let raw = b"\x1b[0mSeaBIOS \x1b[1;31mred\x1b[0m \x1b]0;title\x07done\x1b]2;t\x1b\\!\n";
        assert_eq!(texts(raw), ["SeaBIOS red done!"]);
    }

    #[test]
    fn every_line_ending_style_ends_a_line() {
        assert_eq!(texts(b"a\r\nb\rc\nd\n\re"), ["a", "b", "c", "d", "", "e"]);
    }

    #[test]
    fn crlf_ranges_cover_both_terminator_bytes() {
        let lines = read(b"ab\r\ncd\r\n", 4096).0;
        assert_eq!(lines, [("ab".into(), 0, 4), ("cd".into(), 4, 8)]);
    }

    #[test]
    fn ipxe_overwrite_line_with_lone_cr() {
        let raw = b"Press Ctrl-B to configure iPXE (PCI 00:03.0)...\r        \r\n\n";
        assert_eq!(
            texts(raw),
            [
                "Press Ctrl-B to configure iPXE (PCI 00:03.0)...",
                "        ",
                ""
            ]
        );
    }

    #[test]
    fn nul_bytes_and_invalid_utf8_are_cleaned() {
        assert_eq!(texts(b"BO\0OT\xff-OK\n"), ["BOOT\u{fffd}-OK"]);
    }

    #[test]
    fn long_lines_are_capped_but_offsets_stay_raw() {
        let mut raw = vec![b'x'; 10_000];
        raw.extend_from_slice(b"\nnext\n");
        let lines = read(&raw, 100).0;
        assert_eq!(lines[0].0.len(), 100);
        assert_eq!((lines[0].1, lines[0].2), (0, 10_001));
        assert_eq!(lines[1], ("next".into(), 10_001, 10_006));
    }

    #[test]
    fn newline_inside_a_broken_escape_still_ends_the_line() {
        assert_eq!(texts(b"a\x1b[12\nb\n"), ["a", "b"]);
    }

    #[test]
    fn runaway_escape_gives_the_text_back() {
        let mut raw = b"a\x1b]".to_vec();
        raw.extend(std::iter::repeat_n(b'z', 200));
        raw.push(b'\n');
        let lines = texts(&raw);
        assert_eq!(lines.len(), 1);
        assert!(lines[0].starts_with('a') && lines[0].ends_with("zzz"));
    }

    #[test]
    fn partial_last_line_is_flushed() {
        let lines = read(b"one\ntwo", 4096).0;
        assert_eq!(lines[1], ("two".into(), 4, 7));
    }

    proptest! {
        #[test]
        fn any_split_gives_the_same_lines(
            bytes in proptest::collection::vec(
                prop_oneof![Just(b'\r'), Just(b'\n'), Just(ESC), Just(b'['), Just(b'c'),
                            Just(b'J'), Just(0u8), Just(0xffu8), Just(b'?'), Just(b'7'), any::<u8>()],
                0..300),
            cuts in proptest::collection::vec(0usize..300, 0..8),
            max_line in 1usize..40,
        ) {
            let whole = read(&bytes, max_line);
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(bytes.len())).collect();
            cuts.sort_unstable();
            let mut reader = LineReader::new(max_line);
            let mut split = Lines::default();
            let mut at = 0;
            for cut in cuts.into_iter().chain([bytes.len()]) {
                reader.feed(&bytes[at..cut], &mut split);
                at = cut;
            }
            reader.flush(&mut split);
            prop_assert_eq!(&whole, &split);
            // Ranges tile the stream without gaps or overlaps.
            let mut next = 0;
            for (_, start, end) in &whole.0 {
                prop_assert_eq!(*start, next);
                prop_assert!(end > start);
                next = *end;
            }
            prop_assert_eq!(next, bytes.len() as u64);
        }
    }

    /// Records which lines claim to be verbatim, and checks the claim against
    /// the chunk.
    struct Verbatim<'a> {
        chunk: &'a [u8],
        base: u64,
        claims: Vec<bool>,
    }

    impl LineSink for Verbatim<'_> {
        fn line(&mut self, text: &str, start: u64, _end: u64, verbatim: bool) {
            if verbatim {
                let at = (start - self.base) as usize;
                assert_eq!(&self.chunk[at..at + text.len()], text.as_bytes());
            }
            self.claims.push(verbatim);
        }
        fn extend(&mut self, _from: u64, _to: u64) {}
    }

    #[test]
    fn verbatim_lines_are_exact_copies_of_the_chunk() {
        let mut reader = LineReader::new(8);
        let chunk = b"plain\r\n\x1b[1mbold\x1b[0m\nnul\0x\n0123456789\nsplit";
        let mut sink = Verbatim {
            chunk,
            base: 0,
            claims: Vec::new(),
        };
        reader.feed(chunk, &mut sink);
        assert_eq!(sink.claims, [true, false, false, false]);
        let next = b" end\n";
        let mut sink = Verbatim {
            chunk: next,
            base: chunk.len() as u64,
            claims: Vec::new(),
        };
        reader.feed(next, &mut sink);
        assert_eq!(sink.claims, [false], "a line begun in an earlier chunk");
    }
}
