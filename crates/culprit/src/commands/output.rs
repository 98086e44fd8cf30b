//! How the commands that print a document (`culprit elf`, `culprit kconfig`, `culprit
//! report`) write it: whole, at the end, and quietly when the reader has gone.

use anyhow::Context;
use serde::Serialize;
use std::io::Write;

/// Appends `value` to `out` as one pretty-printed JSON document and a newline.
pub fn json_line(out: &mut Vec<u8>, value: &impl Serialize) -> anyhow::Result<()> {
    serde_json::to_writer_pretty(&mut *out, value)?;
    out.push(b'\n');
    Ok(())
}

/// Runs a command that writes its document into a buffer, then prints the buffer whole;
/// returns the command's exit code.
pub fn print_document(
    write: impl FnOnce(&mut Vec<u8>) -> anyhow::Result<u8>,
) -> anyhow::Result<u8> {
    let mut out = Vec::new();
    let code = write(&mut out)?;
    print_all(&out)?;
    Ok(code)
}

/// Writes `out` to standard output. A closed pipe (`| head`) is the reader's choice, not
/// an error.
pub fn print_all(out: &[u8]) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(out).and_then(|()| stdout.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(e).context("cannot write to standard output")
        }
        _ => Ok(()),
    }
}
