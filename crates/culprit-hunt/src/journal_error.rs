//! What went wrong with the journal's file, said with its path and what to do about it.
//!
//! SQLite's own words ("unable to open database file", "database disk image is
//! malformed") name neither the file nor a way out; a user meeting them mid-hunt needs
//! both, and needs to know whether moving the file away costs finished results.

use crate::error::{HuntError, JournalTrouble, Result};
use rusqlite::ErrorCode;
use std::path::Path;

/// Runs `work` on the journal at `path`, saying which file and what to do when SQLite
/// fails.
pub fn named<T>(path: &Path, work: impl FnOnce() -> Result<T>) -> Result<T> {
    work().map_err(|err| match err {
        HuntError::Journal(err) => explain(path, &err),
        other => other,
    })
}

fn explain(path: &Path, err: &rusqlite::Error) -> HuntError {
    let code = err.sqlite_error_code();
    let file = path.display();
    let dir = path.parent().unwrap_or(Path::new("."));
    let quoted = culprit_exec::shell::quote(&path.to_string_lossy());
    let aside = culprit_exec::shell::quote(&format!("{}.damaged", path.to_string_lossy()));
    let (trouble, advice) = match code {
        Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase) => (
            JournalTrouble::Damaged,
            format!(
                "the file is damaged; move it away to start fresh (`mv {quoted} {aside}`): \
                 the results of finished sessions are lost with it"
            ),
        ),
        Some(ErrorCode::CannotOpen | ErrorCode::ReadOnly | ErrorCode::PermissionDenied) => (
            JournalTrouble::Unwritable,
            format!(
                "check that {} exists and that you may write to it and to the file (`ls -ld {}`), \
                 or keep culprit's state elsewhere with --state DIR",
                dir.display(),
                culprit_exec::shell::quote(&dir.to_string_lossy())
            ),
        ),
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => (
            JournalTrouble::Busy,
            "another process kept it locked; wait for the other culprit to finish, or stop it"
                .to_string(),
        ),
        Some(ErrorCode::DiskFull) => (
            JournalTrouble::Full,
            "the disk is full; free some space and resume".to_string(),
        ),
        _ => (
            JournalTrouble::Other,
            "if it persists, move the file away to start fresh (finished results are lost)"
                .to_string(),
        ),
    };
    HuntError::JournalFile {
        trouble,
        message: format!("the journal {file}: {err}; {advice}"),
    }
}

/// `path` as an SQLite `file:` URI, so that query parameters can follow it; characters
/// a URI gives a meaning to are escaped.
pub fn file_uri(path: &Path) -> String {
    let mut uri = String::from("file:");
    for byte in path.as_os_str().as_encoded_bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' => {
                uri.push(char::from(*byte))
            }
            other => uri.push_str(&format!("%{other:02X}")),
        }
    }
    uri
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_uri_keeps_what_a_path_holds() {
        assert_eq!(
            file_uri(Path::new("/a b/it's?#%.sqlite")),
            "file:/a%20b/it%27s%3F%23%25.sqlite"
        );
    }

    #[test]
    fn a_file_that_is_no_database_is_named_with_the_way_out() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.sqlite");
        std::fs::write(&path, vec![b'x'; 8192]).unwrap();
        let err = named(&path, || {
            let conn = rusqlite::Connection::open(&path)?;
            conn.execute_batch("CREATE TABLE t (x)")?;
            Ok(())
        })
        .unwrap_err();
        let text = err.to_string();
        assert!(matches!(
            err,
            HuntError::JournalFile {
                trouble: JournalTrouble::Damaged,
                ..
            }
        ));
        assert!(text.contains(&path.display().to_string()), "{text}");
        assert!(text.contains("move it away to start fresh"), "{text}");
    }
}
