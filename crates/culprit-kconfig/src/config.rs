//! A configuration file: an ordered map from option to value, in one of three formats.

use std::collections::HashMap;
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::error::Error;
use crate::value::Value;

/// The header Kconfig writes on a full `.config`; detection keys on it.
const DOT_CONFIG_MARK: &str = "Automatically generated file";
/// Error lines are cut to this many characters: a binary "line" can be megabytes.
const MAX_QUOTED_LINE: usize = 120;

/// How a file spells its options, and whether it lists every option.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// A full `.config` as Kconfig writes it: an option that is absent is not set.
    DotConfig,
    /// A Zephyr-style fragment or overlay (`CONFIG_X=y` lines): an option that is absent
    /// keeps its default, so absence is not "not set".
    Fragment,
    /// Plain `KEY=VALUE` lines, without the `CONFIG_` convention.
    Plain,
}

impl Format {
    /// Guesses the format from the text: a `# CONFIG_X is not set` line or Kconfig's
    /// header means a full `.config`; any assignment to a key without the `CONFIG_`
    /// prefix means a plain file; otherwise a fragment.
    pub fn detect(text: &str) -> Format {
        let mut plain = false;
        let mut dot_config = false;
        for line in text.lines().map(str::trim) {
            if let Some(comment) = line.strip_prefix('#') {
                dot_config |= comment.contains(DOT_CONFIG_MARK) || unset_option(line).is_some();
            } else if let Some((key, _)) = line.split_once('=') {
                plain |= !key.trim().starts_with("CONFIG_");
            }
        }
        if plain {
            Format::Plain
        } else if dot_config {
            Format::DotConfig
        } else {
            Format::Fragment
        }
    }

    /// Whether an absent option means "not set" (a full `.config`) rather than "default".
    pub fn is_complete(self) -> bool {
        self == Format::DotConfig
    }
}

/// Options in file order, each once; a later assignment to the same option replaces the
/// earlier value in place, as Kconfig's last-one-wins reading does.
#[derive(Debug, Clone)]
pub struct Config {
    format: Format,
    entries: Vec<(String, Value)>,
    positions: HashMap<String, usize>,
}

impl PartialEq for Config {
    fn eq(&self, other: &Config) -> bool {
        self.format == other.format && self.entries == other.entries
    }
}

impl Eq for Config {}

impl Config {
    pub fn new(format: Format) -> Config {
        Config {
            format,
            entries: Vec::new(),
            positions: HashMap::new(),
        }
    }

    /// Reads a file, detecting its format.
    pub fn read(path: &Path) -> Result<Config, Error> {
        Config::read_with(path, None)
    }

    /// Reads a file in a known format (an effective configuration is always a
    /// [`Format::DotConfig`], whatever its content looks like).
    pub fn read_as(path: &Path, format: Format) -> Result<Config, Error> {
        Config::read_with(path, Some(format))
    }

    fn read_with(path: &Path, format: Option<Format>) -> Result<Config, Error> {
        let bytes = std::fs::read(path).map_err(|source| Error::Io {
            path: path.to_owned(),
            source,
        })?;
        Config::parse(&bytes, path, format)
    }

    /// Parses file content; `origin` names the file in errors. Binary content and lines
    /// that are neither assignments nor comments are errors: a file that is not a
    /// configuration must not pass for an empty one.
    pub fn parse(bytes: &[u8], origin: &Path, format: Option<Format>) -> Result<Config, Error> {
        let text = as_text(bytes, origin)?;
        let format = format.unwrap_or_else(|| Format::detect(text));
        let mut config = Config::new(format);
        for (index, raw_line) in text.lines().enumerate() {
            let line = raw_line.trim();
            let parsed = match format {
                Format::DotConfig | Format::Fragment => parse_kconfig_line(line),
                Format::Plain => parse_plain_line(line),
            };
            match parsed {
                Ok(Some((option, value))) => config.set(option, value),
                Ok(None) => {}
                Err(reason) => {
                    return Err(Error::Syntax {
                        path: origin.to_owned(),
                        line: index + 1,
                        text: quoted_line(raw_line),
                        reason,
                    })
                }
            }
        }
        Ok(config)
    }

