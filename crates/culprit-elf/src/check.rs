//! Shape checks: limits on build artifacts that a step evaluates after the build, so
//! that a hunt can target "`.data` of mutex.o is too big" like any other failure.
//!
//! In `culprit.toml` each check is a `[[shape]]` table:
//!
//! ```toml
//! [[shape]]
//! files = ["build/mutex.o"]          # relative to the tree; *, ? and ** allowed
//! section = ".data"
//! max_size = 4096                    # and/or min_size
//!
//! [[shape]]
//! files = ["build/*.o"]
//! relocation = "R_ARM_MOVW_ABS_NC"
//! target = ".data"                   # optional: only relocations against .data
//! max_count = 0                      # and/or min_count
//!
//! [[shape]]
//! files = ["build/*.o"]
//! no_duplicate_globals = true
//! ```

use crate::dups::find_duplicates;
use crate::error::ElfError;
use crate::glob::{expand, pattern_problem};
use crate::input::{read_file, FileShape};
use crate::names::is_relocation_type_name;
use crate::shape::ObjectShape;
use culprit_console::{Signature, SignatureKind};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// One `[[shape]]` table, validated: exactly one rule, with the limits that rule takes.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(try_from = "RawShapeCheck", into = "RawShapeCheck")]
pub struct ShapeCheck {
    /// Patterns relative to the tree.
    pub files: Vec<String>,
    pub rule: ShapeRule,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ShapeRule {
    /// Size of the named section in each object (0 when it has none).
    SectionSize {
        section: String,
        min_size: Option<u64>,
        max_size: Option<u64>,
    },
    /// Relocations of one type in each object, optionally only against one section.
    RelocationCount {
        relocation: String,
        target: Option<String>,
        min_count: Option<u64>,
        max_count: Option<u64>,
    },
    /// No strong global is defined by two of the matched objects.
    NoDuplicateGlobals,
}

/// The table as written; turned into a [`ShapeCheck`] only if it makes sense.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct RawShapeCheck {
    files: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    section: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    min_size: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    max_size: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    relocation: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    target: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    min_count: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    max_count: Option<u64>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    no_duplicate_globals: bool,
}

impl TryFrom<RawShapeCheck> for ShapeCheck {
    type Error = String;

    fn try_from(raw: RawShapeCheck) -> Result<Self, String> {
        if raw.files.is_empty() {
            return Err("`files` lists no pattern".to_owned());
        }
        if let Some((pattern, problem)) = raw
            .files
            .iter()
            .find_map(|p| pattern_problem(p).map(|problem| (p, problem)))
        {
            return Err(format!("`{pattern}`: {problem}"));
        }
        let rules = [
            raw.section.is_some(),
            raw.relocation.is_some(),
            raw.no_duplicate_globals,
        ];
        if rules.iter().filter(|&&set| set).count() != 1 {
            return Err(
                "a shape check needs exactly one of `section`, `relocation` or \
                 `no_duplicate_globals = true`"
                    .to_owned(),
            );
        }
        let size_limits = raw.min_size.is_some() || raw.max_size.is_some();
        let count_limits = raw.min_count.is_some() || raw.max_count.is_some();
        let rule = if let Some(section) = raw.section {
            let others = count_limits || raw.target.is_some();
            own_limits(
                &format!("section = \"{section}\""),
                others.then_some("`section` takes `min_size`/`max_size`, not counts or `target`"),
                (raw.min_size, raw.max_size),
                "size",
            )?;
            ShapeRule::SectionSize {
                section,
                min_size: raw.min_size,
                max_size: raw.max_size,
            }
        } else if let Some(relocation) = raw.relocation {
            own_limits(
                &format!("relocation = \"{relocation}\""),
                size_limits.then_some("`relocation` takes `min_count`/`max_count`, not sizes"),
                (raw.min_count, raw.max_count),
                "count",
            )?;
            ShapeRule::RelocationCount {
                relocation,
                target: raw.target,
                min_count: raw.min_count,
                max_count: raw.max_count,
            }
        } else {
            if size_limits || count_limits || raw.target.is_some() {
                return Err("`no_duplicate_globals` takes no limits".into());
            }
            ShapeRule::NoDuplicateGlobals
        };
        Ok(ShapeCheck {
            files: raw.files,
            rule,
        })
    }
}

