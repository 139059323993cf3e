//! The history database: one SQLite file (WAL, bounded `busy_timeout`), a
//! versioned schema with migrations, every run written in one transaction.
//!
//! A file that is not a faultline history is never touched. One that is
//! damaged or written by a newer faultline is moved aside (renamed, with
//! its `-wal` and `-shm`), never overwritten, and a new history is started
//! in its place; the caller reports what happened.

use super::record::{CauseRecord, Listed, RunRecord, SeriesKind, SeriesRecord};
use rusqlite::{params, Connection, ErrorCode, OpenFlags, OptionalExtension, TransactionBehavior};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// `PRAGMA application_id` of a faultline history ("FLTH").
const APPLICATION_ID: i32 = 0x464C_5448;

/// The schema, one migration per version: `MIGRATIONS[i]` takes version
/// `i` to `i + 1`. Append, never edit.
const MIGRATIONS: &[&str] = &[
    // 1: runs, their inputs, series and ranked causes
    "CREATE TABLE runs(
        id INTEGER PRIMARY KEY,
        scope TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        window_start TEXT,
        window_end TEXT,
        span_ms INTEGER NOT NULL,
        files INTEGER NOT NULL,
        bytes INTEGER NOT NULL,
        lines INTEGER NOT NULL,
        events INTEGER NOT NULL,
        detected INTEGER NOT NULL,
        confidence REAL NOT NULL,
        version TEXT NOT NULL,
        fingerprint_version INTEGER NOT NULL
    );
    CREATE INDEX runs_by_scope ON runs(scope, id);
    CREATE TABLE inputs(
        run INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        path TEXT NOT NULL
    );
    CREATE INDEX inputs_by_run ON inputs(run);
    CREATE TABLE series(
        run INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        fingerprint TEXT NOT NULL,
        kind TEXT NOT NULL,
        system TEXT NOT NULL,
        key TEXT NOT NULL,
        category TEXT NOT NULL,
        text TEXT NOT NULL,
        count INTEGER NOT NULL,
        PRIMARY KEY(run, fingerprint)
    ) WITHOUT ROWID;
    CREATE TABLE causes(
        run INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        listed TEXT NOT NULL,
        rank INTEGER NOT NULL,
        fingerprint TEXT NOT NULL,
        signature TEXT NOT NULL,
        system TEXT NOT NULL,
        category TEXT NOT NULL,
        title TEXT NOT NULL,
        score REAL NOT NULL,
        count INTEGER NOT NULL,
        first_seen TEXT,
        PRIMARY KEY(run, listed, rank)
    ) WITHOUT ROWID;",
];

/// The version of the fingerprint algorithm (`summarize::fingerprint`),
/// stored with each run so that a change of it can be told apart from a
/// change of causes.
pub const FINGERPRINT_VERSION: i64 = 1;

/// Runs kept per scope; older ones are deleted when a run is written.
const MAX_RUNS_PER_SCOPE: i64 = 400;

/// How long a write waits for another process's lock, unless
/// `FAULTLINE_HISTORY_BUSY_MS` says otherwise (tests).
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Why the history could not be used.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    /// Another process holds the lock.
    #[error("{}: locked by another process (waited {} s); this run is not recorded", path.display(), waited.as_secs_f64())]
    Locked {
        /// The database.
        path: PathBuf,
        /// How long we waited.
        waited: Duration,
    },
    /// An SQLite database, but not a faultline history: left alone.
    #[error("{}: an SQLite database that is not a faultline history; it is left as it is (give another --history path)", path.display())]
    Foreign {
        /// The database.
        path: PathBuf,
    },
    /// A history written by a newer faultline (read-only commands).
    #[error("{}: written by a newer faultline (schema {found}, this one knows up to {known})", path.display())]
    Newer {
        /// The database.
        path: PathBuf,
        /// Its schema version.
        found: i64,
        /// Ours.
        known: i64,
    },
    /// Not readable as a history (read-only commands).
    #[error("{}: damaged ({reason})", path.display())]
    Damaged {
        /// The database.
        path: PathBuf,
        /// What SQLite said.
        reason: String,
    },
    /// Anything else: permissions, a missing folder, a full disk.
    #[error("{}: {reason}", path.display())]
    Other {
        /// The database.
        path: PathBuf,
        /// What went wrong.
        reason: String,
    },
}

/// An open history.
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

/// What made a file unusable, before we decide what to do with it.
enum Unusable {
    Damaged(String),
    Newer(i64),
    Foreign,
    Failed(HistoryError),
}