    pub fn format(&self) -> Format {
        self.format
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The value as written, if the option is in the file.
    pub fn get(&self, option: &str) -> Option<&Value> {
        self.positions.get(option).map(|&i| &self.entries[i].1)
    }

    /// The value the option has for the build: in a full `.config` an absent option is
    /// not set; elsewhere absence means "unspecified" and gives `None`.
    pub fn effective(&self, option: &str) -> Option<&Value> {
        match self.get(option) {
            Some(value) => Some(value),
            None if self.format.is_complete() => Some(&Value::Unset),
            None => None,
        }
    }

    /// Sets an option, keeping its place if it is already present, else appending it.
    pub fn set(&mut self, option: impl Into<String>, value: Value) {
        let option = option.into();
        match self.positions.get(&option) {
            Some(&i) => self.entries[i].1 = value,
            None => {
                self.positions.insert(option.clone(), self.entries.len());
                self.entries.push((option, value));
            }
        }
    }

    pub fn remove(&mut self, option: &str) -> Option<Value> {
        let i = self.positions.remove(option)?;
        let (_, value) = self.entries.remove(i);
        for position in self.positions.values_mut() {
            if *position > i {
                *position -= 1;
            }
        }
        Some(value)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.entries.iter().map(|(o, v)| (o.as_str(), v))
    }

    /// The file text, in this configuration's format; reading it back gives an equal
    /// configuration.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        if self.format == Format::DotConfig {
            out.push_str("#\n# ");
            out.push_str(DOT_CONFIG_MARK);
            out.push_str("; DO NOT EDIT.\n# Written by culprit.\n#\n");
        }
        for (option, value) in &self.entries {
            match (self.format, value) {
                (Format::Plain, Value::Unset) => {}
                (_, Value::Unset) => {
                    out.push_str(&format!("# {option} is not set\n"));
                }
                (Format::DotConfig | Format::Fragment, Value::Word(word)) => {
                    out.push_str(&format!("{option}={}\n", Value::Str(word.clone())));
                }
                _ => out.push_str(&format!("{option}={value}\n")),
            }
        }
        out
    }

    pub fn write(&self, path: &Path) -> Result<(), Error> {
        std::fs::write(path, self.to_text()).map_err(|source| Error::Io {
            path: path.to_owned(),
            source,
        })
    }

    /// A stable identity of what the configuration means to the build, for caching
    /// builds: sha256 over the options sorted by name with values in one canonical
    /// spelling; in a full `.config` options that are not set are left out, since absent
    /// means the same there.
    pub fn digest(&self) -> String {
        let mut lines: Vec<String> = self
            .entries
            .iter()
            .filter(|(_, value)| !(self.format.is_complete() && value.is_off()))
            .map(|(option, value)| format!("{option}={}\n", value.normalized()))
            .collect();
        lines.sort_unstable();
        let mut hasher = Sha256::new();
        for line in &lines {
            hasher.update(line.as_bytes());
        }
        hasher
            .finalize()
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect()
    }
}

fn as_text<'a>(bytes: &'a [u8], origin: &Path) -> Result<&'a str, Error> {
    let line_of = |offset: usize| bytes[..offset].iter().filter(|&&b| b == b'\n').count() + 1;
    if let Some(offset) = bytes.iter().position(|&b| b == 0) {
        return Err(Error::NotText {
            path: origin.to_owned(),
            line: line_of(offset),
            reason: "contains NUL bytes (binary data)",
        });
    }
    std::str::from_utf8(bytes).map_err(|e| Error::NotText {
        path: origin.to_owned(),
        line: line_of(e.valid_up_to()),
        reason: "not UTF-8 text",
    })
}

