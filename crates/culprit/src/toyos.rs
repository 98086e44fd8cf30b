//! The bundled example kernel, embedded in the binary (see build.rs).

use anyhow::{Context, Result};
use std::path::Path;

include!(concat!(env!("OUT_DIR"), "/toyos_files.rs"));

/// Writes the toyos sources into `dir`, which becomes a toyos tree.
pub fn write_tree(dir: &Path) -> Result<()> {
    for (rel, bytes) in FILES {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        std::fs::write(&path, bytes).with_context(|| format!("cannot write {}", path.display()))?;
        if rel.ends_with(".sh") {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))
                .with_context(|| format!("cannot make {} executable", path.display()))?;
        }
    }
    Ok(())
}
