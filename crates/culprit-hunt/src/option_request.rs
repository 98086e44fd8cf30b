//! One-step configuration requests: `culprit run --set CONFIG_X=n --config FRAGMENT`.
//! The options are laid over the configuration the step would otherwise get (the
//! `[config] base`, or the configuration file as it is), and after the build system
//! normalized the result, each request is checked against what really applied.

use crate::error::{HuntError, Result};
use culprit_kconfig::kconfig::Unapplied;
use culprit_kconfig::{not_applied, Config, Format};
use serde::Serialize;
use std::path::Path;

/// The options asked for, in the order given (a later one wins).
#[derive(Clone, Debug)]
pub struct OptionRequest {
    options: Config,
}

/// What became of one requested option.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Applied {
    pub option: String,
    pub requested: String,
    /// The effective value (`n` when absent or not set).
    pub got: String,
    pub applied: bool,
    /// Why it did not apply, from the tree's Kconfig (`depends on X` at file:line).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub why: Vec<String>,
    /// Other assignments that would make it apply, when the evaluator found some.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub needs: Vec<String>,
}

impl OptionRequest {
    /// Reads `--config` fragments (in order) and then `--set` assignments.
    pub fn new(fragments: &[(&Path, String)], sets: &[String]) -> Result<Option<OptionRequest>> {
        if fragments.is_empty() && sets.is_empty() {
            return Ok(None);
        }
        let mut options = Config::new(Format::Fragment);
        for (path, text) in fragments {
            let fragment =
                Config::parse(text.as_bytes(), path, Some(Format::Fragment)).map_err(|err| {
                    HuntError::BadInput(format!("--config {}: {err}", path.display()))
                })?;
            for (option, value) in fragment.iter() {
                options.set(option, value.clone());
            }
        }
        for set in sets {
            let parsed = Config::parse(set.as_bytes(), Path::new("--set"), Some(Format::Fragment))
                .ok()
                .filter(|c| c.len() == 1 && set.contains('='))
                .ok_or_else(|| {
                    HuntError::BadInput(format!(
                        "--set {set}: write one option and its value, e.g. --set CONFIG_SHADOW_CALL_STACK=n"
                    ))
                })?;
            for (option, value) in parsed.iter() {
                options.set(option, value.clone());
            }
        }
        Ok(Some(OptionRequest { options }))
    }

    /// The configuration to build: `start` (a `.config` or fragment text) with the
    /// requested options laid over it.
    pub fn apply(&self, start: &str, origin: &Path) -> Result<String> {
        let mut config = Config::parse(start.as_bytes(), origin, None).map_err(|err| {
            HuntError::BadInput(format!("cannot read the configuration to change: {err}"))
        })?;
        for (option, value) in self.options.iter() {
            config.set(option, value.clone());
        }
        Ok(config.to_text())
    }

    /// Each requested option against the effective configuration after normalizing.
    pub fn check(&self, effective: &str) -> Vec<Applied> {
        let effective = Config::parse(effective.as_bytes(), Path::new("effective"), None)
            .unwrap_or_else(|_| Config::new(Format::DotConfig));
        let missed = not_applied(&self.options, &effective);
        self.options
            .iter()
            .map(|(option, value)| {
                let miss = missed.iter().find(|m| m.option == option);
                Applied {
                    option: option.to_string(),
                    requested: value.to_string(),
                    got: match miss {
                        Some(miss) => miss.got.as_ref().map_or("n".into(), |g| g.to_string()),
                        None => value.to_string(),
                    },
                    applied: miss.is_none(),
                    why: Vec::new(),
                    needs: Vec::new(),
                }
            })
            .collect()
    }

    /// Adds the Kconfig evaluator's reasons to the requests that did not apply.
    pub fn explain(applied: &mut [Applied], unapplied: &[Unapplied]) {
        for request in applied.iter_mut().filter(|a| !a.applied) {
            if let Some(u) = unapplied.iter().find(|u| u.option == request.option) {
                request.why = u.reasons.iter().map(|r| r.message.clone()).collect();
                request.needs = u.needs.clone();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOT_CONFIG: &str = "#\n# Automatically generated file; DO NOT EDIT.\n# Linux/x86_64 6.1.0 Kernel Configuration\n#\nCONFIG_BINFMT_ELF=y\nCONFIG_PRINTK=y\n# CONFIG_SMP is not set\n";

    #[test]
    fn sets_lay_over_the_start_and_later_ones_win() {
        let fragment = (
            Path::new("off.config"),
            "CONFIG_PRINTK=n\nCONFIG_SMP=y\n".to_string(),
        );
        let request = OptionRequest::new(
            &[(fragment.0, fragment.1)],
            &["CONFIG_BINFMT_ELF=n".into(), "CONFIG_SMP=n".into()],
        )
        .unwrap()
        .unwrap();
        let text = request.apply(DOT_CONFIG, Path::new(".config")).unwrap();
        let config = Config::parse(text.as_bytes(), Path::new("x"), None).unwrap();
        assert!(
            config
                .effective("CONFIG_BINFMT_ELF")
                .is_none_or(|v| v.is_off()),
            "{text}"
        );
        assert!(
            config.effective("CONFIG_PRINTK").is_none_or(|v| v.is_off()),
            "{text}"
        );
        assert!(
            config.effective("CONFIG_SMP").is_none_or(|v| v.is_off()),
            "the --set after the fragment wins: {text}"
        );
    }

    #[test]
    fn the_check_says_which_requests_survived_normalization() {
        let request =
            OptionRequest::new(&[], &["CONFIG_BINFMT_ELF=n".into(), "CONFIG_SMP=y".into()])
                .unwrap()
                .unwrap();
        let applied = request.check("CONFIG_PRINTK=y\n# CONFIG_SMP is not set\n");
        assert_eq!(
            applied,
            [
                Applied {
                    option: "CONFIG_BINFMT_ELF".into(),
                    requested: "n".into(),
                    got: "n".into(),
                    applied: true,
                    why: Vec::new(),
                    needs: Vec::new(),
                },
                Applied {
                    option: "CONFIG_SMP".into(),
                    requested: "y".into(),
                    got: "n".into(),
                    applied: false,
                    why: Vec::new(),
                    needs: Vec::new(),
                },
            ]
        );
    }

    #[test]
    fn a_set_without_a_value_is_bad_input() {
        for bad in ["CONFIG_X", "", "CONFIG_A=y\nCONFIG_B=y"] {
            let err = OptionRequest::new(&[], &[bad.to_string()]).unwrap_err();
            assert!(
                err.to_string().contains("write one option and its value"),
                "{bad}: {err}"
            );
        }
        assert!(OptionRequest::new(&[], &[]).unwrap().is_none());
    }
}