/// Checks the limits of the check `key = "value"` (given as `setting`): `refusal` when
/// it was given the other kind's, then at least one of its own `min_`/`max_` `what`, in
/// order.
fn own_limits(
    setting: &str,
    refusal: Option<&str>,
    (min, max): (Option<u64>, Option<u64>),
    what: &str,
) -> Result<(), String> {
    if let Some(refusal) = refusal {
        return Err(refusal.into());
    }
    if min.is_none() && max.is_none() {
        return Err(format!("`{setting}` needs `max_{what}` or `min_{what}`"));
    }
    check_order(min, max, what)
}

fn check_order(min: Option<u64>, max: Option<u64>, what: &str) -> Result<(), String> {
    match (min, max) {
        (Some(min), Some(max)) if min > max => {
            Err(format!("`min_{what}` {min} is above `max_{what}` {max}"))
        }
        _ => Ok(()),
    }
}

impl From<ShapeCheck> for RawShapeCheck {
    fn from(check: ShapeCheck) -> Self {
        let files = check.files;
        match check.rule {
            ShapeRule::SectionSize {
                section,
                min_size,
                max_size,
            } => RawShapeCheck {
                files,
                section: Some(section),
                min_size,
                max_size,
                ..RawShapeCheck::default()
            },
            ShapeRule::RelocationCount {
                relocation,
                target,
                min_count,
                max_count,
            } => RawShapeCheck {
                files,
                relocation: Some(relocation),
                target,
                min_count,
                max_count,
                ..RawShapeCheck::default()
            },
            ShapeRule::NoDuplicateGlobals => RawShapeCheck {
                files,
                no_duplicate_globals: true,
                ..RawShapeCheck::default()
            },
        }
    }
}

/// One broken limit. The signature's title is stable across builds: it names the
/// file (relative to the tree), the section or relocation and the limit, but not the
/// measured value, so that every bad build of a hunt shows the same signature even
/// when `.data` is 65548 bytes in one and 65552 in the next. The measured value is in
/// `detail`, for people.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ShapeViolation {
    /// Index of the check in the list given to [`evaluate`].
    pub check: usize,
    pub signature: Signature,
    pub detail: String,
}

/// Evaluate `checks` on the build artifacts under `tree`, in order. A pattern that
/// matches no file is a violation (the artifact the check is about was not built); a
/// file that cannot be read or parsed, or a relocation name that none of the matched
/// objects' machines has, is an error.
pub fn evaluate(checks: &[ShapeCheck], tree: &Path) -> Result<Vec<ShapeViolation>, ElfError> {
    let mut cache: HashMap<String, FileShape> = HashMap::new();
    let mut violations = Vec::new();
    for (index, check) in checks.iter().enumerate() {
        let mut violate = |title: String, detail: String| {
            violations.push(ShapeViolation {
                check: index,
                signature: Signature::new(SignatureKind::Shape, format!("shape: {title}")),
                detail,
            })
        };
        let mut paths = Vec::new();
        for pattern in &check.files {
            if let Some(problem) = pattern_problem(pattern) {
                return Err(check_error(check, problem));
            }
            let matched = expand(tree, pattern)?;
            if matched.is_empty() {
                violate(
                    format!("no file matches {pattern}"),
                    format!("no file under the tree matches {pattern}"),
                );
            }
            for path in matched {
                if !paths.contains(&path) {
                    paths.push(path);
                }
            }
        }
        for path in &paths {
            if !cache.contains_key(path) {
                let shape = read_file(&tree.join(path), path)?;
                cache.insert(path.clone(), shape);
            }
        }
        let objects: Vec<&ObjectShape> = paths
            .iter()
            .filter_map(|p| cache.get(p))
            .flat_map(|f| &f.objects)
            .collect();
        match &check.rule {
            ShapeRule::SectionSize {
                section,
                min_size,
                max_size,
            } => {
                for object in &objects {
                    let size = object.section_size(section);
                    if let Some(max) = max_size.filter(|&max| size > max) {
                        violate(
                            format!("{section} of {} > {max}", object.name),
                            format!(
                                "{section} of {} is {size} bytes, max_size is {max}",
                                object.name
                            ),
                        );
                    }
                    if let Some(min) = min_size.filter(|&min| size < min) {
                        violate(
                            format!("{section} of {} < {min}", object.name),
                            format!(
                                "{section} of {} is {size} bytes, min_size is {min}",
                                object.name
                            ),
                        );
                    }
                }
            }
            ShapeRule::RelocationCount {
                relocation,
                target,
                min_count,
                max_count,
            } => {
                let machines: BTreeMap<u16, &str> = objects
                    .iter()
                    .map(|o| (o.e_machine, o.machine.as_str()))
                    .collect();
                if !machines.is_empty()
                    && !machines
                        .keys()
                        .any(|&m| is_relocation_type_name(m, relocation))
                {
                    let names: Vec<&str> = machines.values().copied().collect();
                    return Err(check_error(
                        check,
                        &format!(
                            "{relocation} is not a relocation type of {}",
                            names.join(" or ")
                        ),
                    ));
                }
                let against = target
                    .as_ref()
                    .map(|t| format!(" against {t}"))
                    .unwrap_or_default();
                for object in &objects {
                    let count = object.relocations.count(relocation, target.as_deref());
                    let what = format!("{relocation} relocations{against} in {}", object.name);
                    if let Some(max) = max_count.filter(|&max| count > max) {
                        violate(
                            format!("{what} > {max}"),
                            format!("{count} {what}, max_count is {max}"),
                        );
                    }
                    if let Some(min) = min_count.filter(|&min| count < min) {
                        violate(
                            format!("{what} < {min}"),
                            format!("{count} {what}, min_count is {min}"),
                        );
                    }
                }
            }
            ShapeRule::NoDuplicateGlobals => {
                for duplicate in find_duplicates(objects.iter().copied()) {
                    let places: Vec<String> = duplicate
                        .definitions
                        .iter()
                        .map(|d| format!("{} ({})", d.object, d.section))
                        .collect();
                    violate(
                        format!(
                            "{} defined in {}",
                            duplicate.symbol,
                            and_list(&duplicate.objects())
                        ),
                        format!(
                            "multiple definition of {}: {}",
                            duplicate.symbol,
                            places.join(", ")
                        ),
                    );
                }
            }
        }
    }
    Ok(violations)
}

