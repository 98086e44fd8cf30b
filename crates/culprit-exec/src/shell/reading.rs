//! Reading a shell script's quoting, the way `sh` will, to learn where each placeholder
//! stands: bare, inside `'...'` or inside `"..."`, and, when the word it stands in is a
//! script another shell reads (`sh -c '...'`, `ssh host '...'`), where it stands in that
//! script, and so on at any depth.
//!
//! This is not a full shell parser: it follows words, quotes, `$(...)` and the commands
//! that run a script, which is all the quoting of a placeholder depends on. Constructs
//! whose quoting it cannot follow exactly are refused for placeholders ([`Refusal`])
//! rather than guessed.

use super::runners::scripts_among;

/// The quoting a placeholder stands in, in one shell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Quoting {
    Bare,
    Single,
    Double,
}

/// Where one placeholder stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Place {
    /// The quoting around it in each shell that reads it, the outermost first.
    Read(Vec<Quoting>),
    /// In a comment: no shell reads it.
    Comment,
}

/// One character of a script, or a placeholder (by its number).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Piece {
    Char(char),
    Hole(usize),
}

/// Where a placeholder cannot be given its exact value, and why.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    Backticks,
    AnsiC,
    HereDocument,
    Escaped,
    Expansion,
}

impl Refusal {
    /// What is wrong and how to write it instead.
    pub fn advice(self) -> &'static str {
        match self {
            Refusal::Backticks => {
                "inside backticks, whose backslashes mean something else at each level; write $(...) instead of `...`"
            }
            Refusal::AnsiC => {
                "inside $'...', which reads backslash escapes; use '...' or \"...\" around it instead"
            }
            Refusal::HereDocument => {
                "after a here-document (<<), whose body quoting is its own; pass the value as an argument or through a variable set before the <<"
            }
            Refusal::Escaped => {
                "right after a backslash, which would escape the first character of the value; remove the backslash"
            }
            Refusal::Expansion => {
                "inside ${...} or $((...)); assign it to a variable first (v={tree}) and use \"$v\""
            }
        }
    }
}

/// A piece of a word after the shell removed its quotes.
#[derive(Clone, Copy)]
enum Bit {
    Char(char),
    Hole(usize, Quoting),
    /// What `$(...)`, `${...}` or backticks expand to: unknown until the script runs.
    Hidden,
}

/// The place of every placeholder in `script`, by number.
pub(super) fn places(script: &[Piece]) -> Result<Vec<(usize, Place)>, (usize, Refusal)> {
    let mut reader = Reader {
        pieces: script,
        at: 0,
        found: Vec::new(),
        here_document: Here::None,
    };
    reader.commands(false)?;
    Ok(reader.found)
}

#[derive(PartialEq, Eq)]
enum Here {
    None,
    /// A `<<` was read; its body starts at the next newline.
    Pending,
    /// Past that newline: the reader no longer knows what is quoted.
    Body,
}

struct Reader<'a> {
    pieces: &'a [Piece],
    at: usize,
    found: Vec<(usize, Place)>,
    here_document: Here,
}

type Step = Result<(), (usize, Refusal)>;

