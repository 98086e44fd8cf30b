//! Reading one ELF object into an [`ObjectShape`].
//!
//! Relocations are read straight from every `SHT_REL`, `SHT_RELA` and `SHT_CREL`
//! section, the way `readelf -r` lists them, rather than through `object`'s per-section
//! view, so that the dynamic relocations of a linked image are counted too.

use crate::error::ElfError;
use crate::names::{machine_label, relocation_type_name};
use crate::shape::{
    Binding, FileType, ObjectShape, RelocationCounts, RelocationGroup, SectionShape, SymbolKind,
    SymbolShape, Visibility,
};
use object::elf;
use object::read::elf::{FileHeader, Rel as _, Rela as _, SectionHeader, SectionTable, Sym};
use object::{Endianness, FileKind};
use std::collections::{HashMap, HashSet};

/// What a relocation refers to, before section indices are turned into names.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Target {
    Section(usize),
    Undefined,
    Absolute,
    Common,
    NoSymbol,
}

/// A relocation's type before it is named: the raw `r_type` (for MIPS64 the three
/// packed types), or an entry of a `SHT_RELR` table, which has no type field.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum TypeKey {
    Raw(u32),
    Relr,
}

/// Parse one ELF object. `name` is only used in messages and in the shape.
pub fn parse_object(data: &[u8], name: &str) -> Result<ObjectShape, ElfError> {
    match FileKind::parse(data) {
        Ok(FileKind::Elf32) => parse_elf::<elf::FileHeader32<Endianness>>(data, name),
        Ok(FileKind::Elf64) => parse_elf::<elf::FileHeader64<Endianness>>(data, name),
        Ok(other) => Err(ElfError::NotElf {
            name: name.to_owned(),
            found: format!("found {}", format_name(other)),
        }),
        Err(_) => Err(ElfError::NotElf {
            name: name.to_owned(),
            found: describe_start(data),
        }),
    }
}

fn format_name(kind: FileKind) -> &'static str {
    match kind {
        FileKind::Archive => "an archive where an object was expected",
        FileKind::MachO32 | FileKind::MachO64 | FileKind::MachOFat32 | FileKind::MachOFat64 => {
            "a Mach-O file"
        }
        FileKind::Pe32 | FileKind::Pe64 => "a PE file",
        FileKind::Coff | FileKind::CoffBig | FileKind::CoffImport => "a COFF file",
        FileKind::Xcoff32 | FileKind::Xcoff64 => "an XCOFF file",
        FileKind::Wasm => "a WebAssembly module",
        _ => "another object format",
    }
}

/// A few words on what the bytes look like, for "not an ELF object" messages.
pub(crate) fn describe_start(data: &[u8]) -> String {
    if data.is_empty() {
        return "empty file".to_owned();
    }
    if data.starts_with(b"\x7fELF") {
        return format!("truncated ELF header, {} bytes", data.len());
    }
    let head: Vec<String> = data.iter().take(4).map(|b| format!("{b:02x}")).collect();
    format!("starts with bytes {}", head.join(" "))
}

fn malformed(name: &str, reason: impl Into<String>) -> ElfError {
    ElfError::MalformedElf {
        name: name.to_owned(),
        reason: reason.into(),
    }
}

