//! The kill -9 guarantee of group commit: the `lingshi` binary (SQLite) is killed with
//! SIGKILL while sixteen clients write to it, then restarted on the same data, five times;
//! every write it acknowledged must be there afterwards.

mod support;

use std::collections::BTreeSet;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use support::{create_staff, free_port, serve, signed_in, stored_notices, write_notices};

const CYCLES: usize = 5;
const CLIENTS: usize = 16;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn no_acknowledged_write_is_lost_when_the_server_is_killed() {
    let data = std::env::temp_dir().join(format!("lingshi-kill9-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    let port = free_port();
    let mut server = serve(&data, port).await;
    create_staff(&data);
    let base = format!("http://127.0.0.1:{port}");
    let acknowledged = Arc::new(Mutex::new(BTreeSet::new()));
    let never = Arc::new(AtomicBool::new(false));
    for cycle in 0..CYCLES {
        let client = signed_in(&base).await;
        let writers: Vec<_> = (0..CLIENTS)
            .map(|_| tokio::spawn(write_notices(client.clone(), base.clone(), acknowledged.clone(), never.clone())))
            .collect();
        tokio::time::sleep(Duration::from_millis(400 + 150 * cycle as u64)).await;
        server.kill();
        for writer in writers {
            writer.await.expect("writer");
        }
        server = serve(&data, port).await;
        let present = stored_notices(&data.join("lingshi.db")).await;
        let acknowledged = acknowledged.lock().expect("ids").clone();
        let lost: Vec<&String> = acknowledged.difference(&present).collect();
        println!("cycle {}: {} writes acknowledged so far, {} lost", cycle + 1, acknowledged.len(), lost.len());
        assert!(lost.is_empty(), "acknowledged writes lost after kill -9: {lost:?}");
    }
    assert!(acknowledged.lock().expect("ids").len() > CYCLES * 10, "the clients did write under load");
    server.kill();
    let _ = std::fs::remove_dir_all(&data);
}