fn quoted_line(line: &str) -> String {
    match line.char_indices().nth(MAX_QUOTED_LINE) {
        Some((cut, _)) => format!("{}...", &line[..cut]),
        None => line.to_owned(),
    }
}

type Line = Result<Option<(String, Value)>, String>;

fn parse_kconfig_line(line: &str) -> Line {
    if line.is_empty() {
        return Ok(None);
    }
    if line.starts_with('#') {
        return Ok(unset_option(line).map(|option| (option.to_owned(), Value::Unset)));
    }
    let Some((option, raw)) = line.split_once('=') else {
        return Err("expected `CONFIG_NAME=value`, `# CONFIG_NAME is not set` or a comment".into());
    };
    if !is_kconfig_option(option) {
        return Err(format!("`{option}` is not a CONFIG_ option name"));
    }
    Value::parse_kconfig(raw).map(|value| Some((option.to_owned(), value)))
}

fn parse_plain_line(line: &str) -> Line {
    if line.is_empty() || line.starts_with('#') {
        return Ok(None);
    }
    let Some((key, raw)) = line.split_once('=') else {
        return Err("expected `KEY=VALUE` or a comment".into());
    };
    let key = key.trim();
    if !is_plain_key(key) {
        return Err(format!("`{key}` is not a key name"));
    }
    Value::parse_plain(raw.trim()).map(|value| Some((key.to_owned(), value)))
}

/// `# CONFIG_X is not set` -> `CONFIG_X`.
fn unset_option(line: &str) -> Option<&str> {
    let option = line.strip_prefix("# ")?.strip_suffix(" is not set")?;
    is_kconfig_option(option).then_some(option)
}

fn is_kconfig_option(option: &str) -> bool {
    option
        .strip_prefix("CONFIG_")
        .is_some_and(|name| !name.is_empty() && name.bytes().all(is_name_byte))
}

