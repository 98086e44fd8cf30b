//! Files as given on the command line or matched by a check: a single object, an
//! archive, or a thin archive whose members live beside it (Kbuild's `built-in.a`).

use crate::error::ElfError;
use crate::parse::{describe_start, parse_object};
use crate::shape::ObjectShape;
use object::read::archive::ArchiveFile;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// Everything read from one file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FileShape {
    pub path: String,
    pub kind: InputKind,
    pub objects: Vec<ObjectShape>,
    /// Archive members that are not ELF (LLVM bitcode from an LTO build, text files);
    /// an archive is still useful without them, so they are listed, not fatal.
    pub skipped: Vec<SkippedMember>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum InputKind {
    Object,
    Archive,
    ThinArchive,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SkippedMember {
    pub member: String,
    pub reason: String,
}

/// Read `path` and show it as `display` in names and messages.
pub fn read_file(path: &Path, display: &str) -> Result<FileShape, ElfError> {
    let data = std::fs::read(path).map_err(|cause| ElfError::Read {
        path: path.to_owned(),
        cause,
    })?;
    let directory = path.parent().map(|p| {
        if p.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            p.to_owned()
        }
    });
    parse_file(&data, display, directory.as_deref())
}

/// Parse the bytes of an object or archive. `directory` is where a thin archive's
/// members are looked up (the archive's own directory); without it a thin archive is
/// an error, since its members are not in the bytes.
pub fn parse_file(
    data: &[u8],
    display: &str,
    directory: Option<&Path>,
) -> Result<FileShape, ElfError> {
    if matches!(object::FileKind::parse(data), Ok(object::FileKind::Archive)) {
        return parse_archive(data, display, directory);
    }
    Ok(FileShape {
        path: display.to_owned(),
        kind: InputKind::Object,
        objects: vec![parse_object(data, display)?],
        skipped: Vec::new(),
    })
}

/// `!<arch>\n` or `!<thin>\n`.
const AR_MAGIC_LEN: u64 = 8;

fn parse_archive(
    data: &[u8],
    display: &str,
    directory: Option<&Path>,
) -> Result<FileShape, ElfError> {
    let malformed = |reason: String| ElfError::MalformedArchive {
        name: display.to_owned(),
        reason,
    };
    let archive = ArchiveFile::parse(data).map_err(|e| malformed(e.to_string()))?;
    let thin = archive.is_thin();
    let mut objects = Vec::new();
    let mut skipped = Vec::new();
    // Where the last whole member ends: the reader stops quietly at a member it cannot
    // read, so bytes after it mean the file was cut short (or damaged), not that the
    // archive is empty.
    let mut end = AR_MAGIC_LEN;
    for member in archive.members() {
        let member = member.map_err(|e| malformed(e.to_string()))?;
        if !member.is_thin() {
            let (offset, size) = member.file_range();
            end = end.max(offset.saturating_add(size));
        }
        let member_name = String::from_utf8_lossy(member.name()).into_owned();
        let name = format!("{display}({member_name})");
        let owned;
        let bytes: &[u8] = if member.is_thin() {
            let Some(directory) = directory else {
                return Err(ElfError::ThinMemberWithoutDirectory {
                    name: display.to_owned(),
                    member: member_name,
                });
            };
            let path = directory.join(&member_name);
            owned = std::fs::read(&path).map_err(|cause| ElfError::Read { path, cause })?;
            &owned
        } else {
            member
                .data(data)
                .map_err(|e| malformed(format!("member {member_name}: {e}")))?
        };
        if !bytes.starts_with(b"\x7fELF") {
            skipped.push(SkippedMember {
                member: member_name,
                reason: format!("not ELF ({})", describe_start(bytes)),
            });
            continue;
        }
        let mut object = parse_object(bytes, &name)?;
        object.member = Some(member_name);
        objects.push(object);
    }
    // One byte of padding may follow the last member (members are 2-byte aligned).
    let len = data.len() as u64;
    if !thin && len > end.saturating_add(1) {
        return Err(malformed(format!(
            "truncated or damaged: {} of its {len} bytes after the last whole member cannot \
             be read as members; rebuild the archive or copy it again",
            len - end
        )));
    }
    Ok(FileShape {
        path: display.to_owned(),
        kind: if thin {
            InputKind::ThinArchive
        } else {
            InputKind::Archive
        },
        objects,
        skipped,
    })
}
