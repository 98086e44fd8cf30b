//! Embeds the bundled example kernel, `examples/toyos`, into the binary, so that
//! `culprit demo` works from any directory with nothing but the binary.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default());
    let toyos = manifest.join("../../examples/toyos");
    let mut files = Vec::new();
    collect(&toyos, &toyos, &mut files);
    files.sort();
    let mut code = String::from("/// Every file of examples/toyos: (path relative to it, contents).\npub const FILES: &[(&str, &[u8])] = &[\n");
    for (rel, abs) in &files {
        let _ = writeln!(code, "    ({rel:?}, include_bytes!({abs:?})),");
    }
    code.push_str("];\n");
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap_or_default()).join("toyos_files.rs");
    if let Err(err) = fs::write(&out, code) {
        panic!("cannot write {}: {err}", out.display());
    }
    println!("cargo:rerun-if-changed={}", toyos.display());
    for (_, abs) in &files {
        println!("cargo:rerun-if-changed={abs}");
    }
}

/// Source files only: build products, sessions and editor droppings stay out.
fn collect(root: &Path, dir: &Path, files: &mut Vec<(String, String)>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name == "build" || name == ".culprit" || (name.starts_with('.') && name != ".config") {
            continue;
        }
        if path.is_dir() {
            println!("cargo:rerun-if-changed={}", path.display());
            collect(root, &path, files);
        } else if let Ok(rel) = path.strip_prefix(root) {
            let abs = path.canonicalize().unwrap_or(path.clone());
            files.push((
                rel.to_string_lossy().into_owned(),
                abs.to_string_lossy().into_owned(),
            ));
        }
    }
}
