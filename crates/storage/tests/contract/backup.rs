//! Backups taken while the platform writes, restored into an empty place, on SQLite and on
//! PostgreSQL: every change acknowledged before the backup began is there with its file, the
//! audit chain verifies, and nothing is ever written over.

use chrono::Utc;
use lingshi_storage::audit::{self, AuditActor, AuditEntry, ChainCheck};
use lingshi_storage::backup::{self, BackupError};
use lingshi_storage::blobs::BlobStore;
use lingshi_storage::{Db, MasterKey, Vault, both_backends};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

const WRITERS: usize = 4;

/// One acknowledged change: a sealed file, and an audit row naming it, committed together.
async fn write_one(db: &Db, vault: &Vault, blobs: &BlobStore, n: usize) -> (String, Vec<u8>) {
    let bytes = format!("护照照片 {n} {}", uuid::Uuid::new_v4()).into_bytes();
    let key = blobs.put(vault, "photo", &bytes).await.expect("file");
    let officer = AuditActor { kind: "staff", id: "officer-1".into(), role: Some("reviewer".into()) };
    let entry = AuditEntry {
        mission_id: Some("be-embassy"),
        actor: &officer,
        action: "upload",
        order_id: Some(&key),
        before_state: None,
        after_state: None,
        reason: Some("备份测试"),
    };
    let mut tx = db.begin().await.expect("begin");
    audit::append(&mut tx, vault, &entry, Utc::now()).await.expect("append");
    tx.commit().await.expect("commit");
    (key, bytes)
}

/// The URL `db` was opened at: the SQLite file under `dir`, or the test's PostgreSQL database.
async fn url_of(db: &Db, dir: &Path) -> String {
    match db {
        Db::Sqlite(_) => format!("sqlite://{}", dir.join("lingshi.db").display()),
        Db::Postgres(pool) => {
            let name: String = sqlx::query_scalar("SELECT current_database()").fetch_one(pool).await.expect("name");
            lingshi_storage::testing::postgres_url(&name)
        }
    }
}

/// An empty place to restore into: a SQLite path not yet made, or a new empty PostgreSQL
/// database (dropped by the caller through [`drop_database`]).
async fn empty_target(db: &Db, dir: &Path) -> (String, Option<String>) {
    match db {
        Db::Sqlite(_) => (format!("sqlite://{}", dir.join("restored").join("lingshi.db").display()), None),
        Db::Postgres(pool) => {
            let name = format!("lingshi_restore_{}", uuid::Uuid::new_v4().simple());
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(pool).await.expect("create");
            (lingshi_storage::testing::postgres_url(&name), Some(name))
        }
    }
}

async fn drop_database(db: &Db, name: Option<String>) {
    if let (Db::Postgres(pool), Some(name)) = (db, name) {
        let drop = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
        sqlx::raw_sql(sqlx::AssertSqlSafe(drop)).execute(pool).await.expect("drop");
    }
}

both_backends!(a_backup_under_writes_restores_every_acknowledged_change, |db: Db, dir| async move {
    let vault = Arc::new(Vault::new(&MasterKey::generate().expect("key")));
    let blobs = BlobStore::open(&dir.join("files")).expect("files");
    let acknowledged = Arc::new(Mutex::new(BTreeMap::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..WRITERS)
        .map(|w| {
            let (db, vault, blobs, acknowledged, stop) =
                (db.clone(), vault.clone(), blobs.clone(), acknowledged.clone(), stop.clone());
            tokio::spawn(async move {
                for n in (w..).step_by(WRITERS) {
                    if stop.load(Ordering::Relaxed) {
                        return;
                    }
                    let (key, bytes) = write_one(&db, &vault, &blobs, n).await;
                    acknowledged.lock().expect("acknowledged").insert(key, bytes);
                }
            })
        })
        .collect();
    while acknowledged.lock().expect("acknowledged").len() < 40 {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let before = acknowledged.lock().expect("acknowledged").clone();
    let url = url_of(&db, &dir).await;
    let dest = dir.join("backup");
    let manifest = backup::backup(&db, &url, Some(&dir.join("files")), &vault, &dest).await.expect("backup");
    stop.store(true, Ordering::Relaxed);
    for writer in writers {
        writer.await.expect("writer");
    }
    let written = acknowledged.lock().expect("acknowledged").len();
    assert!(written > before.len(), "the writers went on during the backup ({written} > {})", before.len());
    assert!(manifest.files >= before.len(), "{} files backed up", manifest.files);

    // Nothing is written over: not a backup into a used directory, not a restore onto data.
    let again = backup::backup(&db, &url, Some(&dir.join("files")), &vault, &dest).await;
    assert!(matches!(again, Err(BackupError::NotEmpty(_))), "{again:?}");
    let onto_itself = backup::restore(&dest, &url, Some(&dir.join("elsewhere")), &vault).await;
    assert!(matches!(onto_itself, Err(BackupError::NotEmpty(_) | BackupError::DatabaseNotEmpty)), "{onto_itself:?}");
    let (target, database) = empty_target(&db, &dir).await;
    let files = dir.join("restored").join("files");
    let stranger = Vault::new(&MasterKey::generate().expect("key"));
    let wrong_key = backup::restore(&dest, &target, Some(&files), &stranger).await;
    assert!(matches!(wrong_key, Err(BackupError::WrongKey)), "{wrong_key:?}");
    assert!(!files.exists(), "a refused restore wrote nothing");

    backup::restore(&dest, &target, Some(&files), &vault).await.expect("restore");
    let restored = Db::connect(&target).await.expect("open the restored database");
    let restored_files = BlobStore::open(&files).expect("files");
    for (key, bytes) in &before {
        assert_eq!(audit::for_order(&restored, key).await.expect("audit").len(), 1, "audit row of {key}");
        assert_eq!(&restored_files.get(&vault, "photo", key).await.expect("file"), bytes, "file {key}");
    }
    match audit::verify(&restored).await.expect("verify") {
        ChainCheck::Intact { rows } => assert!(rows as usize >= before.len(), "{rows} rows"),
        broken => panic!("the restored audit chain is broken: {broken:?}"),
    }
    assert_eq!(
        lingshi_storage::migrate::run(&restored).await.expect("migrations"),
        0,
        "restored at the current schema"
    );
    restored.close().await;
    drop_database(&db, database).await;
});
