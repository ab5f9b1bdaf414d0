//! Backups of a whole installation and their restoration: a consistent copy of the database
//! (SQLite: `VACUUM INTO`, taken online while the platform writes; PostgreSQL: `pg_dump` in
//! its custom format) and of the file store, with a manifest.
//!
//! The database is copied first, the files second: a blob is written (and synced) before the
//! row that names it commits, so every file the copied database refers to is already in the
//! store when the files are copied. Blobs are named by their content and never rewritten.
//!
//! A backup holds no key: its personal data stays sealed under the master key, which is kept
//! apart. The manifest carries a value sealed under that key, so a restore under another key
//! is refused before anything is written.

use crate::crypto::Vault;
use crate::db::Db;
use crate::error::StorageError;
use base64::Engine;
use std::path::{Path, PathBuf};

/// The database copy's name inside a backup, by backend.
const SQLITE_COPY: &str = "lingshi.db";
const POSTGRES_COPY: &str = "lingshi.pgdump";
const FILES: &str = "files";
const MANIFEST: &str = "manifest.json";
/// The text sealed in the manifest under the master key in force when the backup was taken.
const KEY_CHECK: &[u8] = b"lingshi backup key check";
const KEY_CHECK_FIELD: &str = "backup.key_check";

/// What a backup holds, written beside it as `manifest.json`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Manifest {
    /// `sqlite` or `postgres`: which backend the copy restores into.
    pub backend: String,
    pub taken_at: chrono::DateTime<chrono::Utc>,
    /// How many files of the store the backup holds.
    pub files: usize,
    /// The highest schema migration applied in the copy.
    pub schema_version: i64,
    /// [`KEY_CHECK`] sealed under the master key (base64).
    pub key_check: String,
}

/// Why a backup or a restore could not be made; nothing is left half-written in the target.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{0} already exists and is not empty: a backup or restore never writes over anything")]
    NotEmpty(PathBuf),
    #[error("{0} holds no Lingshi backup (no manifest.json)")]
    NoBackup(PathBuf),
    #[error("the backup was taken from {backup}, the target database is {target}")]
    WrongBackend { backup: String, target: String },
    #[error("the master key in force is not the one the backup was taken under: its personal data could not be read")]
    WrongKey,
    #[error("{tool} failed: {message}")]
    Tool { tool: &'static str, message: String },
    #[error("the target database already holds tables: restore only into an empty database")]
    DatabaseNotEmpty,
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// Where the database lives, as `DATABASE_URL` names it.
pub enum Target<'a> {
    /// The SQLite file's path.
    Sqlite(&'a Path),
    /// The PostgreSQL URL.
    Postgres(&'a str),
}

impl<'a> Target<'a> {
    /// The target `url` names: a SQLite file or a PostgreSQL database.
    pub fn of(url: &'a str) -> Result<Self, StorageError> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Target::Postgres(url));
        }
        crate::db::sqlite_file(url).map(Target::Sqlite).ok_or(StorageError::UnsupportedUrl)
    }

    fn backend(&self) -> &'static str {
        match self {
            Target::Sqlite(_) => "sqlite",
            Target::Postgres(_) => "postgres",
        }
    }
}

/// Copies the database `db` (reached at `url`) and the file store under `files` into the new
/// directory `dest`, while the platform keeps running. `files` is `None` when they live in an
/// object store, whose own versioning and replication keep them: then only the database is
/// copied.
pub async fn backup(
    db: &Db,
    url: &str,
    files: Option<&Path>,
    vault: &Vault,
    dest: &Path,
) -> Result<Manifest, BackupError> {
    ensure_empty(dest)?;
    std::fs::create_dir_all(dest)?;
    let target = Target::of(url)?;
    match (&target, db) {
        (Target::Sqlite(_), Db::Sqlite(sqlite)) => {
            let copy = dest.join(SQLITE_COPY);
            sqlx::query("VACUUM INTO $1")
                .bind(copy.to_string_lossy().into_owned())
                .execute(&mut *sqlite.reader().await.map_err(StorageError::from)?)
                .await
                .map_err(StorageError::from)?;
        }
        (Target::Postgres(url), Db::Postgres(_)) => {
            let copy = dest.join(POSTGRES_COPY);
            run_tool(
                "pg_dump",
                &["--format=custom", "--no-owner", "--no-privileges", "--file", path_text(&copy)?, "--dbname", url],
            )?;
        }
        _ => return Err(StorageError::UnsupportedUrl.into()),
    }
    let copied = match files {
        Some(files) => copy_files(files, &dest.join(FILES))?,
        None => 0,
    };
    let manifest = Manifest {
        backend: target.backend().to_owned(),
        taken_at: chrono::Utc::now(),
        files: copied,
        schema_version: crate::migrate::applied_version(db).await?,
        key_check: base64::engine::general_purpose::STANDARD.encode(vault.encrypt(KEY_CHECK_FIELD, KEY_CHECK)?),
    };
    write_synced(&dest.join(MANIFEST), &serde_json::to_vec_pretty(&manifest).map_err(StorageError::from)?)?;
    Ok(manifest)
}

