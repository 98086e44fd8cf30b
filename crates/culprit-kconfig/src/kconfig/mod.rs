//! The Kconfig language, parsed and evaluated like Linux's `scripts/kconfig/conf
//! --olddefconfig` (and kconfiglib for Zephyr-style trees), with the reason behind
//! every value.
//!
//! ```text
//! Kconfig files --lexer/macros--> statements --parse--> Tree --finalize-->
//!   + Input (.config, fragments) --eval--> values --write--> .config text
//!                                             \--why--> reasons with file:line
//! ```
//! Everything is deterministic except `$(shell,…)`, which goes through [`Shell`].

mod cycle;
mod error;
mod eval;
mod explain;
mod expr;
mod finalize;
mod glob;
mod input;
mod lexer;
mod linux;
mod macros;
mod number;
mod open;
mod parse;
mod probes;
mod shell;
mod tree;
mod why;
mod write;

use std::path::Path;

pub use error::KconfigError;
pub use explain::{effective_diff, EffectiveChange, Explanation};
pub use expr::{Expr, Tri};
pub use input::{Assignment, Input, Origin, Reading};
pub use linux::{host_arch, is_linux_tree, kernel_version, linux_env};
pub use macros::Shell;
pub use open::{open_tree, OpenTree};
pub use parse::LoadOptions;
pub use shell::{ProbeCache, SystemShell, PROBE_CACHE_DIR, PROBE_TIMEOUT};
pub use tree::{Loc, NodeId, NodeKind, SymId, Tree, Type};
pub use why::{Reason, ReasonKind, Unapplied};

use eval::Evaluator;

/// A parsed Kconfig tree, ready to evaluate configurations against.
pub struct Kconfig {
    tree: Tree,
}

impl Kconfig {
    /// Reads the tree whose top file is `top` (relative to `options.srctree`, or
    /// absolute), running its `$(shell,…)` macros through `shell`.
    pub fn load(
        top: &Path,
        options: &LoadOptions,
        shell: &mut dyn Shell,
    ) -> Result<Kconfig, KconfigError> {
        Ok(Kconfig {
            tree: parse::parse(top, options, shell)?,
        })
    }

    /// [`Kconfig::load`] with the tree's probes run `shell.jobs` at a time: the same
    /// tree, read in the time of the slowest chain of probes rather than of all of them.
    pub fn load_probing(
        top: &Path,
        options: &LoadOptions,
        shell: &mut SystemShell,
    ) -> Result<Kconfig, KconfigError> {
        Ok(Kconfig {
            tree: probes::parse_probing(top, options, shell)?,
        })
    }

    pub fn tree(&self) -> &Tree {
        &self.tree
    }

    /// What `conf --olddefconfig` makes of `input`: keep what it sets where Kconfig
    /// allows it, fill in the rest.
    pub fn olddefconfig(&self, input: &Input) -> Evaluation<'_> {
        evaluate(&self.tree, input, Semantics::Conf)
    }

    /// [`Kconfig::olddefconfig`] with the given implementation's quirks.
    pub fn olddefconfig_as(&self, input: &Input, semantics: Semantics) -> Evaluation<'_> {
        evaluate(&self.tree, input, semantics)
    }
}

/// Whose behaviour to reproduce where the two implementations differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Semantics {
    /// Linux's `scripts/kconfig/conf`: an out-of-range number is dropped after the
    /// options depending on it were computed from it (they keep that view).
    Conf,
    /// kconfiglib (Zephyr): an out-of-range number is ignored from the start.
    Kconfiglib,
}

/// kconfig's `conf_read` then `conf_write` on one input.
fn evaluate<'t>(tree: &'t Tree, input: &Input, semantics: Semantics) -> Evaluation<'t> {
    let mut ev = Evaluator::new(tree);
    let readings = input::apply(&mut ev, input);
    let changed = if input.any_file {
        let unknown = readings.iter().any(|(_, r)| *r == Reading::Unknown);
        let invalid = readings
            .iter()
            .any(|(_, r)| matches!(r, Reading::Invalid(_)));
        write::settle(
            &mut ev,
            !input.warnings.is_empty() || unknown || invalid,
            semantics,
        )
    } else {
        ev.calc(tree.modules);
        true
    };
    let header = write::kconfig_header(tree);
    let body = write::write(&mut ev, changed);
    Evaluation {
        body_start: header.len(),
        text: header + &body,
        semantics,
        ev,
        input: input.clone(),
        readings,
    }
}

/// The effective configuration of one input.
pub struct Evaluation<'t> {
    ev: Evaluator<'t>,
    input: Input,
    readings: Vec<(SymId, Reading)>,
    text: String,
    body_start: usize,
    semantics: Semantics,
}

impl<'t> Evaluation<'t> {
    /// The `.config` text, as `conf --olddefconfig` writes it.
    pub fn dot_config(&self) -> &str {
        &self.text
    }

    /// The `.config` text under another first comment block (kconfiglib users such as
    /// Zephyr and toyos write their own).
    pub fn dot_config_with_header(&self, header: &str) -> String {
        format!("{header}{}", &self.text[self.body_start..])
    }

    pub fn tree(&self) -> &'t Tree {
        self.ev.tree
    }

    pub fn input(&self) -> &Input {
        &self.input
    }

    /// How each assignment of the input was read, in order.
    pub fn readings(&self) -> &[(SymId, Reading)] {
        &self.readings
    }

    /// The value of a symbol (name without `CONFIG_`), as `.config` spells it;
    /// `None` for a name no Kconfig file defines.
    pub fn value(&mut self, name: &str) -> Option<String> {
        let id = self.ev.tree.find(name)?;
        Some(self.ev.string_value(id).into_owned())
    }

    /// Whether `.config` lists the symbol at all (kconfig leaves out symbols that are
    /// invisible and have no default).
    pub fn is_written(&mut self, name: &str) -> bool {
        self.ev.tree.find(name).is_some_and(|id| {
            self.ev.calc(id);
            self.ev.state(id).write
        })
    }

    /// The visibility of a symbol's prompts: whether a user value can take effect.
    pub fn visibility(&mut self, id: SymId) -> Tri {
        self.ev.calc(id);
        self.ev.state(id).visible
    }

    /// Symbols whose `select` forced them past unmet direct dependencies (kconfig's
    /// "unmet direct dependencies detected" warning).
    pub fn unmet_selects(&self) -> Vec<SymId> {
        let mut out = self.ev.unmet.clone();
        out.sort();
        out.dedup();
        out
    }
}
