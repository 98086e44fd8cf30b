//! The shape of one ELF object: what a linker sees of it, without the code itself.

use serde::Serialize;
use std::collections::BTreeMap;

/// One ELF object: a file of its own or one member of an archive.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ObjectShape {
    /// How the object is shown: `dir/a.o`, or `dir/lib.a(a.o)` for a member.
    pub name: String,
    /// The member name inside its archive; `None` for a file of its own.
    pub member: Option<String>,
    /// Short machine name as used in relocation names (`ARM`, `AARCH64`, `X86_64`).
    pub machine: String,
    /// The raw `e_machine` number behind `machine`.
    pub e_machine: u16,
    pub file_type: FileType,
    pub sections: Vec<SectionShape>,
    pub relocations: RelocationCounts,
    /// Defined symbols other objects can bind to (global, weak or unique binding).
    pub globals: Vec<SymbolShape>,
    /// Defined local symbols; kept for `diff`, left out of `stat`'s output.
    #[serde(skip)]
    pub locals: Vec<SymbolShape>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileType {
    Relocatable,
    Executable,
    Shared,
    Core,
    Other,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SectionShape {
    pub name: String,
    pub size: u64,
    /// `SHT_NOBITS` (`.bss`): the size is memory, not file bytes.
    pub nobits: bool,
}

/// Relocation counts, kept per (type, target section) so that a check can ask for
/// "MOVW_ABS against .data" as well as for either dimension alone.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct RelocationCounts {
    pub total: u64,
    pub by_type: BTreeMap<String, u64>,
    /// By the section of the symbol each relocation refers to (or the section itself
    /// for section symbols); `*UND*`, `*ABS*`, `*COM*` as readelf writes them, and
    /// `*NONE*` for relocations without a symbol.
    pub by_target: BTreeMap<String, u64>,
    pub by_type_and_target: Vec<RelocationGroup>,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct RelocationGroup {
    #[serde(rename = "type")]
    pub relocation_type: String,
    pub target: String,
    pub count: u64,
}

impl RelocationCounts {
    pub(crate) fn from_groups(mut groups: Vec<RelocationGroup>) -> Self {
        groups.sort();
        let mut counts = RelocationCounts::default();
        for group in &groups {
            counts.total += group.count;
            *counts
                .by_type
                .entry(group.relocation_type.clone())
                .or_default() += group.count;
            *counts.by_target.entry(group.target.clone()).or_default() += group.count;
        }
        counts.by_type_and_target = groups;
        counts
    }

    /// Relocations of `relocation_type`, against `target` only when one is given.
    pub fn count(&self, relocation_type: &str, target: Option<&str>) -> u64 {
        match target {
            None => self.by_type.get(relocation_type).copied().unwrap_or(0),
            Some(target) => self
                .by_type_and_target
                .iter()
                .filter(|g| g.relocation_type == relocation_type && g.target == target)
                .map(|g| g.count)
                .sum(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SymbolShape {
    pub name: String,
    pub binding: Binding,
    pub kind: SymbolKind,
    pub visibility: Visibility,
    /// Section name, or `*ABS*` / `*COM*`.
    pub section: String,
    pub size: u64,
    /// Defined in a COMDAT group: the linker keeps one copy and never complains.
    pub comdat: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Binding {
    Local,
    Global,
    Weak,
    Unique,
    Other,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SymbolKind {
    NoType,
    Object,
    Func,
    Common,
    Tls,
    Ifunc,
    Other,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    Default,
    Internal,
    Hidden,
    Protected,
}

impl ObjectShape {
    /// Total size of the sections called `name` (an object may have several, e.g.
    /// one per COMDAT group); 0 when there is none. Saturates: a `NOBITS` section
    /// can claim any size without having the bytes.
    pub fn section_size(&self, name: &str) -> u64 {
        self.sections
            .iter()
            .filter(|s| s.name == name)
            .fold(0u64, |total, s| total.saturating_add(s.size))
    }

    pub fn has_section(&self, name: &str) -> bool {
        self.sections.iter().any(|s| s.name == name)
    }
}

impl Binding {
    pub fn as_str(self) -> &'static str {
        match self {
            Binding::Local => "local",
            Binding::Global => "global",
            Binding::Weak => "weak",
            Binding::Unique => "unique",
            Binding::Other => "other",
        }
    }
}

impl SymbolKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SymbolKind::NoType => "notype",
            SymbolKind::Object => "object",
            SymbolKind::Func => "func",
            SymbolKind::Common => "common",
            SymbolKind::Tls => "tls",
            SymbolKind::Ifunc => "ifunc",
            SymbolKind::Other => "other",
        }
    }
}

impl FileType {
    pub fn as_str(self) -> &'static str {
        match self {
            FileType::Relocatable => "relocatable",
            FileType::Executable => "executable",
            FileType::Shared => "shared",
            FileType::Core => "core",
            FileType::Other => "other",
        }
    }
}
