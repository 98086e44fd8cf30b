//! Places on a labgrid coordinator: listing, reserving, locking and letting go of them,
//! through `labgrid-client`.
//!
//! The client rather than the coordinator's gRPC API: it is what every labgrid site
//! has, it speaks the coordinator's protocol version, and it names the user the way the
//! site's other tools do (`LG_USERNAME`, `LG_HOSTNAME`), so a lock culprit takes is one
//! `labgrid-client who` shows and `labgrid-client release` can end.

use std::collections::BTreeMap;
use std::io;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

#[derive(Debug, thiserror::Error)]
pub enum LabgridError {
    #[error("cannot run {client}: {source}; set `python` in [executor] to the Python of a virtualenv with labgrid installed (scripts/labgrid-lab start makes one)")]
    Spawn { client: String, source: io::Error },
    #[error("`labgrid-client {command}` failed: {message}")]
    Failed { command: String, message: String },
}

/// A coordinator, and the client that talks to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lab {
    /// `labgrid-client`, next to the lab's Python.
    pub client: PathBuf,
    /// `HOST:PORT`.
    pub coordinator: String,
}

/// A place as `labgrid-client -v places` lists it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PlaceInfo {
    pub name: String,
    pub tags: BTreeMap<String, String>,
    /// Who holds the lock (`host/user`), when someone does.
    pub acquired: Option<String>,
}

/// How often a wait for a reservation looks again.
const POLL: Duration = Duration::from_millis(200);

impl Lab {
    fn command(&self, token: Option<&str>) -> Command {
        let mut command = Command::new(&self.client);
        command.arg("-x").arg(&self.coordinator);
        command.env_remove("LG_TOKEN").env_remove("LG_PLACE");
        if let Some(token) = token {
            command.env("LG_TOKEN", token);
        }
        command
    }

    fn spawn_error(&self, source: std::io::Error) -> LabgridError {
        LabgridError::Spawn {
            client: self.client.display().to_string(),
            source,
        }
    }

    fn run(&self, args: &[&str], token: Option<&str>) -> Result<String, LabgridError> {
        let out = self
            .command(token)
            .args(args)
            .stdin(Stdio::null())
            .output()
            .map_err(|source| self.spawn_error(source))?;
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        if out.status.success() {
            return Ok(stdout);
        }
        let stderr = String::from_utf8_lossy(&out.stderr);
        let message = stderr
            .lines()
            .chain(stdout.lines())
            .map(str::trim)
            .rfind(|line| !line.is_empty())
            .unwrap_or("it said nothing")
            .to_string();
        Err(LabgridError::Failed {
            command: args.join(" "),
            message,
        })
    }

    /// Every place the coordinator knows, with its tags and its lock.
    pub fn places(&self) -> Result<Vec<PlaceInfo>, LabgridError> {
        Ok(read_places(&self.run(&["-v", "places"], None)?))
    }

    /// Asks for a place whose tags (or `name`) match `filter`; returns the
    /// reservation's token. The coordinator allocates it when such a place is free.
    pub fn reserve(&self, filter: &[(String, String)]) -> Result<String, LabgridError> {
        let mut args = vec!["reserve".to_string(), "--shell".to_string()];
        args.extend(filter.iter().map(|(key, value)| format!("{key}={value}")));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = self.run(&args, None)?;
        out.lines()
            .find_map(|line| line.trim().strip_prefix("export LG_TOKEN="))
            .map(|token| token.trim().to_string())
            .ok_or_else(|| LabgridError::Failed {
                command: args.join(" "),
                message: format!("no token in its answer: {}", out.trim()),
            })
    }

