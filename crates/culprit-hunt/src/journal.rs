//! The journal: every session, step and run, durable in SQLite in the state directory
//! (`.culprit/` unless moved).
//!
//! Written before anything is reported, step by step, so that a session killed at any
//! moment loses at most the step that was running, and a resumed or repeated hunt can
//! reuse what earlier ones measured.

use crate::error::{Context, HuntError, Result};
use crate::journal_error::{file_uri, named};
use crate::record::{RunRecord, StepResult};
use crate::session_kind::SessionKind;
use nix::fcntl::{Flock, FlockArg};
use rusqlite::{params, Connection, OpenFlags, OptionalExtension};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

/// The journal's file name in the state directory.
pub const FILE: &str = "journal.sqlite";

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS sessions (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    started REAL NOT NULL,
    finished REAL,
    args TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'running',
    result TEXT
);
CREATE TABLE IF NOT EXISTS steps (
    id INTEGER PRIMARY KEY,
    session INTEGER NOT NULL REFERENCES sessions(id),
    seq INTEGER NOT NULL,
    candidate TEXT NOT NULL,
    cache_key TEXT,
    result TEXT NOT NULL,
    started REAL NOT NULL,
    finished REAL NOT NULL,
    UNIQUE (session, seq)
);
CREATE INDEX IF NOT EXISTS steps_cache ON steps(cache_key);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    step INTEGER NOT NULL REFERENCES steps(id),
    test TEXT NOT NULL,
    outcome TEXT NOT NULL,
    title TEXT,
    stage TEXT NOT NULL,
    duration_s REAL NOT NULL,
    log TEXT NOT NULL
);
-- Jobs culprit submitted to a remote executor (Slurm, a lab), named before submission;
-- `ended` is set once the executor no longer runs them. One still without `ended` was
-- left by a culprit that was killed, and the next command ends it.
CREATE TABLE IF NOT EXISTS remote_jobs (
    executor TEXT NOT NULL,
    name TEXT PRIMARY KEY,
    submitted REAL NOT NULL,
    job TEXT,
    ended REAL
);
";

/// Journals written before the ledger served every executor kept Slurm's jobs in a
/// table of their own: they move into the ledger, so their leftovers are still ended.
const MIGRATE_SLURM_JOBS: &str = "
INSERT OR IGNORE INTO remote_jobs (executor, name, submitted, job, ended)
    SELECT 'slurm', name, submitted, CAST(id AS TEXT), ended FROM slurm_jobs;
DROP TABLE slurm_jobs;
";

/// One session as stored.
#[derive(Clone, Debug)]
pub struct SessionRow {
    pub id: i64,
    pub kind: String,
    pub args: Value,
    pub status: String,
    pub result: Option<Value>,
}

impl SessionRow {
    /// What the session was started for; `None` for a kind no version of culprit wrote.
    pub fn session_kind(&self) -> Option<SessionKind> {
        SessionKind::parse(&self.kind)
    }
}

/// One finished step as stored.
#[derive(Clone, Debug)]
pub struct StepRow {
    pub seq: i64,
    pub candidate: Value,
    pub result: StepResult,
    pub started: f64,
    pub finished: f64,
}

/// Ownership of one session (see [`Journal::own_session`]).
#[derive(Debug)]
pub struct SessionLock {
    _lock: Flock<std::fs::File>,
}

pub struct Journal {
    conn: Connection,
    dir: PathBuf,
}

pub fn now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

impl Journal {
    /// Opens (creating if needed) the journal in the state directory `dir`.
    pub fn open(dir: &Path) -> Result<Journal> {
        let dir = dir.to_path_buf();
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
        let path = dir.join(FILE);
        let conn = named(&path, || {
            let conn = Connection::open(&path)?;
            conn.busy_timeout(std::time::Duration::from_secs(10))?;
            conn.pragma_update(None, "journal_mode", "WAL")?;
            conn.pragma_update(None, "synchronous", "NORMAL")?;
            conn.execute_batch(SCHEMA)?;
            let old_ledger: bool = conn.query_row(
                "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'slurm_jobs')",
                [],
                |row| row.get(0),
            )?;
            if old_ledger {
                conn.execute_batch(MIGRATE_SLURM_JOBS)?;
            }
            Ok(conn)
        })?;
        Ok(Journal { conn, dir })
    }