fn busy_timeout() -> Duration {
    std::env::var("FAULTLINE_HISTORY_BUSY_MS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .map_or(BUSY_TIMEOUT, Duration::from_millis)
}

fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(e.sqlite_error_code(), Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked))
}

fn is_damage(e: &rusqlite::Error) -> bool {
    matches!(e.sqlite_error_code(), Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt))
}

impl Store {
    /// Opens the history at `path` to record a run, creating it when absent.
    /// A damaged or newer-schema file is moved aside and a new history is
    /// started; what was done is returned as notes for the report.
    pub fn open_for_run(path: &Path) -> Result<(Store, Vec<String>), HistoryError> {
        let mut notes = Vec::new();
        match Store::open_existing(path, true) {
            Ok(store) => return Ok((store, notes)),
            Err(Unusable::Failed(e)) => return Err(e),
            Err(Unusable::Foreign) => return Err(HistoryError::Foreign { path: path.into() }),
            Err(Unusable::Damaged(reason)) => {
                let moved = move_aside(path)?;
                notes.push(format!(
                    "{}: damaged ({reason}); moved to {} and a new history started",
                    path.display(),
                    moved.display()
                ));
            }
            Err(Unusable::Newer(found)) => {
                let moved = move_aside(path)?;
                notes.push(format!(
                    "{}: written by a newer faultline (schema {found}, this one knows up to {}); moved to {} and a new history started",
                    path.display(),
                    MIGRATIONS.len(),
                    moved.display()
                ));
            }
        }
        match Store::open_existing(path, true) {
            Ok(store) => Ok((store, notes)),
            Err(Unusable::Failed(e)) => Err(e),
            Err(_) => {
                Err(HistoryError::Other { path: path.into(), reason: "cannot start a new history".into() })
            }
        }
    }

    /// Opens an existing history to read it (the `history` command).
    pub fn open_to_read(path: &Path) -> Result<Store, HistoryError> {
        if !path.exists() {
            return Err(HistoryError::Other { path: path.into(), reason: "no such history".into() });
        }
        Store::open_existing(path, false).map_err(|u| match u {
            Unusable::Failed(e) => e,
            Unusable::Foreign => HistoryError::Foreign { path: path.into() },
            Unusable::Damaged(reason) => HistoryError::Damaged { path: path.into(), reason },
            Unusable::Newer(found) => {
                HistoryError::Newer { path: path.into(), found, known: MIGRATIONS.len() as i64 }
            }
        })
    }

