//! The `lingshi` binary as an operator uses it.

use std::process::Command;

fn lingshi() -> Command {
    Command::new(env!("CARGO_BIN_EXE_lingshi"))
}

#[test]
fn photo_check_prints_each_rule_and_a_crop_for_a_loose_snapshot() {
    let dir = std::env::temp_dir().join(format!("lingshi-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let file = dir.join("snapshot.png");
    std::fs::write(&file, lingshi_photo::testing::phone_snapshot()).expect("write");

    let text = lingshi().args(["photo", "check", "--lang", "en"]).arg(&file).output().expect("run");
    assert!(text.status.success());
    let out = String::from_utf8_lossy(&text.stdout);
    assert!(out.contains("head_height") && out.contains("Does not meet") && out.contains("suggested crop"), "{out}");

    let json = lingshi().args(["photo", "check", "--json"]).arg(&file).output().expect("run");
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).expect("json");
    assert_eq!(report["rules"].as_array().map(Vec::len), Some(lingshi_photo::Rule::ALL.len()));
    assert_eq!(report["passes"], false);

    std::fs::write(&file, b"not an image").expect("write");
    let refused = lingshi().args(["photo", "check", "--lang", "en"]).arg(&file).output().expect("run");
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("JPG or PNG"));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_bad_configuration_variable_is_named_and_nothing_starts() {
    let out = lingshi().arg("serve").env("LINGSHI_ADDR", "nonsense").output().expect("run");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("LINGSHI_ADDR"));
}