fn parse_elf<Elf: FileHeader<Endian = Endianness>>(
    data: &[u8],
    name: &str,
) -> Result<ObjectShape, ElfError> {
    let header = Elf::parse(data).map_err(|e| malformed(name, e.to_string()))?;
    let endian = header
        .endian()
        .map_err(|e| malformed(name, e.to_string()))?;
    let sections = header
        .sections(endian, data)
        .map_err(|e| malformed(name, e.to_string()))?;
    let machine = header.e_machine(endian).0;
    let is_mips64 = header.is_type_64() && machine == elf::EM_MIPS.0;
    let is_mips64el = header.is_mips64el(endian);

    let section_names = section_names(&sections, endian, name)?;
    let section_shapes = sections
        .enumerate()
        .skip(1)
        .map(|(index, section)| SectionShape {
            name: section_names[index.0].clone(),
            size: section.sh_size(endian).into(),
            nobits: section.sh_type(endian) == elf::SHT_NOBITS,
        })
        .collect();

    let comdat = comdat_sections(&sections, endian, data, name)?;
    let (globals, locals) = symbols(&sections, endian, data, name, &section_names, &comdat)?;

    let mut counts: HashMap<(TypeKey, Target), u64> = HashMap::new();
    let mut symbol_tables = HashMap::new();
    for (index, section) in sections.enumerate() {
        let kind = section.sh_type(endian);
        if kind == elf::SHT_RELR {
            let relr = section
                .relr(endian, data)
                .map_err(|e| malformed(name, format!("{}: {e}", section_names[index.0])))?;
            let total = relr.map_or(0, |entries| entries.count() as u64);
            if total > 0 {
                *counts.entry((TypeKey::Relr, Target::NoSymbol)).or_default() += total;
            }
            continue;
        }
        if kind != elf::SHT_REL && kind != elf::SHT_RELA && kind != elf::SHT_CREL {
            continue;
        }
        let context = |e: object::read::Error| {
            malformed(
                name,
                format!("relocation section {}: {e}", section_names[index.0]),
            )
        };
        let link = section.link(endian);
        let symbols = match symbol_tables.entry(link.0) {
            std::collections::hash_map::Entry::Occupied(entry) => entry.into_mut(),
            std::collections::hash_map::Entry::Vacant(entry) => {
                let table = if link.0 == 0 {
                    None
                } else {
                    Some(
                        sections
                            .symbol_table_by_index(endian, data, link)
                            .map_err(context)?,
                    )
                };
                entry.insert(table)
            }
        };
        let mut count = |r_type: u32, r_sym: u32| -> Result<(), ElfError> {
            let target = match symbols.as_ref() {
                _ if r_sym == 0 => Target::NoSymbol,
                None => Target::NoSymbol,
                Some(table) => {
                    let symbol_index = object::SymbolIndex(r_sym as usize);
                    let symbol = table.symbol(symbol_index).map_err(context)?;
                    symbol_target(table, symbol, symbol_index, endian).map_err(context)?
                }
            };
            *counts.entry((TypeKey::Raw(r_type), target)).or_default() += 1;
            Ok(())
        };
        if let Some((rels, _)) = section.rel(endian, data).map_err(context)? {
            for rel in rels {
                count(rel.r_type(endian).0, rel.r_sym(endian))?;
            }
        } else if let Some((relas, _)) = section.rela(endian, data).map_err(context)? {
            for rela in relas {
                count(
                    rela.r_type(endian, is_mips64el).0,
                    rela.r_sym(endian, is_mips64el),
                )?;
            }
        } else if let Some((crels, _)) = section.crel(endian, data).map_err(context)? {
            for crel in crels {
                let crel = crel.map_err(context)?;
                count(crel.r_type.0, crel.r_sym)?;
            }
        }
    }

    let mut groups = Vec::with_capacity(counts.len());
    for ((r_type, target), count) in counts {
        groups.push(RelocationGroup {
            relocation_type: type_name(machine, is_mips64, r_type),
            target: target_name(target, &section_names),
            count,
        });
    }
    merge_equal_groups(&mut groups);

    Ok(ObjectShape {
        name: name.to_owned(),
        member: None,
        machine: machine_label(machine).into_owned(),
        e_machine: machine,
        file_type: file_type(header.e_type(endian)),
        sections: section_shapes,
        relocations: RelocationCounts::from_groups(groups),
        globals,
        locals,
    })
}

/// Two section indices can carry the same name (one `.text` per COMDAT group);
/// callers count by name, so groups that now look alike are added up.
fn merge_equal_groups(groups: &mut Vec<RelocationGroup>) {
    groups.sort();
    groups.dedup_by(|later, earlier| {
        let same =
            later.relocation_type == earlier.relocation_type && later.target == earlier.target;
        if same {
            earlier.count += later.count;
        }
        same
    });
}

