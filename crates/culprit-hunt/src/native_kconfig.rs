//! A tree's Kconfig read by culprit's own evaluator (culprit-kconfig): what `make
//! olddefconfig` would make of a configuration, and why a requested option did not
//! apply, for `culprit run --set` and the configuration hunt (one adapter for both).

use crate::error::{HuntError, Result};
use culprit_kconfig::kconfig::{
    open_tree, Evaluation, Input, OpenTree, Unapplied, PROBE_CACHE_DIR,
};
use std::collections::HashMap;
use std::path::Path;

pub struct NativeKconfig {
    tree: OpenTree,
}

impl NativeKconfig {
    /// Reads `dir/Kconfig`. The architecture is `ARCH` from the environment, else the
    /// one a `.config`'s header names (`# Linux/arm64 6.1.0 Kernel Configuration`), else
    /// the machine's: a cross build's culprit.toml passes `ARCH=` to make, not to culprit.
    /// The compiler probes' answers are cached under `state`.
    pub fn open(dir: &Path, config_hint: Option<&str>, state: &Path) -> Result<NativeKconfig> {
        let env: HashMap<String, String> = std::env::vars().collect();
        let arch = env
            .get("ARCH")
            .filter(|a| !a.is_empty())
            .cloned()
            .or_else(|| config_hint.and_then(header_arch));
        let probes = state.join(PROBE_CACHE_DIR);
        let tree = open_tree(dir, arch.as_deref(), &env, Some(&probes)).map_err(|e| {
            HuntError::BadInput(format!("reading the Kconfig tree {}: {e}", dir.display()))
        })?;
        Ok(NativeKconfig { tree })
    }

    /// `origin` names `text` in reasons ("set at ORIGIN:LINE").
    fn evaluate(&self, text: &str, origin: &str) -> Evaluation<'_> {
        let mut input = Input::default();
        // The text is culprit's own (a candidate, a base with requests laid over it): a
        // line it cannot read was already reported where the user wrote it.
        let _ = input.parse(text, origin, false);
        self.tree
            .kconfig
            .olddefconfig_as(&input, self.tree.semantics)
    }

    /// `text` as the tree's `make olddefconfig` would leave it.
    pub fn normalize(&self, text: &str) -> String {
        self.evaluate(text, "the candidate").dot_config().to_owned()
    }

    /// The options of `text` (named `origin`) that do not apply, each with why (Kconfig
    /// file:line) and what else would make it apply.
    pub fn unapplied(&self, text: &str, origin: &str) -> Vec<Unapplied> {
        self.evaluate(text, origin).unapplied()
    }

    /// Why `option` (without `CONFIG_`) of the candidate `text` does not apply, and what
    /// would make it; `None` when it applies.
    pub fn unapplied_option(&self, text: &str, option: &str) -> Option<Unapplied> {
        self.evaluate(text, "the candidate")
            .unapplied_option(option)
    }
}

/// The architecture a `.config` was generated for, from its header comment.
fn header_arch(text: &str) -> Option<String> {
    text.lines()
        .take(8)
        .filter_map(|line| line.strip_prefix("# Linux/"))
        .find_map(|rest| rest.split_whitespace().next().map(str::to_owned))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_header_names_the_architecture() {
        let header = "#\n# Automatically generated file; DO NOT EDIT.\n# Linux/arm64 6.1.0 Kernel Configuration\n#\nCONFIG_CC_IS_GCC=y\n";
        assert_eq!(header_arch(header).as_deref(), Some("arm64"));
        assert_eq!(header_arch("CONFIG_X=y\n# Linux is great\n"), None);
    }
}
