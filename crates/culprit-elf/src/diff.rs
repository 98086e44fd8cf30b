//! What changed in the shape between two builds of the same object or archive.

use crate::input::{FileShape, InputKind};
use crate::normalize::normalize_name;
use crate::shape::ObjectShape;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ShapeDiff {
    pub old: String,
    pub new: String,
    /// Only objects with at least one change.
    pub objects: Vec<ObjectDiff>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ObjectDiff {
    /// The member name for archives, the file name for a single object.
    pub name: String,
    pub change: ObjectChange,
    pub sections: Vec<Change>,
    pub relocation_types: Vec<Change>,
    pub relocation_targets: Vec<Change>,
    /// Sizes of all defined symbols, local and global.
    pub symbols: Vec<Change>,
    /// Symbols that started or stopped being exported (the value is the size).
    pub globals: Vec<Change>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ObjectChange {
    Changed,
    Appeared,
    Vanished,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Change {
    pub name: String,
    pub old: Option<u64>,
    pub new: Option<u64>,
    pub change: ChangeKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    Grew,
    Shrank,
    Appeared,
    Vanished,
}

impl ShapeDiff {
    pub fn is_empty(&self) -> bool {
        self.objects.is_empty()
    }
}

/// Compare two files. Two single objects are compared with each other whatever their
/// names; archive members are matched by member name (the second `foo.o` in an archive
/// with the second one in the other). Names are normalized (`foo.constprop.3` ->
/// `foo.constprop`) so that renumbered compiler copies do not show as changes.
pub fn diff_files(old: &FileShape, new: &FileShape) -> ShapeDiff {
    let single = old.kind == InputKind::Object && new.kind == InputKind::Object;
    let old_objects = keyed(old, single);
    let new_objects = keyed(new, single);
    let mut objects = Vec::new();
    for (key, old_object) in &old_objects {
        match new_objects.get(key) {
            Some(new_object) => {
                let diff = diff_objects(old_object, new_object, single);
                if !diff.is_unchanged() {
                    objects.push(diff);
                }
            }
            None => objects.push(whole_object(old_object, ObjectChange::Vanished)),
        }
    }
    for (key, new_object) in &new_objects {
        if !old_objects.contains_key(key) {
            objects.push(whole_object(new_object, ObjectChange::Appeared));
        }
    }
    ShapeDiff {
        old: old.path.clone(),
        new: new.path.clone(),
        objects,
    }
}

fn keyed(file: &FileShape, single: bool) -> BTreeMap<String, &ObjectShape> {
    let mut map = BTreeMap::new();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for object in &file.objects {
        let base = if single {
            String::new()
        } else {
            object.member.clone().unwrap_or_else(|| object.name.clone())
        };
        let n = seen.entry(base.clone()).or_default();
        *n += 1;
        let key = if *n == 1 { base } else { format!("{base}#{n}") };
        map.insert(key, object);
    }
    map
}

fn display_name(object: &ObjectShape, single: bool) -> String {
    match (&object.member, single) {
        (Some(member), false) => member.clone(),
        _ => object.name.clone(),
    }
}

fn whole_object(object: &ObjectShape, change: ObjectChange) -> ObjectDiff {
    ObjectDiff {
        name: display_name(object, false),
        change,
        sections: Vec::new(),
        relocation_types: Vec::new(),
        relocation_targets: Vec::new(),
        symbols: Vec::new(),
        globals: Vec::new(),
    }
}

impl ObjectDiff {
    fn is_unchanged(&self) -> bool {
        self.change == ObjectChange::Changed
            && self.sections.is_empty()
            && self.relocation_types.is_empty()
            && self.relocation_targets.is_empty()
            && self.symbols.is_empty()
            && self.globals.is_empty()
    }
}

fn diff_objects(old: &ObjectShape, new: &ObjectShape, single: bool) -> ObjectDiff {
    let sections = |o: &ObjectShape| totals(o.sections.iter().map(|s| (s.name.as_str(), s.size)));
    let counted = |counts: &BTreeMap<String, u64>| {
        totals(counts.iter().map(|(name, count)| (name.as_str(), *count)))
    };
    let types = |o: &ObjectShape| counted(&o.relocations.by_type);
    let targets = |o: &ObjectShape| counted(&o.relocations.by_target);
    let symbols = |o: &ObjectShape| {
        totals(
            o.globals
                .iter()
                .chain(&o.locals)
                .map(|s| (s.name.as_str(), s.size)),
        )
    };
    let globals = |o: &ObjectShape| totals(o.globals.iter().map(|s| (s.name.as_str(), s.size)));
    ObjectDiff {
        name: display_name(new, single),
        change: ObjectChange::Changed,
        sections: changes(&sections(old), &sections(new), true),
        relocation_types: changes(&types(old), &types(new), true),
        relocation_targets: changes(&targets(old), &targets(new), true),
        symbols: changes(&symbols(old), &symbols(new), true),
        globals: changes(&globals(old), &globals(new), false),
    }
}

/// Values added up per normalized name. Sizes come from the file and a `.bss` or a
/// symbol can claim any size, so the sum saturates instead of overflowing.
fn totals<'a>(items: impl Iterator<Item = (&'a str, u64)>) -> BTreeMap<String, u64> {
    let mut map: BTreeMap<String, u64> = BTreeMap::new();
    for (name, value) in items {
        let total = map.entry(normalize_name(name).into_owned()).or_default();
        *total = total.saturating_add(value);
    }
    map
}

/// Entries that appeared, vanished or (when `sizes` is set) changed value.
fn changes(old: &BTreeMap<String, u64>, new: &BTreeMap<String, u64>, sizes: bool) -> Vec<Change> {
    let mut out = Vec::new();
    for (name, &before) in old {
        match new.get(name) {
            None => out.push(Change {
                name: name.clone(),
                old: Some(before),
                new: None,
                change: ChangeKind::Vanished,
            }),
            Some(&after) if sizes && after != before => out.push(Change {
                name: name.clone(),
                old: Some(before),
                new: Some(after),
                change: if after > before {
                    ChangeKind::Grew
                } else {
                    ChangeKind::Shrank
                },
            }),
            Some(_) => {}
        }
    }
    for (name, &after) in new {
        if !old.contains_key(name) {
            out.push(Change {
                name: name.clone(),
                old: None,
                new: Some(after),
                change: ChangeKind::Appeared,
            });
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(items: &[(&str, u64)]) -> BTreeMap<String, u64> {
        items.iter().map(|(k, v)| (k.to_string(), *v)).collect()
    }

    #[test]
    fn reports_growth_shrinkage_and_presence() {
        let old = map(&[(".data", 4), (".text", 100), (".gone", 1)]);
        let new = map(&[(".data", 65548), (".text", 90), (".bss", 65536)]);
        let found = changes(&old, &new, true);
        let kinds: Vec<(&str, ChangeKind)> =
            found.iter().map(|c| (c.name.as_str(), c.change)).collect();
        assert_eq!(
            kinds,
            vec![
                (".bss", ChangeKind::Appeared),
                (".data", ChangeKind::Grew),
                (".gone", ChangeKind::Vanished),
                (".text", ChangeKind::Shrank),
            ]
        );
    }

    #[test]
    fn sizes_claimed_by_a_hostile_file_saturate() {
        let huge = totals([(".bss", u64::MAX), (".bss", 8)].into_iter());
        assert_eq!(huge[".bss"], u64::MAX);
    }

    #[test]
    fn renumbered_copies_are_the_same_symbol() {
        let old = totals([("foo.constprop.0", 10u64), ("bar.12", 4)].into_iter());
        let new = totals([("foo.constprop.3", 10u64), ("bar.40", 4)].into_iter());
        assert!(changes(&old, &new, true).is_empty());
    }
}