/// Restores the backup in `source` into the database at `url` (a SQLite file that does not
/// exist yet, or an empty PostgreSQL database) and the empty or absent file store `files`
/// (`None`: an object store, which keeps its files itself).
pub async fn restore(source: &Path, url: &str, files: Option<&Path>, vault: &Vault) -> Result<Manifest, BackupError> {
    let manifest = read_manifest(source)?;
    let target = Target::of(url)?;
    if manifest.backend != target.backend() {
        return Err(BackupError::WrongBackend { backup: manifest.backend, target: target.backend().to_owned() });
    }
    let sealed =
        base64::engine::general_purpose::STANDARD.decode(&manifest.key_check).map_err(|_| BackupError::WrongKey)?;
    if vault.decrypt(KEY_CHECK_FIELD, &sealed).ok().as_deref() != Some(KEY_CHECK) {
        return Err(BackupError::WrongKey);
    }
    if let Some(files) = files {
        ensure_empty(files)?;
    }
    match target {
        Target::Sqlite(path) if path.exists() => return Err(BackupError::NotEmpty(path.to_owned())),
        Target::Sqlite(_) => {}
        Target::Postgres(url) => {
            if public_tables(url).await? > 0 {
                return Err(BackupError::DatabaseNotEmpty);
            }
        }
    }
    // The files first, the database last: the database appearing is what completes a restore.
    if let Some(files) = files {
        copy_files(&source.join(FILES), files)?;
    }
    match target {
        Target::Sqlite(path) => {
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            // Copied beside the target and renamed into place: never a half-copied database.
            let partial = path.with_extension("restoring");
            std::fs::copy(source.join(SQLITE_COPY), &partial)?;
            std::fs::File::open(&partial)?.sync_all()?;
            std::fs::rename(&partial, path)?;
        }
        Target::Postgres(url) => {
            let copy = source.join(POSTGRES_COPY);
            let args = ["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction", "--dbname", url];
            run_tool("pg_restore", &[&args[..], &[path_text(&copy)?]].concat())?;
        }
    }
    Ok(manifest)
}

/// The manifest of the backup in `source`.
pub fn read_manifest(source: &Path) -> Result<Manifest, BackupError> {
    let text = std::fs::read(source.join(MANIFEST)).map_err(|_| BackupError::NoBackup(source.to_owned()))?;
    serde_json::from_slice(&text).map_err(|_| BackupError::NoBackup(source.to_owned()))
}

/// How many tables the PostgreSQL database at `url` holds in its public schema.
async fn public_tables(url: &str) -> Result<i64, StorageError> {
    let pool = sqlx::PgPool::connect(url).await?;
    let tables = sqlx::query_scalar("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public'")
        .fetch_one(&pool)
        .await;
    pool.close().await;
    Ok(tables?)
}

fn ensure_empty(dir: &Path) -> Result<(), BackupError> {
    match std::fs::read_dir(dir).map(|mut entries| entries.next().is_some()) {
        Ok(true) => Err(BackupError::NotEmpty(dir.to_owned())),
        Ok(false) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e.into()),
    }
}

fn path_text(path: &Path) -> Result<&str, BackupError> {
    path.to_str().ok_or_else(|| BackupError::Tool { tool: "path", message: format!("{} is not UTF-8", path.display()) })
}

/// Runs a PostgreSQL client tool; its own message (never row data) when it fails.
fn run_tool(tool: &'static str, args: &[&str]) -> Result<(), BackupError> {
    let output = std::process::Command::new(tool).args(args).output().map_err(|e| BackupError::Tool {
        tool,
        message: format!("cannot run it ({e}): install PostgreSQL's client tools"),
    })?;
    if output.status.success() {
        return Ok(());
    }
    let message = String::from_utf8_lossy(&output.stderr).lines().next().unwrap_or("no message").to_owned();
    Err(BackupError::Tool { tool, message })
}

/// Copies the blobs under `from` (two-character folders of content-named files) to `to`,
/// each synced; files still being written (dot-names) are left out. Returns how many.
fn copy_files(from: &Path, to: &Path) -> Result<usize, BackupError> {
    let mut copied = 0;
    let folders = match std::fs::read_dir(from) {
        Ok(folders) => folders,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e.into()),
    };
    for folder in folders {
        let folder = folder?;
        if !folder.file_type()?.is_dir() {
            continue;
        }
        let into = to.join(folder.file_name());
        std::fs::create_dir_all(&into)?;
        for file in std::fs::read_dir(folder.path())? {
            let file = file?;
            if file.file_name().to_string_lossy().starts_with('.') || !file.file_type()?.is_file() {
                continue;
            }
            let copy = into.join(file.file_name());
            std::fs::copy(file.path(), &copy)?;
            std::fs::File::open(&copy)?.sync_all()?;
            copied += 1;
        }
    }
    Ok(copied)
}

fn write_synced(path: &Path, bytes: &[u8]) -> Result<(), BackupError> {
    use std::io::Write;
    let mut file = std::fs::File::create(path)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    Ok(())
}