    /// Waits up to `patience` for reservation `token` to be given a place; returns its
    /// name, or `None` when no place came free in time.
    pub fn allocated(
        &self,
        token: &str,
        patience: Duration,
    ) -> Result<Option<String>, LabgridError> {
        // `wait` also keeps the reservation alive while it waits.
        let mut wait = self
            .command(Some(token))
            .args(["-p", "+", "wait"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|source| self.spawn_error(source))?;
        let started = Instant::now();
        let allocated = loop {
            match wait.try_wait() {
                Ok(Some(status)) => break status.success(),
                Ok(None) if started.elapsed() < patience => thread::sleep(POLL),
                Ok(None) | Err(_) => {
                    let _ = wait.kill();
                    let _ = wait.wait();
                    return Ok(None);
                }
            }
        };
        let out = self.run(&["reservations"], None)?;
        match (allocated, allocation_of(&out, token)) {
            (true, Some(place)) => Ok(Some(place)),
            _ => Err(LabgridError::Failed {
                command: "-p + wait".into(),
                message: format!("reservation {token} was not allocated a place"),
            }),
        }
    }

    /// Locks `place`, allocated to reservation `token`.
    pub fn acquire(&self, place: &str, token: &str) -> Result<(), LabgridError> {
        self.run(&["-p", place, "acquire"], Some(token)).map(|_| ())
    }

    /// Unlocks `place` (held by this user).
    pub fn release(&self, place: &str) -> Result<(), LabgridError> {
        self.run(&["-p", place, "release"], None).map(|_| ())
    }

    /// Cancels reservation `token`, whatever its state.
    pub fn cancel(&self, token: &str) -> Result<(), LabgridError> {
        self.run(&["cancel-reservation"], Some(token)).map(|_| ())
    }
}

/// The place `labgrid-client reservations` says reservation `token` was given.
fn allocation_of(text: &str, token: &str) -> Option<String> {
    let mut ours = false;
    let mut in_allocations = false;
    for line in text.lines() {
        if line.starts_with("Reservation '") {
            ours = line == format!("Reservation '{token}':");
            in_allocations = false;
        } else if ours && line.trim() == "allocations:" {
            in_allocations = true;
        } else if ours && in_allocations {
            if let Some((_, place)) = line.trim().split_once(": ") {
                return Some(place.trim().to_string());
            }
        }
    }
    None
}

/// Reads `labgrid-client -v places`: a `Place 'NAME':` line, then indented keys.
fn read_places(text: &str) -> Vec<PlaceInfo> {
    let mut places: Vec<PlaceInfo> = Vec::new();
    for line in text.lines() {
        if let Some(name) = line
            .strip_prefix("Place '")
            .and_then(|rest| rest.strip_suffix("':"))
        {
            places.push(PlaceInfo {
                name: name.to_string(),
                ..PlaceInfo::default()
            });
            continue;
        }
        let Some(place) = places.last_mut() else {
            continue;
        };
        let line = line.trim();
        if let Some(tags) = line.strip_prefix("tags:") {
            place.tags = tags
                .split(',')
                .filter_map(|tag| tag.trim().split_once('='))
                .map(|(key, value)| (key.to_string(), value.to_string()))
                .collect();
        } else if let Some(holder) = line.strip_prefix("acquired:") {
            let holder = holder.trim();
            place.acquired = (holder != "None" && !holder.is_empty()).then(|| holder.to_string());
        }
    }
    places
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_are_read_with_their_tags_and_their_lock() {
        let text = "Place 'qemu-1':\n  tags: board=qemu-x86, lab=culprit\n  matches:\n    e/qemu-1/NetworkService\n  acquired: None\n  acquired resources:\nPlace 'qemu-2':\n  tags: \n  acquired: host/someone\n";
        let places = read_places(text);
        assert_eq!(places.len(), 2);
        assert_eq!(places[0].name, "qemu-1");
        assert_eq!(
            places[0].tags.get("board").map(String::as_str),
            Some("qemu-x86")
        );
        assert_eq!(places[0].acquired, None);
        assert!(places[1].tags.is_empty());
        assert_eq!(places[1].acquired.as_deref(), Some("host/someone"));
    }

    #[test]
    fn a_reservations_place_is_read_from_its_allocations() {
        let text = "Reservation 'AAA':\n  owner: h/u\n  token: AAA\n  state: allocated\n  filters:\n    main: board=x\n  allocations:\n    main: qemu-2\n  created: 2026-12-07 03:12:48\nReservation 'BBB':\n  token: BBB\n  state: waiting\n  filters:\n    main: board=x\n";
        assert_eq!(allocation_of(text, "AAA").as_deref(), Some("qemu-2"));
        assert_eq!(allocation_of(text, "BBB"), None);
        assert_eq!(allocation_of(text, "CCC"), None);
    }
}