    /// Opens the journal in the state directory `dir` for reading only: commands that
    /// only show what was recorded (`log`, `report`) work on a tree they may not write to.
    pub fn open_read_only(dir: &Path) -> Result<Journal> {
        let dir = dir.to_path_buf();
        let path = dir.join(FILE);
        if !path.exists() {
            // No session ran here yet: an empty journal says so in the caller's words.
            let conn = named(&path, || {
                let conn = Connection::open_in_memory()?;
                conn.execute_batch(SCHEMA)?;
                Ok(conn)
            })?;
            return Ok(Journal { conn, dir });
        }
        let probe = |flags: OpenFlags, uri: &str| {
            named(&path, || {
                let conn = Connection::open_with_flags(uri, flags)?;
                conn.query_row("SELECT count(*) FROM sessions", [], |row| {
                    row.get::<_, i64>(0)
                })?;
                Ok(conn)
            })
        };
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_URI
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let uri = file_uri(&path);
        let conn = match probe(flags, &uri) {
            // Reading a WAL journal needs its shared-memory file, which a directory
            // nobody may write to cannot get; read it as a file that nothing changes.
            Err(err) if err.is_unwritable_journal() => probe(flags, &format!("{uri}?immutable=1"))?,
            other => other?,
        };
        Ok(Journal { conn, dir })
    }

    /// Notes that `executor` is about to be given a job named `name`.
    pub fn remote_job_started(&self, executor: &str, name: &str) -> Result<()> {
        named(&self.path(), || {
            self.conn.execute(
                "INSERT OR REPLACE INTO remote_jobs (executor, name, submitted) VALUES (?1, ?2, ?3)",
                params![executor, name, now()],
            )?;
            Ok(())
        })
    }

    /// Notes that the job `name` (with the executor's id `job`, when it gave one) no
    /// longer runs.
    pub fn remote_job_ended(&self, name: &str, job: Option<&str>) -> Result<()> {
        named(&self.path(), || {
            self.conn.execute(
                "UPDATE remote_jobs SET ended = ?2, job = COALESCE(?3, job) WHERE name = ?1",
                params![name, now(), job],
            )?;
            Ok(())
        })
    }

    /// The jobs given to `executor` and never seen to end, oldest first.
    pub fn unended_remote_jobs(&self, executor: &str) -> Result<Vec<String>> {
        named(&self.path(), || {
            let mut stmt = self.conn.prepare(
                "SELECT name FROM remote_jobs WHERE executor = ?1 AND ended IS NULL ORDER BY submitted",
            )?;
            let names = stmt
                .query_map([executor], |row| row.get(0))?
                .collect::<rusqlite::Result<Vec<String>>>()?;
            Ok(names)
        })
    }

    /// The state directory itself.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The journal's database file.
    pub fn path(&self) -> PathBuf {
        self.dir.join(FILE)
    }

    pub fn start_session(&self, kind: SessionKind, args: &Value) -> Result<i64> {
        named(&self.path(), || {
            self.conn.execute(
                "INSERT INTO sessions (kind, started, args) VALUES (?1, ?2, ?3)",
                params![kind.as_str(), now(), args.to_string()],
            )?;
            Ok(self.conn.last_insert_rowid())
        })
    }