#[test]
fn a_file_store_that_cannot_be_used_stops_the_start_with_the_reason() {
    let dir = std::env::temp_dir().join(format!("lingshi-cli-blobs-{}", std::process::id()));
    let settings = lingshi_storage::testing::s3_settings();
    let start = |url: &str| {
        let mut command = lingshi();
        command.arg("serve").env("LINGSHI_DATA_DIR", &dir).env("DATABASE_URL", "").env("LINGSHI_ADDR", "127.0.0.1:0");
        command.env("LINGSHI_LOG", "error").env("LINGSHI_BLOB_URL", url);
        for (name, value) in &settings {
            command.env(name, value);
        }
        command.output().expect("run")
    };
    let malformed = start("https://bucket.example");
    assert!(!malformed.status.success());
    assert!(String::from_utf8_lossy(&malformed.stderr).contains("LINGSHI_BLOB_URL"));
    let missing = start("s3://no-such-bucket-anywhere/files");
    assert!(!missing.status.success(), "a node never starts without its files");
    let reason = String::from_utf8_lossy(&missing.stderr);
    assert!(reason.contains("LINGSHI_BLOB_URL") && reason.contains("no-such-bucket-anywhere"), "{reason}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn audit_verify_reports_the_first_tampered_row() {
    let dir = std::env::temp_dir().join(format!("lingshi-cli-audit-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let verify = || {
        lingshi()
            .args(["admin", "audit-verify"])
            .env("LINGSHI_DATA_DIR", &dir)
            .env("LINGSHI_LOG", "error")
            .output()
            .expect("run")
    };
    let url = format!("sqlite://{}", dir.join("lingshi.db").display());
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    // The database exists (as `serve` leaves it): admin commands never create one.
    let db = runtime.block_on(async {
        let db = lingshi_storage::Db::connect(&url).await.expect("db");
        lingshi_storage::migrate::run(&db).await.expect("migrate");
        db
    });
    let empty = verify();
    assert!(empty.status.success(), "{}", String::from_utf8_lossy(&empty.stderr));
    assert!(String::from_utf8_lossy(&empty.stdout).contains("intact: 0 rows"));

    runtime.block_on(async {
        let vault = lingshi_storage::Vault::new(&lingshi_storage::MasterKey::generate().expect("key"));
        let officer =
            lingshi_storage::audit::AuditActor { kind: "staff", id: "s1".into(), role: Some("reviewer".into()) };
        for action in ["accepted", "ready", "handed_over"] {
            let entry = lingshi_storage::audit::AuditEntry {
                mission_id: Some("be-embassy"),
                actor: &officer,
                action,
                order_id: Some("o1"),
                before_state: None,
                after_state: None,
                reason: None,
            };
            let mut tx = db.begin().await.expect("begin");
            lingshi_storage::audit::append(&mut tx, &vault, &entry, chrono::Utc::now()).await.expect("append");
            tx.commit().await.expect("commit");
        }
    });
    let intact = verify();
    assert!(intact.status.success() && String::from_utf8_lossy(&intact.stdout).contains("intact: 3 rows"));

    runtime.block_on(async {
        let db = lingshi_storage::Db::connect(&url).await.expect("db");
        lingshi_storage::db_run!(&db, |pool| sqlx::query("UPDATE audit_log SET actor_id = 's2' WHERE seq = 2")
            .execute(pool)
            .await
            .map(|done| done.rows_affected()))
        .expect("tamper");
    });
    let broken = verify();
    assert!(!broken.status.success());
    assert!(String::from_utf8_lossy(&broken.stderr).contains("broken at row 2"));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn admin_commands_refuse_a_database_that_does_not_exist() {
    let dir = std::env::temp_dir().join(format!("lingshi-cli-missing-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    for command in [&["admin", "audit-verify"][..], &["admin", "list-missions"], &["migrate"]] {
        let run = lingshi()
            .args(command)
            .env("LINGSHI_DATA_DIR", &dir)
            .env("DATABASE_URL", "")
            .env("LINGSHI_LOG", "error")
            .output()
            .expect("run");
        assert!(!run.status.success(), "{command:?} must fail");
        let error = String::from_utf8_lossy(&run.stderr);
        assert!(error.contains("no database at") && error.contains("LINGSHI_DATA_DIR"), "{command:?}: {error}");
        assert!(!dir.join("lingshi.db").exists(), "{command:?} created a database");
    }
}

#[test]
fn admin_reconcile_prints_the_differences_recorded_for_the_day() {
    let dir = std::env::temp_dir().join(format!("lingshi-cli-reconcile-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let url = format!("sqlite://{}", dir.join("lingshi.db").display());
    let date = chrono::NaiveDate::from_ymd_opt(2026, 11, 29).expect("date");
    tokio::runtime::Runtime::new().expect("runtime").block_on(async {
        let db = lingshi_storage::Db::connect(&url).await.expect("db");
        lingshi_storage::migrate::run(&db).await.expect("migrate");
        let difference = lingshi_storage::reconciliation::Difference {
            provider: "wechat_pay".into(),
            bill_date: date,
            kind: "missing_ours".into(),
            reference: "LS-NEVER-SEEN".into(),
            ours_minor: None,
            theirs_minor: Some(1600),
            currency: "EUR".into(),
        };
        lingshi_storage::reconciliation::save(&db, ("wechat_pay", date), 3, &[difference], chrono::Utc::now())
            .await
            .expect("save");
    });
    let run = |day: &str| {
        lingshi()
            .args(["admin", "reconcile", "--date", day])
            .env("LINGSHI_DATA_DIR", &dir)
            .env("LINGSHI_LOG", "error")
            .output()
            .expect("run")
    };
    let found = run("2026-11-29");
    let out = String::from_utf8_lossy(&found.stdout);
    assert!(found.status.success(), "{}", String::from_utf8_lossy(&found.stderr));
    assert!(out.contains("no payment merchant is configured"), "{out}");
    assert!(out.contains("wechat_pay\tmissing_ours\tLS-NEVER-SEEN\tours -\ttheirs 16.00 EUR"), "{out}");
    assert!(out.contains("1 differences on 2026-11-29"), "{out}");
    let other_day = run("2026-11-28");
    assert!(String::from_utf8_lossy(&other_day.stdout).contains("0 differences on 2026-11-28"));
    let bad = run("29/11/2026");
    assert!(!bad.status.success() && String::from_utf8_lossy(&bad.stderr).contains("--date"));
    let _ = std::fs::remove_dir_all(dir);
}
