//! The kill -9 guarantee of group commit: the `lingshi` binary (SQLite) is killed with
//! SIGKILL while sixteen clients write to it, then restarted on the same data, five times;
//! every write it acknowledged must be there afterwards.

use std::collections::BTreeSet;
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const CYCLES: usize = 5;
const CLIENTS: usize = 16;
const PASSWORD: &str = "kill nine password";

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

fn lingshi(data: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_lingshi"));
    command.env("LINGSHI_DATA_DIR", data).env("DATABASE_URL", "").env("LINGSHI_LOG", "error");
    command
}

/// A running server, killed (SIGKILL) and reaped when dropped, also when a check fails.
struct Server(Child);

impl Server {
    fn kill(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Starts `lingshi serve` on `port` and waits until it answers.
async fn serve(data: &Path, port: u16) -> Server {
    let mut child = lingshi(data)
        .arg("serve")
        .env("LINGSHI_ADDR", format!("127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .spawn()
        .expect("lingshi serve");
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline && child.try_wait().is_ok_and(|status| status.is_none()) {
        if reqwest::get(format!("http://127.0.0.1:{port}/healthz")).await.is_ok_and(|r| r.status().is_success()) {
            return Server(child);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let _ = child.kill();
    let status = child.wait();
    panic!("lingshi did not start: {status:?}");
}

/// A staff session on the server at `base`.
async fn signed_in(base: &str) -> reqwest::Client {
    let client = reqwest::Client::builder().cookie_store(true).build().expect("client");
    let response = client
        .post(format!("{base}/staff/login"))
        .header("origin", base)
        .form(&[("username", "kill.nine"), ("password", PASSWORD)])
        .send()
        .await
        .expect("sign in");
    assert!(response.status().is_success() || response.status().is_redirection(), "{}", response.status());
    client
}

/// The ids of the notices in the database, read straight from its file.
async fn stored_notices(data: &Path) -> BTreeSet<String> {
    let url = format!("sqlite://{}", data.join("lingshi.db").display());
    let db = lingshi_storage::Db::connect(&url).await.expect("open the database");
    let ids: Vec<String> =
        lingshi_storage::db_run!(&db, |pool| { sqlx::query_scalar("SELECT id FROM notices").fetch_all(pool).await })
            .expect("notices");
    db.close().await;
    ids.into_iter().collect()
}

/// Writes notices until the server goes away; returns the ids it acknowledged.
async fn write_until_killed(client: reqwest::Client, base: String, ids: Arc<Mutex<BTreeSet<String>>>) {
    for n in 0.. {
        let body = serde_json::json!({"language": "zh-CN", "title": format!("停电通知 {n}"), "body": "领事大厅今日下午暂停办公。"});
        let Ok(response) =
            client.post(format!("{base}/api/v1/staff/notices")).header("origin", &base).json(&body).send().await
        else {
            return;
        };
        if !response.status().is_success() {
            continue;
        }
        let Ok(answer) = response.json::<serde_json::Value>().await else { return };
        if let Some(id) = answer["id"].as_str() {
            ids.lock().expect("ids").insert(id.to_owned());
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn no_acknowledged_write_is_lost_when_the_server_is_killed() {
    let data = std::env::temp_dir().join(format!("lingshi-kill9-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    let port = free_port();
    let mut server = serve(&data, port).await;
    let made = lingshi(&data)
        .args([
            "admin",
            "create-staff",
            "--username",
            "kill.nine",
            "--name",
            "Kill Nine",
            "--role",
            "mission_admin",
            "--mission",
            "be-embassy",
        ])
        .env("LINGSHI_STAFF_PASSWORD", PASSWORD)
        .status()
        .expect("create staff");
    assert!(made.success());
    let base = format!("http://127.0.0.1:{port}");
    let acknowledged = Arc::new(Mutex::new(BTreeSet::new()));
    for cycle in 0..CYCLES {
        let client = signed_in(&base).await;
        let writers: Vec<_> = (0..CLIENTS)
            .map(|_| tokio::spawn(write_until_killed(client.clone(), base.clone(), acknowledged.clone())))
            .collect();
        tokio::time::sleep(Duration::from_millis(400 + 150 * cycle as u64)).await;
        server.kill();
        for writer in writers {
            writer.await.expect("writer");
        }
        server = serve(&data, port).await;
        let present = stored_notices(&data).await;
        let acknowledged = acknowledged.lock().expect("ids").clone();
        let lost: Vec<&String> = acknowledged.difference(&present).collect();
        println!("cycle {}: {} writes acknowledged so far, {} lost", cycle + 1, acknowledged.len(), lost.len());
        assert!(lost.is_empty(), "acknowledged writes lost after kill -9: {lost:?}");
    }
    assert!(acknowledged.lock().expect("ids").len() > CYCLES * 10, "the clients did write under load");
    server.kill();
    let _ = std::fs::remove_dir_all(&data);
}
