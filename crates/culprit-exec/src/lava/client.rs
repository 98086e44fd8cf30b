//! LAVA's REST API (v0.2), the few calls a hunt needs: who the token is, whether a
//! device type exists, validate, submit and cancel a job, its state and its log.
//!
//! Plain HTTP through `ureq` (no TLS built in: labs are reached on loopback or through a
//! tunnel here). The token only ever goes into the `Authorization` header: no message,
//! error or `Debug` output carries it.

use serde_json::Value;
use std::time::Duration;

/// How long one call may take before the server counts as unreachable.
const CALL_TIMEOUT: Duration = Duration::from_secs(20);

/// An API token, kept out of every message.
#[derive(Clone)]
pub struct Token(String);

impl Token {
    pub fn new(secret: impl Into<String>) -> Token {
        Token(secret.into().trim().to_string())
    }
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(…)")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum LavaError {
    #[error("the LAVA server at {url} cannot be reached: {detail}")]
    Unreachable { url: String, detail: String },
    #[error("the LAVA server refused the API token (HTTP {status}: {message}); check the token it was given")]
    Token { status: u16, message: String },
    #[error("the LAVA server answered {what} with HTTP {status}: {message}")]
    Refused {
        what: String,
        status: u16,
        message: String,
    },
    #[error("the LAVA server's answer to {what} is not what its API v0.2 gives: {detail}")]
    Unexpected { what: String, detail: String },
}

/// A job's state as the server gives it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobState {
    /// Submitted, Scheduling, Scheduled, Running, Canceling, Finished.
    pub state: String,
    /// Unknown, Complete, Incomplete, Canceled.
    pub health: String,
    pub device: Option<String>,
}

impl JobState {
    pub fn finished(&self) -> bool {
        self.state == "Finished"
    }
}

/// One LAVA server and the token culprit uses on it.
#[derive(Clone, Debug)]
pub struct Lab {
    url: String,
    token: Token,
    agent: ureq::Agent,
}

