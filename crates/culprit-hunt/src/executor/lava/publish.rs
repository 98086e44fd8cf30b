//! Where a boot's artifacts go for the lab to fetch: served by culprit itself over HTTP
//! (`serve`), or copied under a directory another server publishes (`publish_dir`).
//!
//! Each job gets a copy of its own, named after the job: the worker's build directory
//! changes with the next candidate while the lab may still be downloading, and two
//! workers' artifacts have the same file names.

use crate::error::{Context, HuntError, Result};
use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::thread::JoinHandle;

pub struct Publisher {
    /// Where the jobs' copies live.
    root: PathBuf,
    /// The URL `root` is fetched by.
    base_url: String,
    server: Option<(Arc<tiny_http::Server>, JoinHandle<()>)>,
}

impl Publisher {
    /// Serves `root` on `address` ("127.0.0.1:0": any free port); `url` overrides the
    /// URL the lab uses to reach it.
    pub fn serve(root: PathBuf, address: &str, url: Option<&str>) -> Result<Publisher> {
        std::fs::create_dir_all(&root)
            .with_context(|| format!("cannot create {}", root.display()))?;
        let server = tiny_http::Server::http(address).map_err(|err| {
            HuntError::BadInput(format!(
                "[executor] serve = {address:?}: culprit cannot serve the artifacts there ({err}); give a free address:port of this machine, e.g. \"0.0.0.0:8090\""
            ))
        })?;
        let bound = server
            .server_addr()
            .to_ip()
            .map(|addr| addr.to_string())
            .unwrap_or_else(|| address.to_string());
        let server = Arc::new(server);
        let files = root.clone();
        let serving = server.clone();
        let thread = std::thread::spawn(move || answer_all(&serving, &files));
        Ok(Publisher {
            root,
            base_url: url.map_or_else(|| format!("http://{bound}"), str::to_string),
            server: Some((server, thread)),
        })
    }

    /// Copies under `dir`, which the lab fetches as `url`.
    pub fn directory(dir: PathBuf, url: &str) -> Publisher {
        Publisher {
            root: dir,
            base_url: url.to_string(),
            server: None,
        }
    }

    /// Copies `artifacts` (name → file) for the job `job` and returns their URLs by name.
    pub fn publish(
        &self,
        job: &str,
        artifacts: &BTreeMap<String, PathBuf>,
    ) -> Result<BTreeMap<String, String>> {
        let dir = self.root.join(job);
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
        let mut urls = BTreeMap::new();
        for (name, path) in artifacts {
            let file = path
                .file_name()
                .map(|f| format!("{name}-{}", f.to_string_lossy()))
                .unwrap_or_else(|| name.clone());
            std::fs::copy(path, dir.join(&file)).with_context(|| {
                format!(
                    "cannot publish the artifact `{name}` ({}) for the lab",
                    path.display()
                )
            })?;
            urls.insert(
                name.clone(),
                format!("{}/{job}/{file}", self.base_url.trim_end_matches('/')),
            );
        }
        Ok(urls)
    }

    /// Removes the job's copies once the job is over.
    pub fn withdraw(&self, job: &str) {
        // A copy left behind costs disk space only; the next session's names differ.
        let _ = std::fs::remove_dir_all(self.root.join(job));
    }
}

impl Drop for Publisher {
    fn drop(&mut self) {
        if let Some((server, thread)) = self.server.take() {
            server.unblock();
            let _ = thread.join();
        }
    }
}

/// Answers GET requests for files under `root` until the server is unblocked.
fn answer_all(server: &tiny_http::Server, root: &Path) {
    for request in server.incoming_requests() {
        let path = request
            .url()
            .split('?')
            .next()
            .unwrap_or("")
            .trim_start_matches('/');
        let file = inside(root, path).and_then(|file| std::fs::File::open(file).ok());
        // A client that hung up is the lab's business; nothing to do here.
        let _ = match file {
            Some(file) => request.respond(tiny_http::Response::from_file(file)),
            None => request.respond(tiny_http::Response::empty(404)),
        };
    }
}

/// `path` below `root`, or `None` when it would leave it.
fn inside(root: &Path, path: &str) -> Option<PathBuf> {
    let relative = Path::new(path);
    let plain = relative
        .components()
        .all(|c| matches!(c, Component::Normal(_)));
    (plain && !path.is_empty()).then(|| root.join(relative))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_cannot_leave_the_published_directory() {
        let root = Path::new("/srv/a");
        assert_eq!(inside(root, "j/kernel"), Some(root.join("j/kernel")));
        assert_eq!(inside(root, "../etc/passwd"), None);
        assert_eq!(inside(root, "j/../../x"), None);
        assert_eq!(inside(root, ""), None);
    }
}
