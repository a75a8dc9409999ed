//! Schema migrations embedded from `migrations/` (refinery). They run at every start-up; an
//! applied file must never change (refinery aborts on a checksum mismatch).

use rusqlite::Connection;

refinery::embed_migrations!("migrations");

pub fn run(conn: &mut Connection) -> anyhow::Result<()> {
    let report = migrations::runner().run(conn)?;
    for migration in report.applied_migrations() {
        tracing::info!(
            version = migration.version(),
            name = migration.name(),
            "applied migration"
        );
    }
    Ok(())
}

/// The newest applied migration version, or 0 for an empty database.
pub fn schema_version(conn: &Connection) -> rusqlite::Result<i64> {
    let exists: bool = conn.query_row(
        "SELECT EXISTS(SELECT 1 FROM sqlite_master WHERE name = 'refinery_schema_history')",
        [],
        |r| r.get(0),
    )?;
    if !exists {
        return Ok(0);
    }
    conn.query_row(
        "SELECT COALESCE(MAX(version), 0) FROM refinery_schema_history",
        [],
        |r| r.get(0),
    )
}
