//! What the binary's tests share: a `lingshi serve` process on a free port, killed when
//! dropped; a staff session; clients writing notices; the notices read from the database.

#![allow(dead_code)] // each test binary uses its own part of it

use std::collections::BTreeSet;
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub const PASSWORD: &str = "writer staff password";
const STAFF: &str = "notice.writer";

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

/// The binary on the SQLite installation in `data`.
pub fn lingshi(data: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_lingshi"));
    command.env("LINGSHI_DATA_DIR", data).env("DATABASE_URL", "").env("LINGSHI_LOG", "error");
    command
}

/// A running server, killed (SIGKILL) and reaped when dropped, also when a check fails.
pub struct Server(Child);

impl Server {
    pub fn kill(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }

    /// Asks the server to stop (SIGTERM), as a service manager does.
    pub fn terminate(&self) {
        let terminated = Command::new("kill").args(["-TERM", &self.0.id().to_string()]).status().expect("kill");
        assert!(terminated.success(), "the server was running");
    }

    /// Its exit status, if it has exited.
    pub fn exited(&mut self) -> Option<std::process::ExitStatus> {
        self.0.try_wait().expect("wait")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Starts `lingshi serve` on `port` and waits until it answers.
pub async fn serve(data: &Path, port: u16) -> Server {
    serve_with(data, port, &[]).await
}

/// [`serve`] with more configuration variables.
pub async fn serve_with(data: &Path, port: u16, variables: &[(&str, &str)]) -> Server {
    let mut child = lingshi(data)
        .arg("serve")
        .env("LINGSHI_ADDR", format!("127.0.0.1:{port}"))
        .envs(variables.iter().copied())
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

/// Creates the mission administrator who writes the notices.
pub fn create_staff(data: &Path) {
    create_staff_with(data, &[]);
}

/// [`create_staff`] with more configuration variables.
pub fn create_staff_with(data: &Path, variables: &[(&str, &str)]) {
    let made = lingshi(data)
        .args(["admin", "create-staff", "--username", STAFF, "--name", "Notice Writer", "--role", "mission_admin"])
        .args(["--mission", "be-embassy"])
        .envs(variables.iter().copied())
        .env("LINGSHI_STAFF_PASSWORD", PASSWORD)
        .status()
        .expect("create staff");
    assert!(made.success());
}

/// A staff session on the server at `base`.
pub async fn signed_in(base: &str) -> reqwest::Client {
    let client = reqwest::Client::builder().cookie_store(true).build().expect("client");
    let response = client
        .post(format!("{base}/staff/login"))
        .header("origin", base)
        .form(&[("username", STAFF), ("password", PASSWORD)])
        .send()
        .await
        .expect("sign in");
    assert!(response.status().is_success() || response.status().is_redirection(), "{}", response.status());
    client
}

/// The ids of the notices in the SQLite database `file`, read straight from it.
pub async fn stored_notices(file: &Path) -> BTreeSet<String> {
    let url = format!("sqlite://{}", file.display());
    let db = lingshi_storage::Db::connect(&url).await.expect("open the database");
    let ids: Vec<String> =
        lingshi_storage::db_run!(&db, |pool| { sqlx::query_scalar("SELECT id FROM notices").fetch_all(pool).await })
            .expect("notices");
    db.close().await;
    ids.into_iter().collect()
}

/// Writes notices until `stop` is set or the server goes away; records the ids it
/// acknowledged in `ids`.
pub async fn write_notices(
    client: reqwest::Client,
    base: String,
    ids: Arc<Mutex<BTreeSet<String>>>,
    stop: Arc<AtomicBool>,
) {
    for n in 0.. {
        if stop.load(Ordering::Relaxed) {
            return;
        }
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
