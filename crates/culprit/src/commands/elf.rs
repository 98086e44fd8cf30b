//! `culprit elf`: the shape of object files, archives and linked images, read by
//! culprit itself so that a hunt does not depend on which binutils is installed.
//!
//! Exit codes: 0 when the command did its job, 1 when `dups` found duplicate
//! definitions, 2 for bad input (unreadable, truncated or non-ELF files).

use crate::commands::output::{json_line, print_document};
use culprit_elf::{
    diff_files, find_duplicates, read_file, Change, ChangeKind, Duplicate, FileShape, ObjectChange,
    ObjectShape, ShapeDiff,
};
use serde::Serialize;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

#[derive(clap::Subcommand)]
pub enum ElfCommand {
    /// Section sizes, relocation counts by type and by target section, exported globals.
    Stat {
        /// Objects, archives (thin ones too) or linked images.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// One JSON document on stdout.
        #[arg(long)]
        json: bool,
    },
    /// Global symbols that more than one object defines (what the linker calls a
    /// multiple definition). Exits 1 when there are any.
    Dups {
        /// Objects or archives; each archive member counts as an object.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// Sections, relocation types and symbols that grew, shrank, appeared or vanished
    /// between two builds (compiler numbering such as `foo.constprop.0` is ignored).
    Diff {
        old: PathBuf,
        new: PathBuf,
        #[arg(long)]
        json: bool,
    },
}

pub fn run(cmd: ElfCommand) -> anyhow::Result<u8> {
    print_document(|out| match cmd {
        ElfCommand::Stat { files, json } => stat(&files, json, out),
        ElfCommand::Dups { files, json } => dups(&files, json, out),
        ElfCommand::Diff { old, new, json } => diff(&old, &new, json, out),
    })
}

fn read(path: &Path) -> anyhow::Result<FileShape> {
    Ok(read_file(path, &path.display().to_string())?)
}

fn stat(files: &[PathBuf], json: bool, out: &mut Vec<u8>) -> anyhow::Result<u8> {
    let shapes = files
        .iter()
        .map(|p| read(p))
        .collect::<anyhow::Result<Vec<_>>>()?;
    if json {
        #[derive(Serialize)]
        struct Stat<'a> {
            files: &'a [FileShape],
        }
        json_line(out, &Stat { files: &shapes })?;
        return Ok(0);
    }
    for file in &shapes {
        for skipped in &file.skipped {
            writeln!(
                out,
                "{}({}): skipped: {}",
                file.path, skipped.member, skipped.reason
            )?;
        }
        for object in &file.objects {
            write_object(out, object)?;
        }
    }
    Ok(0)
}

fn write_object(out: &mut Vec<u8>, object: &ObjectShape) -> io::Result<()> {
    writeln!(
        out,
        "{}: {} {}",
        object.name,
        object.machine,
        object.file_type.as_str()
    )?;
    writeln!(out, "  sections:")?;
    let width = object
        .sections
        .iter()
        .map(|s| s.name.len())
        .max()
        .unwrap_or(0);
    for section in &object.sections {
        let nobits = if section.nobits { "  (nobits)" } else { "" };
        writeln!(
            out,
            "    {:width$}  {:>10}{nobits}",
            section.name, section.size
        )?;
    }
    let relocations = &object.relocations;
    writeln!(out, "  relocations: {}", relocations.total)?;
    if relocations.total > 0 {
        writeln!(out, "    by type:")?;
        write_counts(out, relocations.by_type.iter())?;
        writeln!(out, "    by target section:")?;
        write_counts(out, relocations.by_target.iter())?;
    }
    writeln!(out, "  globals: {}", object.globals.len())?;
    for symbol in &object.globals {
        writeln!(
            out,
            "    {:<6} {:<6} {:<16} {} ({} bytes)",
            symbol.kind.as_str(),
            symbol.binding.as_str(),
            symbol.section,
            symbol.name,
            symbol.size
        )?;
    }
    Ok(())
}

