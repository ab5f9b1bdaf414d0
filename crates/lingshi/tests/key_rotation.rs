//! `lingshi admin rotate-key` on SQLite and PostgreSQL: killed (SIGKILL) after its first
//! batch, it leaves the old key in force and the next one beside it, `serve` refuses to start
//! on the half-rotated data, and running it again finishes: the new key takes the old one's
//! place, the old one is set aside, and the platform runs under the new key (legalization
//! checks pass, staff sign in, the audit chain verifies).

mod support;

use lingshi_storage::testing::{create_postgres_database, drop_postgres_database};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::Stdio;
use support::{create_staff_with, free_port, lingshi, serve_with, signed_in};

const LEGALIZATIONS: usize = 6;

fn text(output: &std::process::Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

fn certificate(n: usize) -> String {
    format!("BE-2026-{n:06}")
}

async fn check(base: &str, n: usize) -> reqwest::StatusCode {
    let body = serde_json::json!({"certificate_no": certificate(n), "check_code": format!("CODE{n}")});
    let response = reqwest::Client::new().post(format!("{base}/api/v1/legalization-checks")).json(&body).send().await;
    response.expect("check").status()
}

async fn rotation_killed_then_resumed(data: &Path, variables: &[(&str, &str)]) {
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut server = serve_with(data, port, variables).await;
    create_staff_with(data, variables);
    let staff = signed_in(&base).await;
    for n in 0..LEGALIZATIONS {
        let body = serde_json::json!({"certificate_no": certificate(n), "check_code": format!("CODE{n}"),
            "document_type": "出生公证书", "issued_on": "2026-03-01", "holder_name": "张三"});
        let url = format!("{base}/api/v1/staff/legalizations");
        let response = staff.post(url).header("origin", &base).json(&body).send().await.expect("register");
        assert_eq!(response.status(), reqwest::StatusCode::CREATED);
    }
    server.kill();
    let key_file = data.join("master.key");
    let old_key = std::fs::read_to_string(&key_file).expect("the key in force");

    let mut rotation = lingshi(data)
        .envs(variables.iter().copied())
        .args(["admin", "rotate-key", "--batch", "1"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("rotate-key");
    let mut lines = BufReader::new(rotation.stdout.take().expect("stdout")).lines();
    let first = lines.find_map(|line| line.ok().filter(|l| l.contains("sealed again")));
    rotation.kill().expect("SIGKILL");
    rotation.wait().expect("reaped");
    assert!(first.is_some(), "a first batch was reported before the kill");
    assert!(data.join("master.key.next").exists(), "the next key waits beside the old one");
    assert_eq!(std::fs::read_to_string(&key_file).expect("key"), old_key, "the old key is still in force");

    let refused = lingshi(data)
        .envs(variables.iter().copied())
        .arg("serve")
        .env("LINGSHI_ADDR", format!("127.0.0.1:{port}"))
        .output()
        .expect("serve");
    assert!(!refused.status.success() && text(&refused).contains("rotation is unfinished"), "{}", text(&refused));

    let finished = lingshi(data).envs(variables.iter().copied()).args(["admin", "rotate-key"]).output().expect("run");
    assert!(finished.status.success() && text(&finished).contains("the new key is in force"), "{}", text(&finished));
    assert!(!data.join("master.key.next").exists());
    let new_key = std::fs::read_to_string(&key_file).expect("key");
    assert_ne!(new_key, old_key, "a new key is in force");
    let retired: Vec<String> = std::fs::read_dir(data)
        .expect("data dir")
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.file_name().is_some_and(|n| n.to_string_lossy().starts_with("master.key.retired-")))
        .filter_map(|path| std::fs::read_to_string(path).ok())
        .collect();
    assert_eq!(retired, vec![old_key], "the old key is set aside, once");

    let _server = serve_with(data, port, variables).await;
    for n in 0..LEGALIZATIONS {
        assert_eq!(check(&base, n).await, reqwest::StatusCode::OK, "legalization {n} checks under the new key");
    }
    signed_in(&base).await;
    let verified =
        lingshi(data).envs(variables.iter().copied()).args(["admin", "audit-verify"]).output().expect("audit-verify");
    assert!(verified.status.success() && text(&verified).contains("intact"), "{}", text(&verified));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_rotation_resumes_on_sqlite() {
    let data = std::env::temp_dir().join(format!("lingshi-rotation-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    rotation_killed_then_resumed(&data, &[]).await;
    let _ = std::fs::remove_dir_all(&data);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_rotation_resumes_on_postgres() {
    let name = format!("lingshi_rotation_{}", std::process::id());
    let url = create_postgres_database(&name).await;
    let data = std::env::temp_dir().join(format!("lingshi-rotation-pg-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    rotation_killed_then_resumed(&data, &[("DATABASE_URL", url.as_str())]).await;
    drop_postgres_database(&name).await;
    let _ = std::fs::remove_dir_all(&data);
}