fn type_name(machine: u16, is_mips64: bool, key: TypeKey) -> String {
    let TypeKey::Raw(r_type) = key else {
        return "RELR".to_owned();
    };
    let sparc = [elf::EM_SPARC.0, elf::EM_SPARC32PLUS.0, elf::EM_SPARCV9.0];
    if sparc.contains(&machine) {
        // The upper 24 bits of a SPARC type carry addend data (R_SPARC_OLO10).
        return relocation_type_name(machine, r_type & 0xff).into_owned();
    }
    if is_mips64 {
        // A MIPS64 entry packs up to three types, applied in turn.
        let parts: Vec<u32> = [r_type & 0xff, (r_type >> 8) & 0xff, (r_type >> 16) & 0xff]
            .into_iter()
            .enumerate()
            .filter(|&(i, t)| i == 0 || t != 0)
            .map(|(_, t)| t)
            .collect();
        return parts
            .iter()
            .map(|&t| relocation_type_name(machine, t))
            .collect::<Vec<_>>()
            .join("/");
    }
    relocation_type_name(machine, r_type).into_owned()
}

fn target_name(target: Target, section_names: &[String]) -> String {
    match target {
        Target::Section(index) => section_names
            .get(index)
            .cloned()
            .unwrap_or_else(|| format!("[section {index}]")),
        Target::Undefined => "*UND*".to_owned(),
        Target::Absolute => "*ABS*".to_owned(),
        Target::Common => "*COM*".to_owned(),
        Target::NoSymbol => "*NONE*".to_owned(),
    }
}

fn symbol_target<Elf: FileHeader<Endian = Endianness>>(
    table: &object::read::elf::SymbolTable<'_, Elf>,
    symbol: &Elf::Sym,
    index: object::SymbolIndex,
    endian: Endianness,
) -> object::read::Result<Target> {
    let shndx = symbol.st_shndx(endian);
    if shndx == elf::SHN_ABS {
        return Ok(Target::Absolute);
    }
    if shndx == elf::SHN_COMMON {
        return Ok(Target::Common);
    }
    Ok(match table.symbol_section(endian, symbol, index)? {
        Some(section) => Target::Section(section.0),
        None => Target::Undefined,
    })
}

fn section_names<Elf: FileHeader<Endian = Endianness>>(
    sections: &SectionTable<'_, Elf>,
    endian: Endianness,
    name: &str,
) -> Result<Vec<String>, ElfError> {
    sections
        .iter()
        .enumerate()
        .map(|(index, section)| {
            if index == 0 {
                return Ok(String::new());
            }
            sections
                .section_name(endian, section)
                .map(|bytes| String::from_utf8_lossy(bytes).into_owned())
                .map_err(|e| malformed(name, format!("name of section {index}: {e}")))
        })
        .collect()
}

fn comdat_sections<Elf: FileHeader<Endian = Endianness>>(
    sections: &SectionTable<'_, Elf>,
    endian: Endianness,
    data: &[u8],
    name: &str,
) -> Result<HashSet<usize>, ElfError> {
    let mut members = HashSet::new();
    for (index, section) in sections.enumerate() {
        let group = section
            .group(endian, data)
            .map_err(|e| malformed(name, format!("group section {}: {e}", index.0)))?;
        if let Some((flags, indices)) = group {
            if flags.0 & elf::GRP_COMDAT.0 != 0 {
                members.extend(indices.iter().map(|i| i.get(endian) as usize));
            }
        }
    }
    Ok(members)
}

type Symbols = (Vec<SymbolShape>, Vec<SymbolShape>);

