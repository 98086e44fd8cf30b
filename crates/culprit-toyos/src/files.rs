//! The files of the example kernel, embedded at build time (see build.rs).

use crate::{failed, Result};
use std::path::Path;

include!(concat!(env!("OUT_DIR"), "/toyos_files.rs"));

/// Writes the toyos sources into `dir`, which becomes a toyos tree.
pub fn write_tree(dir: &Path) -> Result<()> {
    for (rel, bytes) in FILES {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(failed(format!("cannot create {}", parent.display())))?;
        }
        std::fs::write(&path, bytes).map_err(failed(format!("cannot write {}", path.display())))?;
        if rel.ends_with(".sh") {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))
                .map_err(failed(format!("cannot make {} executable", path.display())))?;
        }
    }
    Ok(())
}