fn is_plain_key(key: &str) -> bool {
    let mut bytes = key.bytes();
    bytes
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(|b| is_name_byte(b) || b == b'.' || b == b'-')
}

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, Error> {
        Config::parse(text.as_bytes(), Path::new("test.config"), None)
    }

    const LINUX: &str = "#\n# Automatically generated file; DO NOT EDIT.\n# Linux/arm64 6.1.0 Kernel Configuration\n#\nCONFIG_CC_VERSION_TEXT=\"gcc (Debian 12.2.0-14) 12.2.0\"\nCONFIG_GCC_VERSION=120200\n\n#\n# General setup\n#\nCONFIG_LOCALVERSION=\"\"\n# CONFIG_LOCALVERSION_AUTO is not set\nCONFIG_SHADOW_CALL_STACK=y\nCONFIG_EXT4_FS=m\nCONFIG_PHYS_OFFSET=0x80000000\nCONFIG_NR_CPUS=256\n";

    #[test]
    fn reads_a_linux_dot_config() {
        let config = parse(LINUX).unwrap();
        assert_eq!(config.format(), Format::DotConfig);
        assert_eq!(config.len(), 8);
        assert_eq!(config.get("CONFIG_LOCALVERSION_AUTO"), Some(&Value::Unset));
        assert_eq!(config.get("CONFIG_EXT4_FS"), Some(&Value::Module));
        assert_eq!(
            config.get("CONFIG_PHYS_OFFSET"),
            Some(&Value::Hex(0x8000_0000))
        );
        assert_eq!(
            config.get("CONFIG_LOCALVERSION"),
            Some(&Value::Str(String::new()))
        );
        assert_eq!(config.effective("CONFIG_MISSING"), Some(&Value::Unset));
    }

    #[test]
    fn reads_a_zephyr_overlay() {
        let text = "# Gale SMP overlay\nCONFIG_SMP=y\nCONFIG_MP_MAX_NUM_CPUS=2\n\n# bisect step 1\nCONFIG_GALE_KERNEL_SPINLOCK_VALIDATE=n\n";
        let config = parse(text).unwrap();
        assert_eq!(config.format(), Format::Fragment);
        assert_eq!(
            config.get("CONFIG_GALE_KERNEL_SPINLOCK_VALIDATE"),
            Some(&Value::Bool(false))
        );
        assert_eq!(config.effective("CONFIG_MISSING"), None);
    }

    #[test]
    fn reads_a_plain_file() {
        let text = "# build settings\nBOARD = nucleo_g474re\nJOBS=4\nNAME=\"x y\"\n";
        let config = parse(text).unwrap();
        assert_eq!(config.format(), Format::Plain);
        assert_eq!(
            config.get("BOARD"),
            Some(&Value::Word("nucleo_g474re".into()))
        );
        assert_eq!(config.get("JOBS"), Some(&Value::Int(4)));
        assert_eq!(config.get("NAME"), Some(&Value::Str("x y".into())));
    }

    #[test]
    fn last_assignment_wins_in_place() {
        let config = parse("CONFIG_A=y\nCONFIG_B=y\nCONFIG_A=n\n").unwrap();
        let options: Vec<_> = config.iter().collect();
        assert_eq!(
            options,
            [
                ("CONFIG_A", &Value::Bool(false)),
                ("CONFIG_B", &Value::Bool(true))
            ]
        );
    }

    #[test]
    fn a_c_file_is_an_error_naming_file_line_and_text() {
        let text = "#include <stdio.h>\n\nint main(void) {\n\treturn 0;\n}\n";
        let err = parse(text).unwrap_err().to_string();
        assert_eq!(
            err,
            "test.config:3: expected `CONFIG_NAME=value`, `# CONFIG_NAME is not set` or a comment: `int main(void) {`"
        );
    }

    #[test]
    fn binary_content_is_not_a_config() {
        let err = Config::parse(
            b"CONFIG_A=y\n\x7fELF\x02\x01\x00",
            Path::new("vmlinux"),
            None,
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "vmlinux:2: not a configuration file: contains NUL bytes (binary data)"
        );
        let err = Config::parse(b"\xff\xfe", Path::new("x"), None).unwrap_err();
        assert!(matches!(err, Error::NotText { line: 1, .. }));
    }

    #[test]
    fn unquoted_string_in_a_dot_config_is_an_error() {
        let err = Config::parse(
            b"CONFIG_A=y\nCONFIG_B=hello\n",
            Path::new("bad.config"),
            Some(Format::Fragment),
        )
        .unwrap_err();
        assert!(matches!(err, Error::Syntax { line: 2, ref text, .. } if text == "CONFIG_B=hello"));
    }

    #[test]
    fn dot_config_round_trips_through_text() {
        let config = parse(LINUX).unwrap();
        let again = parse(&config.to_text()).unwrap();
        assert_eq!(again, config);
        assert_eq!(again.to_text(), config.to_text());
    }

    #[test]
    fn remove_keeps_order_of_the_rest() {
        let mut config = parse("CONFIG_A=y\nCONFIG_B=y\nCONFIG_C=y\n").unwrap();
        assert_eq!(config.remove("CONFIG_A"), Some(Value::Bool(true)));
        config.set("CONFIG_A", Value::Module);
        config.set("CONFIG_C", Value::Bool(false));
        assert_eq!(config.to_text(), "CONFIG_B=y\nCONFIG_C=n\nCONFIG_A=m\n");
    }

    #[test]
    fn digest_ignores_order_and_spelling_of_not_set() {
        let a = parse(
            "# Automatically generated file\nCONFIG_A=y\n# CONFIG_B is not set\nCONFIG_N=16\n",
        )
        .unwrap();
        let b = Config::parse(
            b"CONFIG_N=0x10\nCONFIG_A=y\n",
            Path::new("b"),
            Some(Format::DotConfig),
        )
        .unwrap();
        let c = parse("# Automatically generated file\nCONFIG_A=m\n").unwrap();
        assert_eq!(a.digest(), b.digest());
        assert_ne!(a.digest(), c.digest());
        assert_eq!(a.digest().len(), 64);
    }
}