    /// Makes this process the owner of session `id` until the returned lock is dropped
    /// or the process dies (the kernel releases the lock then, even after SIGKILL). A
    /// second culprit on the same session would remove the first one's worktrees.
    pub fn own_session(&self, id: i64) -> Result<SessionLock> {
        use std::io::{Read, Seek, Write};
        let path = self.dir.join(format!("session-{id}.lock"));
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .with_context(|| format!("cannot open the session lock {}", path.display()))?;
        let mut lock = match Flock::lock(file, FlockArg::LockExclusiveNonblock) {
            Ok(lock) => lock,
            Err((mut file, _)) => {
                let mut owner = String::new();
                let _ = file.read_to_string(&mut owner);
                let owner = owner.trim();
                let owner = if owner.is_empty() {
                    "another process"
                } else {
                    owner
                };
                return Err(HuntError::BadInput(format!(
                    "session {id} is being run by culprit PID {owner}; wait for it to finish, \
                     or stop it (kill {owner}) and resume"
                )));
            }
        };
        let written = lock
            .set_len(0)
            .and_then(|()| lock.rewind())
            .and_then(|()| write!(lock, "{}", std::process::id()));
        written.with_context(|| format!("cannot write the session lock {}", path.display()))?;
        Ok(SessionLock { _lock: lock })
    }

    pub fn finish_session(&self, id: i64, status: &str, result: &Value) -> Result<()> {
        named(&self.path(), || {
            self.conn.execute(
                "UPDATE sessions SET finished = ?2, status = ?3, result = ?4 WHERE id = ?1",
                params![id, now(), status, result.to_string()],
            )?;
            Ok(())
        })
    }

    pub fn session(&self, id: i64) -> Result<Option<SessionRow>> {
        self.query_session(
            "SELECT id, kind, args, status, result FROM sessions WHERE id = ?1",
            params![id],
        )
    }

    /// The newest session of `kind` that did not finish (still marked running, or ended
    /// by an interruption or an error), which `--resume` continues.
    pub fn last_unfinished_session(&self, kind: SessionKind) -> Result<Option<SessionRow>> {
        self.query_session(
            "SELECT id, kind, args, status, result FROM sessions WHERE kind = ?1 \
             AND status IN ('running', 'interrupted', 'error') ORDER BY id DESC LIMIT 1",
            params![kind.as_str()],
        )
    }

    /// The newest session, of `kind` if given.
    pub fn last_session(&self, kind: Option<SessionKind>) -> Result<Option<SessionRow>> {
        match kind {
            Some(kind) => self.query_session(
                "SELECT id, kind, args, status, result FROM sessions WHERE kind = ?1 ORDER BY id DESC LIMIT 1",
                params![kind.as_str()],
            ),
            None => self.query_session(
                "SELECT id, kind, args, status, result FROM sessions ORDER BY id DESC LIMIT 1",
                params![],
            ),
        }
    }

    fn query_session(&self, sql: &str, args: impl rusqlite::Params) -> Result<Option<SessionRow>> {
        named(&self.path(), || {
            let row = self
                .conn
                .query_row(sql, args, |row| {
                    Ok((
                        row.get::<_, i64>(0)?,
                        row.get::<_, String>(1)?,
                        row.get::<_, String>(2)?,
                        row.get::<_, String>(3)?,
                        row.get::<_, Option<String>>(4)?,
                    ))
                })
                .optional()?;
            let Some((id, kind, args, status, result)) = row else {
                return Ok(None);
            };
            Ok(Some(SessionRow {
                id,
                kind,
                args: serde_json::from_str(&args)
                    .context("the journal holds a malformed session")?,
                status,
                result: result
                    .map(|r| serde_json::from_str(&r))
                    .transpose()
                    .context("the journal holds a malformed session result")?,
            }))
        })
    }

    /// Where the logs of one step of a session go.
    pub fn step_dir(&self, session: i64, seq: i64) -> Result<PathBuf> {
        let dir = self
            .dir
            .join("sessions")
            .join(session.to_string())
            .join(format!("step-{seq}"));
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
        Ok(dir)
    }