impl Reader<'_> {
    fn next(&mut self) -> Option<Piece> {
        let piece = self.pieces.get(self.at).copied();
        self.at += usize::from(piece.is_some());
        piece
    }

    fn peek(&self) -> Option<Piece> {
        self.pieces.get(self.at).copied()
    }

    /// The placeholder `id` as a bit of a word quoted so; refused inside a here-document
    /// body, whose text no quoting protects.
    fn hole(&self, id: usize, quoting: Quoting) -> Result<Bit, (usize, Refusal)> {
        match self.here_document {
            Here::Body => Err((id, Refusal::HereDocument)),
            _ => Ok(Bit::Hole(id, quoting)),
        }
    }

    /// Reads commands to the end, or to the `)` that closes a `$(` when `closing`.
    fn commands(&mut self, closing: bool) -> Step {
        let mut words: Vec<Vec<Bit>> = Vec::new();
        let mut word: Option<Vec<Bit>> = None;
        while let Some(piece) = self.next() {
            let c = match piece {
                Piece::Hole(id) => {
                    let bit = self.hole(id, Quoting::Bare)?;
                    word.get_or_insert_default().push(bit);
                    continue;
                }
                Piece::Char(c) => c,
            };
            match c {
                ' ' | '\t' => words.extend(word.take()),
                '\n' | ';' | '&' | '|' | '(' | ')' => {
                    words.extend(word.take());
                    self.command(std::mem::take(&mut words))?;
                    if c == '\n' && self.here_document == Here::Pending {
                        self.here_document = Here::Body;
                    }
                    if c == ')' && closing {
                        return Ok(());
                    }
                }
                '<' | '>' => {
                    words.extend(word.take());
                    if c == '<' && self.peek() == Some(Piece::Char('<')) {
                        self.at += 1;
                        if self.peek() == Some(Piece::Char('<')) {
                            self.at += 1;
                        } else if self.here_document == Here::None {
                            self.here_document = Here::Pending;
                        }
                    }
                }
                '#' if word.is_none() => self.comment(),
                _ => self.in_word(c, word.get_or_insert_default())?,
            }
        }
        words.extend(word);
        self.command(words)
    }

    /// A character that starts or continues a word outside quotes.
    fn in_word(&mut self, c: char, word: &mut Vec<Bit>) -> Step {
        match c {
            '\\' => match self.next() {
                Some(Piece::Hole(id)) => return Err((id, Refusal::Escaped)),
                Some(Piece::Char('\n')) => {}
                Some(Piece::Char(escaped)) => word.push(Bit::Char(escaped)),
                None => word.push(Bit::Char('\\')),
            },
            '\'' => self.single(word)?,
            '"' => self.double(word)?,
            '`' => self.backticks(word)?,
            '$' => self.dollar(word, Quoting::Bare)?,
            c => word.push(Bit::Char(c)),
        }
        Ok(())
    }

    fn comment(&mut self) {
        while let Some(piece) = self.peek() {
            match piece {
                Piece::Char('\n') => return,
                Piece::Hole(id) => self.found.push((id, Place::Comment)),
                Piece::Char(_) => {}
            }
            self.at += 1;
        }
    }

    fn single(&mut self, word: &mut Vec<Bit>) -> Step {
        while let Some(piece) = self.next() {
            match piece {
                Piece::Char('\'') => return Ok(()),
                Piece::Char(c) => word.push(Bit::Char(c)),
                Piece::Hole(id) => word.push(self.hole(id, Quoting::Single)?),
            }
        }
        Ok(())
    }

    fn double(&mut self, word: &mut Vec<Bit>) -> Step {
        while let Some(piece) = self.next() {
            match piece {
                Piece::Char('"') => return Ok(()),
                Piece::Char('\\') => match self.next() {
                    Some(Piece::Hole(id)) => return Err((id, Refusal::Escaped)),
                    Some(Piece::Char('\n')) => {}
                    Some(Piece::Char(c)) if matches!(c, '$' | '`' | '"' | '\\') => {
                        word.push(Bit::Char(c));
                    }
                    Some(Piece::Char(c)) => word.extend([Bit::Char('\\'), Bit::Char(c)]),
                    None => word.push(Bit::Char('\\')),
                },
                Piece::Char('`') => self.backticks(word)?,
                Piece::Char('$') => self.dollar(word, Quoting::Double)?,
                Piece::Char(c) => word.push(Bit::Char(c)),
                Piece::Hole(id) => word.push(self.hole(id, Quoting::Double)?),
            }
        }
        Ok(())
    }

    /// Skips to the closing backtick; no placeholder may stand in between.
    fn backticks(&mut self, word: &mut Vec<Bit>) -> Step {
        word.push(Bit::Hidden);
        self.skip_refusing(Refusal::Backticks, |c, _| (c == '`').then_some(0))
    }

    /// `$` in `quoting`: a command substitution, an expansion, or a plain character.
    fn dollar(&mut self, word: &mut Vec<Bit>, quoting: Quoting) -> Step {
        match self.peek() {
            Some(Piece::Char('(')) => {
                self.at += 1;
                word.push(Bit::Hidden);
                if self.peek() == Some(Piece::Char('(')) {
                    return self.skip_refusing(Refusal::Expansion, parens);
                }
                self.commands(true)
            }
            Some(Piece::Char('{')) => {
                self.at += 1;
                word.push(Bit::Hidden);
                self.skip_refusing(Refusal::Expansion, |c, depth| match c {
                    '{' => Some(depth + 1),
                    '}' => Some(depth - 1),
                    _ => None,
                })
            }
            Some(Piece::Char('\'')) if quoting == Quoting::Bare => {
                self.at += 1;
                word.push(Bit::Hidden);
                self.skip_refusing(Refusal::AnsiC, |c, _| (c == '\'').then_some(0))
            }
            _ => {
                word.push(Bit::Char('$'));
                Ok(())
            }
        }
    }

    /// Skips a construct whose inside the reader does not follow, up to where `close`
    /// (given a character and the nesting depth, 1 at first) brings the depth to 0; a
    /// backslash takes the next character along. A placeholder inside is refused.
    fn skip_refusing(
        &mut self,
        refusal: Refusal,
        close: impl Fn(char, i32) -> Option<i32>,
    ) -> Step {
        let mut depth = 1;
        while let Some(piece) = self.next() {
            match piece {
                Piece::Hole(id) => return Err((id, refusal)),
                Piece::Char('\\') => {
                    if let Some(Piece::Hole(id)) = self.next() {
                        return Err((id, refusal));
                    }
                }
                Piece::Char(c) => {
                    if let Some(inner) = close(c, depth) {
                        depth = inner;
                        if depth == 0 {
                            return Ok(());
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// One simple command's words: the placeholders in its data take their quoting here;
    /// those in a script another shell reads are read again as that shell will.
    fn command(&mut self, words: Vec<Vec<Bit>>) -> Step {
        let names: Vec<String> = words.iter().map(|w| literal(w)).collect();
        let scripts = scripts_among(&names);
        for (index, word) in words.iter().enumerate() {
            if scripts.iter().any(|s| s.contains(&index)) {
                continue;
            }
            for bit in word {
                if let Bit::Hole(id, quoting) = *bit {
                    self.found.push((id, Place::Read(vec![quoting])));
                }
            }
        }
        for script in scripts {
            self.inner(script.iter().map(|&index| words[index].as_slice()))?;
        }
        Ok(())
    }

    /// Reads the script made of `words` (joined by spaces) as the shell that runs it will.
    fn inner<'w>(&mut self, words: impl Iterator<Item = &'w [Bit]>) -> Step {
        let mut pieces = Vec::new();
        let mut outer = Vec::new();
        for (n, word) in words.enumerate() {
            if n > 0 {
                pieces.push(Piece::Char(' '));
            }
            for bit in word {
                pieces.push(match *bit {
                    Bit::Char(c) => Piece::Char(c),
                    Bit::Hidden => Piece::Char('x'),
                    Bit::Hole(id, quoting) => {
                        outer.push((id, quoting));
                        Piece::Hole(id)
                    }
                });
            }
        }
        for (id, place) in places(&pieces)? {
            let place = match place {
                Place::Comment => Place::Comment,
                Place::Read(inner) => {
                    let here = outer
                        .iter()
                        .find(|(hole, _)| *hole == id)
                        .map_or(Quoting::Bare, |(_, quoting)| *quoting);
                    Place::Read(std::iter::once(here).chain(inner).collect())
                }
            };
            self.found.push((id, place));
        }
        Ok(())
    }
}

/// `$((` arithmetic: parentheses nest.
fn parens(c: char, depth: i32) -> Option<i32> {
    match c {
        '(' => Some(depth + 1),
        ')' => Some(depth - 1),
        _ => None,
    }
}

/// The word's text as far as it is known (a placeholder or expansion is a NUL).
fn literal(word: &[Bit]) -> String {
    word.iter()
        .map(|bit| match bit {
            Bit::Char(c) => *c,
            Bit::Hole(..) | Bit::Hidden => '\0',
        })
        .collect()
}