    fn open_existing(path: &Path, write: bool) -> Result<Store, Unusable> {
        let other = |e: rusqlite::Error| -> Unusable {
            if is_busy(&e) {
                Unusable::Failed(HistoryError::Locked { path: path.into(), waited: busy_timeout() })
            } else if is_damage(&e) {
                Unusable::Damaged(e.to_string())
            } else {
                Unusable::Failed(HistoryError::Other { path: path.into(), reason: e.to_string() })
            }
        };
        let flags = if write {
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE
        } else {
            OpenFlags::SQLITE_OPEN_READ_ONLY
        } | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(other)?;
        conn.busy_timeout(busy_timeout()).map_err(other)?;
        let app: i32 = conn.query_row("PRAGMA application_id", [], |r| r.get(0)).map_err(other)?;
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(other)?;
        let tables: i64 =
            conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0)).map_err(other)?;
        let fresh = app == 0 && version == 0 && tables == 0;
        if !fresh && app != APPLICATION_ID {
            return Err(Unusable::Foreign);
        }
        if version > MIGRATIONS.len() as i64 {
            return Err(Unusable::Newer(version));
        }
        if !fresh {
            let check: String = conn.query_row("PRAGMA quick_check", [], |r| r.get(0)).map_err(other)?;
            if check != "ok" {
                return Err(Unusable::Damaged(check));
            }
        }
        if write {
            conn.pragma_update(None, "journal_mode", "WAL").map_err(other)?;
            conn.pragma_update(None, "foreign_keys", true).map_err(other)?;
            let mut store = Store { conn, path: path.into() };
            store.migrate(version).map_err(other)?;
            Ok(store)
        } else if fresh {
            Err(Unusable::Damaged("empty: no run was ever recorded in it".into()))
        } else {
            // an older schema is read as it is: the columns read are in
            // every version so far
            Ok(Store { conn, path: path.into() })
        }
    }

    fn migrate(&mut self, from: i64) -> rusqlite::Result<()> {
        if from == MIGRATIONS.len() as i64 {
            return Ok(());
        }
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(from as usize) {
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        }
        tx.pragma_update(None, "application_id", APPLICATION_ID)?;
        tx.commit()
    }

    /// The database's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn failed(&self, e: rusqlite::Error) -> HistoryError {
        if is_busy(&e) {
            HistoryError::Locked { path: self.path.clone(), waited: busy_timeout() }
        } else {
            HistoryError::Other { path: self.path.clone(), reason: e.to_string() }
        }
    }

    /// Writes a run in one transaction and returns its id; the oldest runs
    /// of the scope beyond [`MAX_RUNS_PER_SCOPE`] go in the same one.
    pub fn record(&mut self, run: &RunRecord) -> Result<i64, HistoryError> {
        let path = self.path.clone();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| failed(&path, e))?;
        let write = || -> rusqlite::Result<i64> {
            tx.execute(
                "INSERT INTO runs(scope, recorded_at, window_start, window_end, span_ms, files, bytes, lines,
                                  events, detected, confidence, version, fingerprint_version)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
                params![
                    run.scope,
                    run.recorded_at,
                    run.window_start,
                    run.window_end,
                    run.span_ms,
                    run.files as i64,
                    run.bytes as i64,
                    run.lines as i64,
                    run.events as i64,
                    run.detected,
                    run.confidence,
                    run.version,
                    FINGERPRINT_VERSION
                ],
            )?;
            let id = tx.last_insert_rowid();
            let mut input = tx.prepare("INSERT INTO inputs(run, path) VALUES (?1, ?2)")?;
            for p in &run.inputs {
                input.execute(params![id, p])?;
            }
            let mut series = tx.prepare(
                "INSERT OR REPLACE INTO series(run, fingerprint, kind, system, key, category, text, count)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?;
            for s in &run.series {
                series.execute(params![
                    id,
                    s.fingerprint,
                    s.kind.as_str(),
                    s.system,
                    s.key,
                    s.category,
                    s.text,
                    s.count as i64
                ])?;
            }
            let mut cause = tx.prepare(
                "INSERT INTO causes(run, listed, rank, fingerprint, signature, system, category, title, score,
                                    count, first_seen)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            )?;
            for c in &run.causes {
                cause.execute(params![
                    id,
                    c.listed.as_str(),
                    c.rank,
                    c.fingerprint,
                    c.signature,
                    c.system,
                    c.category,
                    c.title,
                    c.score,
                    c.count as i64,
                    c.first_seen
                ])?;
            }
            tx.execute(
                "DELETE FROM runs WHERE scope = ?1 AND id NOT IN
                   (SELECT id FROM runs WHERE scope = ?1 ORDER BY id DESC LIMIT ?2)",
                params![run.scope, MAX_RUNS_PER_SCOPE],
            )?;
            Ok(id)
        };
        let id = write().map_err(|e| failed(&path, e))?;
        pause_failpoint();
        tx.commit().map_err(|e| failed(&path, e))?;
        Ok(id)
    }

    /// Every run, newest first, optionally of one scope, without series.
    pub fn runs(&self, scope: Option<&str>) -> Result<Vec<RunRecord>, HistoryError> {
        let ids: Vec<i64> = (|| -> rusqlite::Result<Vec<i64>> {
            let mut st =
                self.conn.prepare("SELECT id FROM runs WHERE ?1 IS NULL OR scope = ?1 ORDER BY id DESC")?;
            let rows = st.query_map(params![scope], |r| r.get(0))?;
            rows.collect()
        })()
        .map_err(|e| self.failed(e))?;
        ids.into_iter().map(|id| self.run(id, false).map(|r| r.expect("listed"))).collect()
    }

    /// The runs of a scope before `before` (all when `None`), newest first,
    /// at most `n`, with their series.
    pub fn earlier(
        &self,
        scope: &str,
        before: Option<i64>,
        n: usize,
    ) -> Result<Vec<RunRecord>, HistoryError> {
        let ids: Vec<i64> = (|| -> rusqlite::Result<Vec<i64>> {
            let mut st = self.conn.prepare(
                "SELECT id FROM runs WHERE scope = ?1 AND (?2 IS NULL OR id < ?2) ORDER BY id DESC LIMIT ?3",
            )?;
            let rows = st.query_map(params![scope, before, n as i64], |r| r.get(0))?;
            rows.collect()
        })()
        .map_err(|e| self.failed(e))?;
        ids.into_iter().filter_map(|id| self.run(id, true).transpose()).collect()
    }

    /// One run, with its series when `series`.
    pub fn run(&self, id: i64, with_series: bool) -> Result<Option<RunRecord>, HistoryError> {
        self.read_run(id, with_series).map_err(|e| self.failed(e))
    }

    fn read_run(&self, id: i64, with_series: bool) -> rusqlite::Result<Option<RunRecord>> {
        let run = self
            .conn
            .query_row(
                "SELECT scope, recorded_at, window_start, window_end, span_ms, files, bytes, lines, events,
                        detected, confidence, version
                 FROM runs WHERE id = ?1",
                params![id],
                |r| {
                    Ok(RunRecord {
                        id: Some(id),
                        scope: r.get(0)?,
                        recorded_at: r.get(1)?,
                        window_start: r.get(2)?,
                        window_end: r.get(3)?,
                        span_ms: r.get(4)?,
                        files: r.get::<_, i64>(5)? as u64,
                        bytes: r.get::<_, i64>(6)? as u64,
                        lines: r.get::<_, i64>(7)? as u64,
                        events: r.get::<_, i64>(8)? as u64,
                        detected: r.get(9)?,
                        confidence: r.get(10)?,
                        version: r.get(11)?,
                        inputs: Vec::new(),
                        series: Vec::new(),
                        causes: Vec::new(),
                    })
                },
            )
            .optional()?;
        let Some(mut run) = run else { return Ok(None) };
        let mut st = self.conn.prepare("SELECT path FROM inputs WHERE run = ?1 ORDER BY rowid")?;
        run.inputs = st.query_map(params![id], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
        let mut st = self.conn.prepare(
            "SELECT listed, rank, fingerprint, signature, system, category, title, score, count, first_seen
             FROM causes WHERE run = ?1 ORDER BY listed DESC, rank",
        )?;
        run.causes = st
            .query_map(params![id], |r| {
                Ok(CauseRecord {
                    listed: if r.get::<_, String>(0)? == "cause" { Listed::Cause } else { Listed::Candidate },
                    rank: r.get(1)?,
                    fingerprint: r.get(2)?,
                    signature: r.get(3)?,
                    system: r.get(4)?,
                    category: r.get(5)?,
                    title: r.get(6)?,
                    score: r.get(7)?,
                    count: r.get::<_, i64>(8)? as u64,
                    first_seen: r.get(9)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        if with_series {
            let mut st = self.conn.prepare(
                "SELECT fingerprint, kind, system, key, category, text, count FROM series WHERE run = ?1
                 ORDER BY count DESC, fingerprint",
            )?;
            run.series = st
                .query_map(params![id], |r| {
                    Ok(SeriesRecord {
                        fingerprint: r.get(0)?,
                        kind: SeriesKind::parse(&r.get::<_, String>(1)?).unwrap_or(SeriesKind::Template),
                        system: r.get(2)?,
                        key: r.get(3)?,
                        category: r.get(4)?,
                        text: r.get(5)?,
                        count: r.get::<_, i64>(6)? as u64,
                    })
                })?
                .collect::<rusqlite::Result<_>>()?;
        }
        Ok(Some(run))
    }
}

fn failed(path: &Path, e: rusqlite::Error) -> HistoryError {
    if is_busy(&e) {
        HistoryError::Locked { path: path.into(), waited: busy_timeout() }
    } else {
        HistoryError::Other { path: path.into(), reason: e.to_string() }
    }
}

/// Renames a bad history (and its `-wal`, `-shm`) to `PATH.damaged-STAMP`,
/// never over another file.
fn move_aside(path: &Path) -> Result<PathBuf, HistoryError> {
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let mut target = path.with_file_name(format!("{name}.damaged-{stamp}"));
    let mut n = 1;
    while target.exists() {
        target = path.with_file_name(format!("{name}.damaged-{stamp}.{n}"));
        n += 1;
    }
    std::fs::rename(path, &target).map_err(|e| HistoryError::Other {
        path: path.into(),
        reason: format!("cannot move it aside: {e}"),
    })?;
    for side in ["-wal", "-shm"] {
        let from = path.with_file_name(format!("{name}{side}"));
        if from.exists() {
            let to = target.with_file_name(format!(
                "{}{side}",
                target.file_name().unwrap_or_default().to_string_lossy()
            ));
            let _ = std::fs::rename(&from, &to);
        }
    }
    Ok(target)
}

/// `FAULTLINE_FAILPOINT_HISTORY=pause`: the write waits a minute inside its
/// transaction, so that a test can kill the process there.
fn pause_failpoint() {
    if std::env::var("FAULTLINE_FAILPOINT_HISTORY").is_ok_and(|v| v == "pause") {
        eprintln!("faultline: failpoint: paused inside the history transaction");
        std::thread::sleep(Duration::from_secs(60));
    }
}
