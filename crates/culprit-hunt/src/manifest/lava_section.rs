//! `[executor] kind = "lava"`: each test's boot a job on a LAVA server, built from a job
//! template with the step's artifacts published where the lab can fetch them.

use super::duration;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

/// The environment variable the API token is read from unless `token_env` names another.
pub const DEFAULT_TOKEN_ENV: &str = "CULPRIT_LAVA_TOKEN";

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LavaSection {
    /// The server, e.g. "http://lava.example.org" (the API is under /api/v0.2/).
    pub url: String,
    /// The environment variable holding the API token (default CULPRIT_LAVA_TOKEN).
    /// The token never goes in culprit.toml.
    pub token_env: Option<String>,
    /// A file holding the API token (relative to culprit.toml), instead of `token_env`.
    pub token_file: Option<PathBuf>,
    /// The job definition (YAML) each boot is made from, relative to culprit.toml, with
    /// placeholders: `{url:NAME}` for each artifact, `{command_line}`, `{timeout}` (the
    /// test's timeout in seconds), `{device_type}` and `{test}`.
    pub template: PathBuf,
    /// The device type jobs ask for ("qemu", "nucleo-g474re").
    pub device_type: String,
    /// The files each boot needs, by the name the template uses (`{url:kernel}`), as
    /// paths starting with `{tree}` or `{build}` or relative to the tree.
    pub artifacts: BTreeMap<String, PathBuf>,
    /// The kernel command line `{command_line}` stands for; `{test}` in it is the test's
    /// name.
    #[serde(default)]
    pub command_line: String,
    /// Where culprit serves the artifacts over HTTP for the lab to fetch, as
    /// "address:port" (port 0: any free port). Default "127.0.0.1:0": a lab on this
    /// machine. Not with `publish_dir`.
    pub serve: Option<String>,
    /// The base URL the lab reaches `serve` by, when not its address (a NAT, a proxy).
    pub serve_url: Option<String>,
    /// Instead of serving them: a directory the artifacts are copied under (a web
    /// server's, an NFS export's) ...
    pub publish_dir: Option<PathBuf>,
    /// ... and the URL the lab fetches that directory by.
    pub publish_url: Option<String>,
    /// How long a job may wait for a free device before it counts as an infrastructure
    /// error (default 10m).
    #[serde(default = "default_queue_timeout", deserialize_with = "duration")]
    pub queue_timeout: Duration,
}

fn default_queue_timeout() -> Duration {
    Duration::from_secs(600)
}

impl LavaSection {
    pub(super) fn check(&self) -> Result<(), String> {
        if !(self.url.starts_with("http://") || self.url.starts_with("https://")) {
            return Err(format!(
                "`url` = {:?} is not an HTTP URL; give the server's address, e.g. \"http://lava.example.org\"",
                self.url
            ));
        }
        if self.url.starts_with("https://") {
            return Err("`url`: culprit speaks plain HTTP to LAVA; reach an HTTPS server through a local tunnel or proxy and give its http:// address".into());
        }
        if self.artifacts.is_empty() {
            return Err("`artifacts` is empty: name the files each boot needs, e.g. artifacts = { kernel = \"{build}/bzImage\" }".into());
        }
        if let Some(name) = self.artifacts.keys().find(|name| {
            name.is_empty()
                || !name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        }) {
            return Err(format!("`artifacts` key {name:?}: use letters, digits, `_` and `-` only (it is the `{{url:NAME}}` in the template)"));
        }
        match (&self.serve, &self.publish_dir, &self.publish_url) {
            (Some(_), Some(_), _) => Err("give `serve` or `publish_dir`, not both".into()),
            (_, Some(_), None) => Err("`publish_dir` needs `publish_url`: the URL the lab fetches that directory by".into()),
            (_, None, Some(_)) => Err("`publish_url` needs `publish_dir`: the directory culprit copies the artifacts under".into()),
            _ if self.token_env.is_some() && self.token_file.is_some() => {
                Err("give `token_env` or `token_file`, not both".into())
            }
            _ => Ok(()),
        }
    }
}
