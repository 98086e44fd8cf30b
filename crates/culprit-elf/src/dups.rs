//! Global definitions that more than one object provides: what a static link of those
//! objects reports as `multiple definition of`.

use crate::shape::{Binding, FileType, ObjectShape, SymbolKind};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Duplicate {
    pub symbol: String,
    /// In the order the objects were given.
    pub definitions: Vec<Definition>,
}

impl Duplicate {
    /// The objects that define the symbol, in the order they were given: what a shape
    /// check's title and a reader both name.
    pub fn objects(&self) -> Vec<&str> {
        self.definitions.iter().map(|d| d.object.as_str()).collect()
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Definition {
    pub object: String,
    pub section: String,
}

/// Strong global definitions found in more than one of `objects`, sorted by symbol.
///
/// Left out, because the linker accepts them: weak and unique symbols, common symbols,
/// undefined references, definitions in COMDAT groups, and everything in linked images
/// and shared objects (only relocatable objects are linked statically). Absolute
/// symbols are kept: two `sym = 0x10` definitions collide like any other.
pub fn find_duplicates<'a>(objects: impl IntoIterator<Item = &'a ObjectShape>) -> Vec<Duplicate> {
    let mut by_symbol: BTreeMap<&str, Vec<Definition>> = BTreeMap::new();
    for object in objects {
        if object.file_type != FileType::Relocatable {
            continue;
        }
        for symbol in &object.globals {
            if symbol.binding != Binding::Global
                || symbol.kind == SymbolKind::Common
                || symbol.comdat
            {
                continue;
            }
            by_symbol.entry(&symbol.name).or_default().push(Definition {
                object: object.name.clone(),
                section: symbol.section.clone(),
            });
        }
    }
    by_symbol
        .into_iter()
        .filter(|(_, definitions)| definitions.len() > 1)
        .map(|(symbol, definitions)| Duplicate {
            symbol: symbol.to_owned(),
            definitions,
        })
        .collect()
}
