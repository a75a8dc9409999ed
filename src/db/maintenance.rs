//! Operator tasks on the data directory: the single-instance lock, online backup and restore.

use std::fs::{File, TryLockError};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use rusqlite::{Connection, OpenFlags};

/// An exclusive lock on `<data dir>/instainstru.lock`, held for the life of a server (or a
/// restore) so two processes never own the same database. Released when dropped or on exit.
pub struct DataDirLock {
    _file: File,
}

impl DataDirLock {
    pub fn acquire(path: &Path) -> anyhow::Result<Self> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create data directory {}", dir.display()))?;
        }
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(path)
            .with_context(|| format!("cannot open lock file {}", path.display()))?;
        match file.try_lock() {
            Ok(()) => Ok(Self { _file: file }),
            Err(TryLockError::WouldBlock) => bail!(
                "another instainstru process is using this data directory (lock {} is held)",
                path.display()
            ),
            Err(TryLockError::Error(err)) => Err(err).context("cannot lock the data directory"),
        }
    }
}

/// Writes a consistent copy of the live database to `to` with `VACUUM INTO`, which reads one
/// snapshot and so is safe while the server runs. Returns the size of the copy in bytes.
pub fn backup(db: &Path, to: &Path) -> anyhow::Result<u64> {
    if to.exists() {
        bail!("{} already exists; choose a new file", to.display());
    }
    let conn = open_existing(db)?;
    let target = to.to_str().context("backup path must be valid UTF-8")?;
    conn.execute("VACUUM INTO ?1", [target])
        .context("backup failed")?;
    Ok(std::fs::metadata(to)?.len())
}

/// Replaces the database with the backup `from`. Refuses while a server holds the data
/// directory; keeps the replaced file beside it as `instainstru.db.pre-restore-<unix time>`.
pub fn restore(
    db: &Path,
    lock: &Path,
    from: &Path,
    now_unix: i64,
) -> anyhow::Result<Option<PathBuf>> {
    let _lock = DataDirLock::acquire(lock)
        .context("refusing to restore over a running server: stop it first")?;
    check_is_backup(from)?;

    let kept = if db.exists() {
        // Fold the WAL into the main file so the kept copy is complete on its own.
        open_existing(db)?.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        let kept = db.with_extension(format!("db.pre-restore-{now_unix}"));
        std::fs::rename(db, &kept)?;
        Some(kept)
    } else {
        None
    };
    for suffix in ["-wal", "-shm"] {
        let side = PathBuf::from(format!("{}{suffix}", db.display()));
        if side.exists() {
            std::fs::remove_file(side)?;
        }
    }
    let staging = db.with_extension("db.restoring");
    std::fs::copy(from, &staging).context("cannot copy the backup into place")?;
    std::fs::rename(&staging, db)?;
    Ok(kept)
}

fn open_existing(db: &Path) -> anyhow::Result<Connection> {
    if !db.exists() {
        bail!("no database at {}", db.display());
    }
    let conn = Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_WRITE)
        .with_context(|| format!("cannot open {}", db.display()))?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    Ok(conn)
}

fn check_is_backup(from: &Path) -> anyhow::Result<()> {
    let conn = Connection::open_with_flags(from, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .with_context(|| format!("cannot open backup {}", from.display()))?;
    let check: String = conn
        .query_row("PRAGMA quick_check", [], |r| r.get(0))
        .with_context(|| format!("{} is not a SQLite database", from.display()))?;
    if check != "ok" {
        bail!("{} is damaged: {check}", from.display());
    }
    if super::schema_version(&conn)? == 0 {
        bail!(
            "{} is not an InstaInstru backup (no schema history)",
            from.display()
        );
    }
    Ok(())
}
