//! `lingshi admin backup` while the platform writes, and `lingshi admin restore` into a new
//! installation: every notice acknowledged before the backup began is there, the audit chain
//! verifies, and a restore needs the master key and never writes over a database.

mod support;

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use support::{create_staff, free_port, lingshi, serve, signed_in, stored_notices, write_notices};

const CLIENTS: usize = 8;

fn text(output: &std::process::Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_backup_taken_under_writes_restores_into_a_new_installation() {
    let root = std::env::temp_dir().join(format!("lingshi-backup-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let (live, copy, restored) = (root.join("live"), root.join("backup"), root.join("restored"));
    let port = free_port();
    let mut server = serve(&live, port).await;
    create_staff(&live);
    let base = format!("http://127.0.0.1:{port}");
    let client = signed_in(&base).await;
    let acknowledged = Arc::new(Mutex::new(BTreeSet::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..CLIENTS)
        .map(|_| tokio::spawn(write_notices(client.clone(), base.clone(), acknowledged.clone(), stop.clone())))
        .collect();
    while acknowledged.lock().expect("ids").len() < 30 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let before = acknowledged.lock().expect("ids").clone();
    let backup = lingshi(&live).args(["admin", "backup"]).arg(&copy).output().expect("backup");
    assert!(backup.status.success() && text(&backup).contains("backup written"), "{}", text(&backup));
    stop.store(true, Ordering::Relaxed);
    for writer in writers {
        writer.await.expect("writer");
    }
    server.kill();
    let written = acknowledged.lock().expect("ids").len();
    assert!(written > before.len(), "the clients went on writing during the backup ({written})");
    assert!(!copy.join("master.key").exists(), "the key is not in the backup");

    let keyless = lingshi(&restored).args(["admin", "restore"]).arg(&copy).output().expect("restore");
    assert!(!keyless.status.success() && text(&keyless).contains("no master key"), "{}", text(&keyless));
    std::fs::create_dir_all(&restored).expect("dir");
    std::fs::copy(live.join("master.key"), restored.join("master.key")).expect("the key, kept apart");
    let restore = lingshi(&restored).args(["admin", "restore"]).arg(&copy).output().expect("restore");
    assert!(restore.status.success() && text(&restore).contains("restored from"), "{}", text(&restore));
    let again = lingshi(&restored).args(["admin", "restore"]).arg(&copy).output().expect("restore");
    assert!(!again.status.success() && text(&again).contains("never writes over"), "{}", text(&again));

    let present = stored_notices(&restored.join("lingshi.db")).await;
    let missing: Vec<_> = before.difference(&present).collect();
    assert!(missing.is_empty(), "acknowledged before the backup but not restored: {missing:?}");
    let verify = lingshi(&restored).args(["admin", "audit-verify"]).output().expect("verify");
    assert!(verify.status.success() && text(&verify).contains("audit chain intact"), "{}", text(&verify));
    let mut restarted = serve(&restored, port).await;
    restarted.kill();
    let _ = std::fs::remove_dir_all(&root);
}