fn check_error(check: &ShapeCheck, reason: &str) -> ElfError {
    ElfError::Check {
        files: check.files.join(", "),
        reason: reason.to_owned(),
    }
}

/// `a`, `a and b`, `a, b and c`.
fn and_list(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Vec<ShapeCheck>, toml::de::Error> {
        #[derive(Deserialize)]
        struct Config {
            shape: Vec<ShapeCheck>,
        }
        toml::from_str::<Config>(text).map(|c| c.shape)
    }

    #[test]
    fn unknown_keys_are_errors() {
        let err =
            parse("[[shape]]\nfiles = [\"a.o\"]\nsection = \".data\"\nmax_sise = 4\n").unwrap_err();
        assert!(err.to_string().contains("max_sise"), "{err}");
    }

    #[test]
    fn nonsense_combinations_are_errors() {
        for (text, expected) in [
            ("files = [\"a.o\"]\nsection = \".data\"", "needs `max_size`"),
            ("files = [\"a.o\"]\nrelocation = \"R_ARM_ABS32\"", "needs `max_count`"),
            ("files = []\nno_duplicate_globals = true", "no pattern"),
            ("files = [\"a.o\"]", "exactly one"),
            (
                "files = [\"a.o\"]\nsection = \".data\"\nrelocation = \"R_ARM_ABS32\"\nmax_size = 1",
                "exactly one",
            ),
            ("files = [\"a.o\"]\nsection = \".data\"\nmax_count = 1", "not counts"),
            ("files = [\"a.o\"]\nsection = \".data\"\nmin_size = 9\nmax_size = 1", "above"),
            ("files = [\"/abs/a.o\"]\nno_duplicate_globals = true", "relative"),
            ("files = [\"../a.o\"]\nno_duplicate_globals = true", "inside the tree"),
            ("files = [\"a.o\"]\nno_duplicate_globals = true\nmax_count = 1", "no limits"),
        ] {
            let err = parse(&format!("[[shape]]\n{text}\n")).unwrap_err();
            assert!(err.to_string().contains(expected), "{text}: {err}");
        }
    }

    #[test]
    fn round_trips_through_toml() {
        let checks =
            parse("[[shape]]\nfiles = [\"a.o\"]\nrelocation = \"R_ARM_ABS32\"\nmin_count = 1\n")
                .unwrap();
        #[derive(Serialize)]
        struct Config<'a> {
            shape: &'a [ShapeCheck],
        }
        let text = toml::to_string(&Config { shape: &checks }).unwrap();
        assert_eq!(parse(&text).unwrap(), checks);
        assert!(!text.contains("no_duplicate_globals"), "{text}");
    }

    #[test]
    fn lists_read_like_prose() {
        assert_eq!(and_list(&["a.o"]), "a.o");
        assert_eq!(and_list(&["a.o", "b.o"]), "a.o and b.o");
        assert_eq!(and_list(&["a.o", "b.o", "c.o"]), "a.o, b.o and c.o");
    }
}