impl Lab {
    pub fn new(url: &str, token: Token) -> Lab {
        Lab {
            url: url.trim_end_matches('/').to_string(),
            token,
            agent: ureq::AgentBuilder::new().timeout(CALL_TIMEOUT).build(),
        }
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// The user the token belongs to; an error when the token is refused.
    pub fn whoami(&self) -> Result<String, LavaError> {
        let doc = self.json("the token check", self.get("/system/whoami/"))?;
        match doc["user"].as_str() {
            Some(user) if !user.is_empty() => Ok(user.to_string()),
            _ => Err(LavaError::Token {
                status: 200,
                message: "the token belongs to no user".into(),
            }),
        }
    }

    /// Whether the server knows the device type `name`.
    pub fn has_device_type(&self, name: &str) -> Result<bool, LavaError> {
        match self.get(&format!("/devicetypes/{name}/")) {
            Err(LavaError::Refused { status: 404, .. }) => Ok(false),
            answer => answer.map(|_| true),
        }
    }

    /// The server's objection to `definition`, or `None` when it would take it. Strict,
    /// as submitting is: the lenient check lets unknown keys through.
    pub fn validate(&self, definition: &str) -> Result<Option<String>, LavaError> {
        let body = serde_json::json!({ "definition": definition, "strict": true });
        let doc = self.json("the job validation", self.post("/jobs/validate/", body))?;
        let message = doc["message"].as_str().unwrap_or_default().to_string();
        Ok((message != "Job valid.").then_some(message))
    }

    pub fn submit(&self, definition: &str) -> Result<u64, LavaError> {
        let what = "the job submission";
        let body = serde_json::json!({ "definition": definition });
        let doc = self.json(what, self.post("/jobs/", body))?;
        doc["job_ids"][0]
            .as_u64()
            .ok_or_else(|| LavaError::Unexpected {
                what: what.into(),
                detail: format!("no job id in {doc}"),
            })
    }

    pub fn job(&self, id: u64) -> Result<JobState, LavaError> {
        let what = format!("job {id}'s state");
        let doc = self.json(&what, self.get(&format!("/jobs/{id}/")))?;
        let text = |key: &str| doc[key].as_str().map(str::to_string);
        match (text("state"), text("health")) {
            (Some(state), Some(health)) => Ok(JobState {
                state,
                health,
                device: text("actual_device"),
            }),
            _ => Err(LavaError::Unexpected {
                what,
                detail: format!("no state and health in {doc}"),
            }),
        }
    }

    /// The job's log from line `start` on (YAML, one entry a line), or `None` while
    /// the job has no log yet (it has not started).
    pub fn log(&self, id: u64, start: usize) -> Result<Option<String>, LavaError> {
        match self.get(&format!("/jobs/{id}/logs/?start={start}")) {
            Err(LavaError::Refused { status: 404, .. }) => Ok(None),
            answer => answer.map(Some),
        }
    }

    /// Why `device` cannot run jobs now (its health, or its worker offline), or `None`
    /// when it can.
    pub fn device_down(&self, device: &str) -> Result<Option<String>, LavaError> {
        let what = format!("device {device}'s state");
        let doc = self.json(&what, self.get(&format!("/devices/{device}/")))?;
        let health = doc["health"].as_str().unwrap_or_default();
        if matches!(health, "Bad" | "Maintenance" | "Retired") {
            return Ok(Some(format!(
                "device {device} was taken offline (health {health})"
            )));
        }
        let Some(worker) = doc["worker_host"].as_str() else {
            return Ok(None);
        };
        let doc = self.json(&what, self.get(&format!("/workers/{worker}/")))?;
        Ok((doc["state"] == "Offline")
            .then(|| format!("the worker {worker} of device {device} went offline")))
    }

    /// The ids of the jobs named `name` (their `job_name`) that have not finished.
    pub fn unfinished_named(&self, name: &str) -> Result<Vec<u64>, LavaError> {
        let what = format!("the jobs named {name}");
        let path = format!(
            "/jobs/?description={name}&state__in=Submitted,Scheduling,Scheduled,Running,Canceling&limit=100"
        );
        let doc = self.json(&what, self.get(&path))?;
        let ids = doc["results"]
            .as_array()
            .ok_or_else(|| LavaError::Unexpected {
                what,
                detail: format!("no results in {doc}"),
            })?;
        Ok(ids.iter().filter_map(|job| job["id"].as_u64()).collect())
    }

    /// Asks the server to cancel the job (a no-op for a finished one).
    pub fn cancel(&self, id: u64) -> Result<(), LavaError> {
        self.get(&format!("/jobs/{id}/cancel/")).map(|_| ())
    }

    fn get(&self, path: &str) -> Result<String, LavaError> {
        let request = self.agent.get(&format!("{}/api/v0.2{path}", self.url));
        self.answer(path, self.authorized(request).call())
    }

    fn post(&self, path: &str, body: Value) -> Result<String, LavaError> {
        let body = body.to_string();
        let request = self
            .agent
            .post(&format!("{}/api/v0.2{path}", self.url))
            .set("Content-Type", "application/json");
        self.answer(path, self.authorized(request).send_string(&body))
    }

    fn authorized(&self, request: ureq::Request) -> ureq::Request {
        request.set("Authorization", &format!("Token {}", self.token.0))
    }

    fn answer(
        &self,
        path: &str,
        answer: Result<ureq::Response, ureq::Error>,
    ) -> Result<String, LavaError> {
        match answer {
            Ok(response) => response
                .into_string()
                .map_err(|err| LavaError::Unreachable {
                    url: self.url.clone(),
                    detail: format!("the answer to {path} broke off: {err}"),
                }),
            Err(ureq::Error::Status(status, response)) => {
                let message = server_message(response.into_string().unwrap_or_default());
                if status == 401 || status == 403 {
                    return Err(LavaError::Token { status, message });
                }
                Err(LavaError::Refused {
                    what: path.to_string(),
                    status,
                    message,
                })
            }
            Err(ureq::Error::Transport(err)) => Err(LavaError::Unreachable {
                url: self.url.clone(),
                detail: err.to_string(),
            }),
        }
    }

    fn json(&self, what: &str, text: Result<String, LavaError>) -> Result<Value, LavaError> {
        let text = text?;
        serde_json::from_str(&text).map_err(|err| LavaError::Unexpected {
            what: what.to_string(),
            detail: format!("{err} in {}", clip(&text)),
        })
    }
}

/// What the server said in an error answer: its `message` or `detail`, else the text.
fn server_message(body: String) -> String {
    match serde_json::from_str::<Value>(&body) {
        Ok(doc) => doc["message"]
            .as_str()
            .or(doc["detail"].as_str())
            .map(str::to_string)
            .unwrap_or_else(|| clip(&body)),
        Err(_) => clip(&body),
    }
}

fn clip(text: &str) -> String {
    let text = text.trim();
    match text.char_indices().nth(300) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}
