//! The job template: a LAVA job definition (YAML) with culprit's placeholders, rendered
//! per boot. Pure text work, so that a template the lab could not use is refused before
//! any step, with the placeholder named.

use std::collections::BTreeMap;

/// The placeholders besides `{url:NAME}`.
const PLAIN: &[&str] = &["command_line", "timeout", "device_type", "test"];

/// A template whose placeholders were checked against the artifacts.
#[derive(Clone, Debug)]
pub struct Template {
    text: String,
}

/// What one boot fills in.
pub struct Values<'a> {
    /// Each artifact's URL, by its name in `[executor] artifacts`.
    pub urls: &'a BTreeMap<String, String>,
    pub command_line: &'a str,
    pub timeout_s: u64,
    pub device_type: &'a str,
    pub test: &'a str,
    /// The `job_name` culprit gives the job (it finds leftovers by it).
    pub job_name: &'a str,
}

impl Template {
    /// Checks `text` (read from `path`) against the artifact names: every artifact has
    /// its `{url:NAME}`, every `{url:NAME}` an artifact.
    pub fn parse(text: String, artifacts: &[&str], path: &str) -> Result<Template, String> {
        let used = url_names(&text);
        if used.is_empty() {
            return Err(format!(
                "the job template {path} has no artifact placeholder: write `{{url:NAME}}` where the job fetches each of [executor] artifacts ({}), e.g. `url: {{url:{}}}`",
                artifacts.join(", "),
                artifacts.first().copied().unwrap_or("kernel")
            ));
        }
        if let Some(unknown) = used.iter().find(|name| !artifacts.contains(&name.as_str())) {
            return Err(format!(
                "the job template {path} uses `{{url:{unknown}}}`, which is not one of [executor] artifacts ({}); add it there or fix the name",
                artifacts.join(", ")
            ));
        }
        if let Some(unused) = artifacts
            .iter()
            .find(|name| !used.iter().any(|u| u == *name))
        {
            return Err(format!(
                "the job template {path} never uses the artifact `{unused}`: write `{{url:{unused}}}` where the job fetches it, or drop it from [executor] artifacts"
            ));
        }
        Ok(Template { text })
    }

    /// The job definition for one boot. `job_name` replaces the template's own, so
    /// that culprit can find its jobs again.
    pub fn render(&self, values: &Values<'_>) -> String {
        let mut text = self.text.clone();
        for (name, url) in values.urls {
            text = text.replace(&format!("{{url:{name}}}"), url);
        }
        let command_line = values.command_line.replace("{test}", values.test);
        let timeout = values.timeout_s.to_string();
        let plain = [
            command_line.as_str(),
            &timeout,
            values.device_type,
            values.test,
        ];
        for (name, value) in PLAIN.iter().zip(plain) {
            text = text.replace(&format!("{{{name}}}"), value);
        }
        let mut lines: Vec<String> = text
            .lines()
            .filter(|line| !line.starts_with("job_name:"))
            .map(str::to_string)
            .collect();
        lines.insert(0, format!("job_name: {}", values.job_name));
        lines.join("\n") + "\n"
    }
}

/// The names in the `{url:NAME}` placeholders of `text`, in order.
fn url_names(text: &str) -> Vec<String> {
    text.match_indices("{url:")
        .filter_map(|(at, open)| {
            let rest = &text[at + open.len()..];
            rest.find('}').map(|end| rest[..end].to_string())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "device_type: {device_type}\njob_name: mine\ntimeouts:\n  job: {seconds: {timeout}}\ncontext:\n  extra_options: ['-append {command_line}']\nactions:\n- deploy:\n    images:\n      kernel:\n        url: {url:kernel}\n";

    #[test]
    fn a_boot_fills_every_placeholder_and_takes_culprit_s_job_name() {
        let template = Template::parse(TEXT.into(), &["kernel"], "boot.yaml").unwrap();
        let urls = BTreeMap::from([("kernel".to_string(), "http://h:1/j/kernel.elf".to_string())]);
        let text = template.render(&Values {
            urls: &urls,
            command_line: "console=ttyS0 test={test}",
            timeout_s: 30,
            device_type: "qemu",
            test: "smp_mutex",
            job_name: "culprit-1-2",
        });
        assert!(
            text.starts_with("job_name: culprit-1-2\ndevice_type: qemu\n"),
            "{text}"
        );
        assert!(!text.contains("job_name: mine"), "{text}");
        assert!(text.contains("job: {seconds: 30}"), "{text}");
        assert!(
            text.contains("-append console=ttyS0 test=smp_mutex"),
            "{text}"
        );
        assert!(text.contains("url: http://h:1/j/kernel.elf\n"), "{text}");
    }

    #[test]
    fn artifacts_and_placeholders_must_match() {
        let none = Template::parse("device_type: qemu\n".into(), &["kernel"], "t.yaml");
        assert!(none.unwrap_err().contains("no artifact placeholder"));
        let unknown = Template::parse(TEXT.into(), &["image"], "t.yaml").unwrap_err();
        assert!(
            unknown.contains("`{url:kernel}`, which is not one of"),
            "{unknown}"
        );
        let unused = Template::parse(TEXT.into(), &["kernel", "dtb"], "t.yaml").unwrap_err();
        assert!(unused.contains("never uses the artifact `dtb`"), "{unused}");
    }
}
