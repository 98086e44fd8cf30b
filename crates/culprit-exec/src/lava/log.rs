//! A LAVA job log as the server streams it: one YAML flow mapping a line,
//! `- {"dt": "…", "lvl": "target", "msg": "…"}`. `target` lines are the device's serial
//! console; the `job` result (`lvl: results`, `case: job`) tells why a job failed.
//!
//! Pure: the engine feeds it the text it fetched.

/// What one log line says that culprit uses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Entry {
    /// A line of the serial console, without its newline.
    Console(String),
    /// The job's own verdict: its `error_type` (`Infrastructure`, `Job`, `Test`, …) and
    /// message, when it failed.
    JobResult {
        pass: bool,
        error_type: Option<String>,
        error_msg: Option<String>,
    },
    /// LAVA's own errors and exceptions, kept for the message of a lost job.
    Error(String),
    Other,
}

/// Reads one line of the log.
pub fn entry(line: &str) -> Entry {
    let Some(body) = line.trim_end().strip_prefix("- ") else {
        return Entry::Other;
    };
    let level = quoted_after(body, "\"lvl\": ").unwrap_or_default();
    match level.as_str() {
        "target" => match quoted_after(body, "\"msg\": ") {
            Some(msg) => Entry::Console(msg),
            None => Entry::Other,
        },
        "error" | "exception" => Entry::Error(quoted_after(body, "\"msg\": ").unwrap_or_default()),
        "results" => job_result(body),
        _ => Entry::Other,
    }
}

/// The `job` case of the `lava` suite: written once, at the job's end.
fn job_result(body: &str) -> Entry {
    let Ok(doc) = serde_json::from_str::<serde_json::Value>(body) else {
        return Entry::Other;
    };
    let msg = &doc["msg"];
    if msg["case"] != "job" || msg["definition"] != "lava" {
        return Entry::Other;
    }
    let text = |key: &str| msg[key].as_str().map(str::to_string);
    Entry::JobResult {
        pass: msg["result"] == "pass",
        error_type: text("error_type"),
        error_msg: text("error_msg"),
    }
}

/// The double-quoted YAML string right after `key` in `body`, decoded.
fn quoted_after(body: &str, key: &str) -> Option<String> {
    let start = body.find(key)? + key.len();
    decode_quoted(&body[start..])
}

/// Decodes a YAML double-quoted scalar at the start of `text` (YAML escapes are a
/// superset of JSON's: `\e`, `\xHH`, `\UHHHHHHHH`, `\N`, …, which consoles print).
fn decode_quoted(text: &str) -> Option<String> {
    let mut chars = text.strip_prefix('"')?.chars();
    let mut out = String::new();
    loop {
        match chars.next()? {
            '"' => return Some(out),
            '\\' => {
                let escaped = chars.next()?;
                let hex = |chars: &mut std::str::Chars<'_>, n: usize| {
                    let digits: String = chars.take(n).collect();
                    u32::from_str_radix(&digits, 16)
                        .ok()
                        .and_then(char::from_u32)
                };
                let decoded = match escaped {
                    'x' => hex(&mut chars, 2)?,
                    'u' => hex(&mut chars, 4)?,
                    'U' => hex(&mut chars, 8)?,
                    other => simple_escape(other)?,
                };
                out.push(decoded);
            }
            other => out.push(other),
        }
    }
}

/// The one-letter escapes of YAML 1.1's double-quoted style.
fn simple_escape(letter: char) -> Option<char> {
    Some(match letter {
        '0' => '\0',
        'a' => '\x07',
        'b' => '\x08',
        't' | '\t' => '\t',
        'n' => '\n',
        'v' => '\x0b',
        'f' => '\x0c',
        'r' => '\r',
        'e' => '\x1b',
        ' ' => ' ',
        '"' => '"',
        '/' => '/',
        '\\' => '\\',
        'N' => '\u{85}',
        '_' => '\u{a0}',
        'L' => '\u{2028}',
        'P' => '\u{2029}',
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn console_lines_are_decoded_with_yaml_escapes() {
        let line = r#"- {"dt": "2026-12-07T03:14:41.858230", "lvl": "target", "msg": "\ec[?7l \"SeaBIOS\" \x41\u00e9"}"#;
        assert_eq!(
            entry(line),
            Entry::Console("\x1bc[?7l \"SeaBIOS\" Aé".into())
        );
    }

    #[test]
    fn the_job_result_carries_the_error_type() {
        let line = r#"- {"dt": "2026-12-07T03:14:42.188399", "lvl": "results", "msg": {"case": "job", "definition": "lava", "error_msg": "Connection closed", "error_type": "Infrastructure", "result": "fail"}}"#;
        assert_eq!(
            entry(line),
            Entry::JobResult {
                pass: false,
                error_type: Some("Infrastructure".into()),
                error_msg: Some("Connection closed".into()),
            }
        );
    }

    #[test]
    fn other_results_and_levels_are_not_console() {
        let download = r#"- {"dt": "x", "lvl": "results", "msg": {"case": "http-download", "definition": "lava", "extra": {"size": ! "25380"}, "result": "pass"}}"#;
        assert_eq!(entry(download), Entry::Other);
        let info = r#"- {"dt": "x", "lvl": "info", "msg": "start: 0 validate"}"#;
        assert_eq!(entry(info), Entry::Other);
        assert_eq!(
            entry(r#"- {"dt": "x", "lvl": "error", "msg": "boot failed"}"#),
            Entry::Error("boot failed".into())
        );
        assert_eq!(entry("not a log line"), Entry::Other);
    }

    #[test]
    fn a_cut_or_broken_string_is_not_console() {
        assert_eq!(
            entry(r#"- {"dt": "x", "lvl": "target", "msg": "no end"#),
            Entry::Other
        );
        assert_eq!(
            entry(r#"- {"dt": "x", "lvl": "target", "msg": "bad \q escape"}"#),
            Entry::Other
        );
    }
}