    /// Records a finished step and its runs in one transaction.
    pub fn record_step(
        &mut self,
        session: i64,
        seq: i64,
        candidate: &Value,
        cache_key: Option<&str>,
        result: &StepResult,
        started: f64,
    ) -> Result<()> {
        let path = self.path();
        named(&path, || {
            let tx = self.conn.transaction()?;
            tx.execute(
            "INSERT OR REPLACE INTO steps (session, seq, candidate, cache_key, result, started, finished)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                session,
                seq,
                candidate.to_string(),
                cache_key,
                serde_json::to_string(result)?,
                started,
                now()
            ],
        )?;
            let step = tx.last_insert_rowid();
            for run in result.build.iter().chain(result.tests.iter()) {
                insert_run(&tx, step, run)?;
            }
            tx.commit()?;
            Ok(())
        })
    }

    /// The steps of a session, in order.
    pub fn steps(&self, session: i64) -> Result<Vec<StepRow>> {
        named(&self.path(), || {
            let mut stmt = self.conn.prepare(
            "SELECT seq, candidate, result, started, finished FROM steps WHERE session = ?1 ORDER BY seq",
        )?;
            let rows = stmt.query_map(params![session], |row| {
                Ok((
                    row.get::<_, i64>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, String>(2)?,
                    row.get::<_, f64>(3)?,
                    row.get::<_, f64>(4)?,
                ))
            })?;
            rows.map(|row| {
                let (seq, candidate, result, started, finished) = row?;
                Ok(StepRow {
                    seq,
                    candidate: serde_json::from_str(&candidate)
                        .context("the journal holds a malformed candidate")?,
                    result: serde_json::from_str(&result)
                        .context("the journal holds a malformed step result")?,
                    started,
                    finished,
                })
            })
            .collect()
        })
    }

    /// A step measured before (in any session) with the same cache key.
    pub fn cached(&self, cache_key: &str) -> Result<Option<StepResult>> {
        named(&self.path(), || {
            let found: Option<String> = self
                .conn
                .query_row(
                    "SELECT result FROM steps WHERE cache_key = ?1 ORDER BY id DESC LIMIT 1",
                    params![cache_key],
                    |row| row.get(0),
                )
                .optional()?;
            found
                .map(|r| {
                    serde_json::from_str(&r).context("the journal holds a malformed step result")
                })
                .transpose()
        })
    }
}

fn insert_run(tx: &rusqlite::Transaction<'_>, step: i64, run: &RunRecord) -> Result<()> {
    tx.execute(
        "INSERT INTO runs (step, test, outcome, title, stage, duration_s, log) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            step,
            run.name,
            run.outcome.word(),
            run.outcome.title(),
            run.stage,
            run.duration_s,
            run.log.to_string_lossy()
        ],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_older_journals_slurm_jobs_join_the_ledger_and_are_still_ended() {
        let dir = tempfile::tempdir().unwrap();
        let old = Connection::open(dir.path().join(FILE)).unwrap();
        old.execute_batch(
            "CREATE TABLE slurm_jobs (name TEXT PRIMARY KEY, submitted REAL NOT NULL, id INTEGER, ended REAL);
             INSERT INTO slurm_jobs VALUES ('culprit-a', 1.0, 41, NULL), ('culprit-b', 2.0, 42, 3.0);",
        )
        .unwrap();
        drop(old);
        let journal = Journal::open(dir.path()).unwrap();
        assert_eq!(journal.unended_remote_jobs("slurm").unwrap(), ["culprit-a"]);
        assert!(journal.unended_remote_jobs("lava").unwrap().is_empty());
        journal.remote_job_ended("culprit-a", None).unwrap();
        assert!(journal.unended_remote_jobs("slurm").unwrap().is_empty());
        // Opened again, nothing moves twice.
        drop(journal);
        let journal = Journal::open(dir.path()).unwrap();
        journal.remote_job_started("slurm", "culprit-c").unwrap();
        assert_eq!(journal.unended_remote_jobs("slurm").unwrap(), ["culprit-c"]);
    }
}