/// Defined symbols, split into globals and locals. `.symtab` when there is one, as
/// `nm` does; `.dynsym` for a stripped image.
fn symbols<Elf: FileHeader<Endian = Endianness>>(
    sections: &SectionTable<'_, Elf>,
    endian: Endianness,
    data: &[u8],
    name: &str,
    section_names: &[String],
    comdat: &HashSet<usize>,
) -> Result<Symbols, ElfError> {
    let context = |e: object::read::Error| malformed(name, format!("symbol table: {e}"));
    let mut table = sections
        .symbols(endian, data, elf::SHT_SYMTAB)
        .map_err(context)?;
    if table.is_empty() {
        table = sections
            .symbols(endian, data, elf::SHT_DYNSYM)
            .map_err(context)?;
    }
    let mut globals = Vec::new();
    let mut locals = Vec::new();
    for (index, symbol) in table.enumerate().skip(1) {
        let st_type = symbol.st_type();
        if st_type == elf::STT_SECTION || st_type == elf::STT_FILE {
            continue;
        }
        let shndx = symbol.st_shndx(endian);
        let (section, section_index) = if shndx == elf::SHN_ABS {
            ("*ABS*".to_owned(), None)
        } else if shndx == elf::SHN_COMMON {
            ("*COM*".to_owned(), None)
        } else {
            match table
                .symbol_section(endian, symbol, index)
                .map_err(context)?
            {
                Some(section) => (
                    target_name(Target::Section(section.0), section_names),
                    Some(section.0),
                ),
                None => continue,
            }
        };
        let symbol_name = table
            .symbol_name(endian, symbol)
            .map_err(|e| malformed(name, format!("name of symbol {}: {e}", index.0)))?;
        let binding = match symbol.st_bind() {
            elf::STB_LOCAL => Binding::Local,
            elf::STB_GLOBAL => Binding::Global,
            elf::STB_WEAK => Binding::Weak,
            elf::STB_GNU_UNIQUE => Binding::Unique,
            _ => Binding::Other,
        };
        // ARM, AArch64 and RISC-V mapping symbols ($a, $d, $t, $x...) mark code and
        // data ranges for disassemblers; they are not symbols anyone links against.
        if binding == Binding::Local && st_type == elf::STT_NOTYPE && symbol_name.starts_with(b"$")
        {
            continue;
        }
        let shape = SymbolShape {
            name: String::from_utf8_lossy(symbol_name).into_owned(),
            binding,
            kind: symbol_kind(st_type, shndx),
            visibility: visibility(symbol.st_visibility()),
            section,
            size: symbol.st_size(endian).into(),
            comdat: section_index.is_some_and(|i| comdat.contains(&i)),
        };
        if binding == Binding::Local {
            locals.push(shape);
        } else {
            globals.push(shape);
        }
    }
    Ok((globals, locals))
}

fn symbol_kind(st_type: elf::SymbolType, shndx: elf::SymbolSection) -> SymbolKind {
    if shndx == elf::SHN_COMMON || st_type == elf::STT_COMMON {
        return SymbolKind::Common;
    }
    match st_type {
        elf::STT_NOTYPE => SymbolKind::NoType,
        elf::STT_OBJECT => SymbolKind::Object,
        elf::STT_FUNC => SymbolKind::Func,
        elf::STT_TLS => SymbolKind::Tls,
        elf::STT_GNU_IFUNC => SymbolKind::Ifunc,
        _ => SymbolKind::Other,
    }
}

fn visibility(v: elf::SymbolVisibility) -> Visibility {
    match v {
        elf::STV_INTERNAL => Visibility::Internal,
        elf::STV_HIDDEN => Visibility::Hidden,
        elf::STV_PROTECTED => Visibility::Protected,
        _ => Visibility::Default,
    }
}

fn file_type(e_type: elf::FileType) -> FileType {
    match e_type {
        elf::ET_REL => FileType::Relocatable,
        elf::ET_EXEC => FileType::Executable,
        elf::ET_DYN => FileType::Shared,
        elf::ET_CORE => FileType::Core,
        _ => FileType::Other,
    }
}