fn write_counts<'a>(
    out: &mut Vec<u8>,
    counts: impl Iterator<Item = (&'a String, &'a u64)> + Clone,
) -> io::Result<()> {
    let width = counts
        .clone()
        .map(|(name, _)| name.len())
        .max()
        .unwrap_or(0);
    for (name, count) in counts {
        writeln!(out, "      {name:width$}  {count:>8}")?;
    }
    Ok(())
}

fn dups(files: &[PathBuf], json: bool, out: &mut Vec<u8>) -> anyhow::Result<u8> {
    let shapes = files
        .iter()
        .map(|p| read(p))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let objects: Vec<&ObjectShape> = shapes.iter().flat_map(|f| &f.objects).collect();
    let duplicates = find_duplicates(objects.iter().copied());
    if json {
        #[derive(Serialize)]
        struct Dups<'a> {
            objects: usize,
            duplicates: &'a [Duplicate],
        }
        json_line(
            out,
            &Dups {
                objects: objects.len(),
                duplicates: &duplicates,
            },
        )?;
    } else if duplicates.is_empty() {
        writeln!(
            out,
            "no global defined more than once in {} objects",
            objects.len()
        )?;
    } else {
        for duplicate in &duplicates {
            writeln!(out, "{} defined in:", duplicate.symbol)?;
            for definition in &duplicate.definitions {
                writeln!(out, "  {} ({})", definition.object, definition.section)?;
            }
        }
        writeln!(
            out,
            "{} globals defined more than once in {} objects",
            duplicates.len(),
            objects.len()
        )?;
    }
    Ok(if duplicates.is_empty() { 0 } else { 1 })
}

fn diff(old: &Path, new: &Path, json: bool, out: &mut Vec<u8>) -> anyhow::Result<u8> {
    let diff = diff_files(&read(old)?, &read(new)?);
    if json {
        json_line(out, &diff)?;
    } else {
        write_diff(out, &diff)?;
    }
    Ok(0)
}

fn write_diff(out: &mut Vec<u8>, diff: &ShapeDiff) -> io::Result<()> {
    if diff.is_empty() {
        return writeln!(out, "no shape changes from {} to {}", diff.old, diff.new);
    }
    for object in &diff.objects {
        match object.change {
            ObjectChange::Appeared => writeln!(out, "{}: appeared", object.name)?,
            ObjectChange::Vanished => writeln!(out, "{}: vanished", object.name)?,
            ObjectChange::Changed => {
                writeln!(out, "{}:", object.name)?;
                write_changes(out, "sections", &object.sections)?;
                write_changes(out, "relocation types", &object.relocation_types)?;
                write_changes(out, "relocation targets", &object.relocation_targets)?;
                write_changes(out, "symbols", &object.symbols)?;
                write_changes(out, "globals", &object.globals)?;
            }
        }
    }
    Ok(())
}

fn write_changes(out: &mut Vec<u8>, heading: &str, changes: &[Change]) -> io::Result<()> {
    if changes.is_empty() {
        return Ok(());
    }
    writeln!(out, "  {heading}:")?;
    let width = changes.iter().map(|c| c.name.len()).max().unwrap_or(0);
    let value = |v: Option<u64>| v.map_or_else(|| "-".to_owned(), |v| v.to_string());
    for change in changes {
        let delta = match (change.old, change.new) {
            (Some(old), Some(new)) => format!(" ({:+})", i128::from(new) - i128::from(old)),
            _ => String::new(),
        };
        let word = match change.change {
            ChangeKind::Grew => "grew",
            ChangeKind::Shrank => "shrank",
            ChangeKind::Appeared => "appeared",
            ChangeKind::Vanished => "vanished",
        };
        writeln!(
            out,
            "    {:width$}  {:>10} -> {:<10} {word}{delta}",
            change.name,
            value(change.old),
            value(change.new)
        )?;
    }
    Ok(())
}
