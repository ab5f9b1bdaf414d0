//! The `lingshi` binary as an operator uses it.

use std::process::Command;

fn lingshi() -> Command {
    Command::new(env!("CARGO_BIN_EXE_lingshi"))
}

#[test]
fn photo_check_prints_each_rule_and_a_crop_for_a_loose_snapshot() {
    let dir = std::env::temp_dir().join(format!("lingshi-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let file = dir.join("astronaut.png");
    std::fs::write(&file, lingshi_photo::testing::fixture("astronaut.png")).expect("write");

    let text = lingshi().args(["photo", "check", "--lang", "en"]).arg(&file).output().expect("run");
    assert!(text.status.success());
    let out = String::from_utf8_lossy(&text.stdout);
    assert!(out.contains("head_height") && out.contains("Does not meet") && out.contains("suggested crop"), "{out}");

    let json = lingshi().args(["photo", "check", "--json"]).arg(&file).output().expect("run");
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).expect("json");
    assert_eq!(report["rules"].as_array().map(Vec::len), Some(13));
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
