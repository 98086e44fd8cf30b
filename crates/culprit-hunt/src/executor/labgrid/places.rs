//! The places a hunt holds: one per worker, reserved and locked at its first boot and
//! kept for the hunt (a board between two boots of one hunt is nobody else's), unlocked
//! and the reservation cancelled at the end. Each reservation is in the journal's ledger
//! of remote jobs from the moment it exists, so the next command ends what a culprit
//! killed with SIGKILL left locked.

use crate::error::{HuntError, Result};
use crate::executor::remote::Ledger;
use crate::journal::Journal;
use crate::manifest::LabgridSection;
use culprit_exec::labgrid::{Lab, PlaceInfo};
use serde::{Deserialize, Serialize};
use std::sync::Mutex;
use std::time::Duration;

/// The executor's name in the ledger and in each step's place.
pub(crate) const EXECUTOR: &str = "labgrid";

/// One reservation, as the ledger keeps it: all the next command needs to end it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Held {
    lab: LabRecord,
    token: String,
    /// Once allocated and locked.
    place: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct LabRecord {
    client: String,
    coordinator: String,
}

impl Held {
    fn name(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// The workers' places on one lab.
pub(crate) struct Places {
    lab: Lab,
    filter: Vec<(String, String)>,
    patience: Duration,
    held: Vec<Mutex<Option<Held>>>,
    ledger: Ledger,
}

impl Places {
    /// Checks the lab has the places `section` asks for, `workers` of them, before any
    /// step: an unreachable coordinator or a misspelt tag is bad input, not a hunt of
    /// lab faults.
    pub(crate) fn check(
        lab: Lab,
        section: &LabgridSection,
        workers: usize,
        ledger: Ledger,
    ) -> Result<Places> {
        let filter: Vec<(String, String)> = match &section.place {
            Some(place) => vec![("name".into(), place.clone())],
            None => section.tags.clone().into_iter().collect(),
        };
        let known = lab.places().map_err(|err| {
            HuntError::BadInput(format!(
                "cannot reach the labgrid coordinator at {} (`coordinator` in [executor]): {err}; \
                 start it (scripts/labgrid-lab start) or fix the address",
                lab.coordinator
            ))
        })?;
        let matching = known.iter().filter(|p| matches(p, &filter)).count();
        let wanted = describe(&filter);
        if matching == 0 {
            let names: Vec<String> = known.iter().map(listed).collect();
            return Err(HuntError::BadInput(format!(
                "the labgrid coordinator {} has no place {wanted}; it has {}: fix `place` or `tags` in [executor]",
                lab.coordinator,
                if names.is_empty() { "none".to_string() } else { names.join(", ") }
            )));
        }
        if matching < workers {
            return Err(HuntError::BadInput(format!(
                "-j {workers} takes {workers} labgrid places, and the coordinator has {matching} {wanted}: lower -j, or tag more places"
            )));
        }
        Ok(Places {
            lab,
            filter,
            patience: section.acquire_timeout,
            held: (0..workers.max(1)).map(|_| Mutex::new(None)).collect(),
            ledger,
        })
    }

    /// Worker `worker`'s place, reserved and locked at its first call. `Ok(Err(reason))`
    /// when the lab gave none: a lab fault for this boot, tried again at the next.
    pub(crate) fn place_of(&self, worker: usize) -> Result<std::result::Result<String, String>> {
        let Some(slot) = self.held.get(worker) else {
            return Err(HuntError::Message(format!(
                "worker {worker} has no place slot; this is a bug in culprit"
            )));
        };
        let mut slot = slot
            .lock()
            .map_err(|_| HuntError::Message("a worker panicked holding its place".into()))?;
        if let Some(place) = slot.as_ref().and_then(|held| held.place.clone()) {
            return Ok(Ok(place));
        }
        let token = match self.lab.reserve(&self.filter) {
            Ok(token) => token,
            Err(err) => return Ok(Err(format!("cannot reserve a labgrid place: {err}"))),
        };
        let mut held = Held {
            lab: LabRecord {
                client: self.lab.client.display().to_string(),
                coordinator: self.lab.coordinator.clone(),
            },
            token,
            place: None,
        };
        self.ledger.started(&held.name())?;
        let reserved = held.name();
        let place = match self.lab.allocated(&held.token, self.patience) {
            Ok(Some(place)) => place,
            failed => {
                let _ = self.lab.cancel(&held.token);
                self.ledger.ended(&reserved, None)?;
                return Ok(Err(match failed {
                    Err(err) => format!("cannot reserve a labgrid place: {err}"),
                    _ => self.not_free(),
                }));
            }
        };
        // In the ledger with its place before it is locked: a culprit killed while it
        // locks leaves a lock the next command knows of.
        held.place = Some(place.clone());
        self.ledger.record(|journal| {
            journal.remote_job_started(EXECUTOR, &held.name())?;
            journal.remote_job_ended(&reserved, Some(&place))
        })?;
        if let Err(err) = self.lab.acquire(&place, &held.token) {
            end(&self.lab, &held);
            self.ledger.ended(&held.name(), None)?;
            return Ok(Err(format!("cannot lock the labgrid place {place}: {err}")));
        }
        *slot = Some(held);
        Ok(Ok(place))
    }

    /// Why no place came: who holds the ones that would do.
    fn not_free(&self) -> String {
        let holders: Vec<String> = self
            .lab
            .places()
            .unwrap_or_default()
            .iter()
            .filter(|p| matches(p, &self.filter))
            .map(|p| match &p.acquired {
                Some(holder) => format!("{} locked by {holder}", p.name),
                None => format!("{} reserved for someone else", p.name),
            })
            .collect();
        format!(
            "no labgrid place {} came free within {} ({}); free one (`labgrid-client -p NAME release`) or raise `acquire_timeout`",
            describe(&self.filter),
            humantime::format_duration(self.patience),
            holders.join(", ")
        )
    }

    /// The place worker `worker` holds, if any.
    pub(crate) fn held_place(&self, worker: usize) -> Option<String> {
        let slot = self.held.get(worker)?.lock().ok()?;
        slot.as_ref()?.place.clone()
    }

    /// Unlocks every place and cancels every reservation this hunt holds.
    pub(crate) fn release_all(&self) {
        for slot in &self.held {
            let Some(held) = slot.lock().ok().and_then(|mut slot| slot.take()) else {
                continue;
            };
            end(&self.lab, &held);
            let _ = self.ledger.ended(&held.name(), None);
        }
    }
}

/// Unlocks `held`'s place and cancels its reservation, each tried a few times: a
/// labgrid-client call can fail while the coordinator is busy, and a reservation left open
/// holds the place from everyone until it times out. What still fails is already over (a
/// reservation that expired, a place someone else took since).
fn end(lab: &Lab, held: &Held) {
    if let Some(place) = &held.place {
        tried_again(|| lab.release(place).is_ok());
    }
    tried_again(|| lab.cancel(&held.token).is_ok());
}

/// Calls `call` until it succeeds, three times at most, half a second apart.
fn tried_again(call: impl Fn() -> bool) {
    for attempt in 1..=3 {
        if call() {
            return;
        }
        if attempt < 3 {
            std::thread::sleep(Duration::from_millis(500));
        }
    }
}

fn matches(place: &PlaceInfo, filter: &[(String, String)]) -> bool {
    filter.iter().all(|(key, value)| match key.as_str() {
        "name" => &place.name == value,
        _ => place.tags.get(key) == Some(value),
    })
}

fn describe(filter: &[(String, String)]) -> String {
    match filter {
        [(key, name)] if key == "name" => format!("named {name}"),
        _ => {
            let tags: Vec<String> = filter.iter().map(|(k, v)| format!("{k}={v}")).collect();
            format!("with the tags {}", tags.join(" "))
        }
    }
}

fn listed(place: &PlaceInfo) -> String {
    let tags: Vec<String> = place.tags.iter().map(|(k, v)| format!("{k}={v}")).collect();
    if tags.is_empty() {
        place.name.clone()
    } else {
        format!("{} ({})", place.name, tags.join(" "))
    }
}

/// Ends the reservations and locks the journal says a culprit took and never let go
/// of; returns the places it unlocked.
pub(crate) fn end_leftovers(journal: &Journal) -> Result<Vec<String>> {
    let mut unlocked = Vec::new();
    for name in journal.unended_remote_jobs(EXECUTOR)? {
        if let Ok(held) = serde_json::from_str::<Held>(&name) {
            let lab = Lab {
                client: held.lab.client.clone().into(),
                coordinator: held.lab.coordinator.clone(),
            };
            end(&lab, &held);
            unlocked.extend(held.place.clone());
        }
        journal.remote_job_ended(&name, None)?;
    }
    Ok(unlocked)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place(name: &str, tags: &[(&str, &str)]) -> PlaceInfo {
        PlaceInfo {
            name: name.into(),
            tags: tags
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            acquired: None,
        }
    }

    #[test]
    fn a_filter_matches_by_name_or_by_every_tag() {
        let q1 = place("q1", &[("board", "x86"), ("lab", "a")]);
        let by_name = [("name".to_string(), "q1".to_string())];
        assert!(matches(&q1, &by_name));
        assert!(!matches(&place("q2", &[]), &by_name));
        let tags = [
            ("board".to_string(), "x86".to_string()),
            ("lab".to_string(), "a".to_string()),
        ];
        assert!(matches(&q1, &tags));
        assert!(!matches(&place("q3", &[("board", "x86")]), &tags));
        assert_eq!(describe(&by_name), "named q1");
        assert_eq!(describe(&tags), "with the tags board=x86 lab=a");
    }

    #[test]
    fn a_ledger_entry_reads_back_as_the_reservation_it_names() {
        let held = Held {
            lab: LabRecord {
                client: "/v/bin/labgrid-client".into(),
                coordinator: "127.0.0.1:20408".into(),
            },
            token: "ABC".into(),
            place: Some("q1".into()),
        };
        assert_eq!(serde_json::from_str::<Held>(&held.name()).unwrap(), held);
    }
}
