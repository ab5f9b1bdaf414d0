//! The video interviews' configuration: the booking cut-off, the reminder, and the STUN/TURN
//! servers the browsers use for the calls.

use crate::config::{ConfigError, invalid};
use lingshi_web::state::InterviewSettings;
use serde_json::Value;

/// Minutes from a variable, within `range`, or `default`.
fn minutes(
    get: &impl Fn(&str) -> Option<String>,
    variable: &'static str,
    range: std::ops::RangeInclusive<i64>,
    default: chrono::Duration,
) -> Result<chrono::Duration, ConfigError> {
    let Some(text) = get(variable) else { return Ok(default) };
    match text.trim().parse::<i64>() {
        Ok(value) if range.contains(&value) => Ok(chrono::Duration::minutes(value)),
        _ => Err(invalid(
            variable,
            format!("{text:?} is not a whole number of minutes from {} to {}", range.start(), range.end()),
        )),
    }
}

/// Whether `server` is an `RTCIceServer`: `urls` (one or several `stun:`/`turn:`/`turns:`
/// URLs), and for TURN a `username` and `credential`.
fn is_ice_server(server: &Value) -> bool {
    let Some(object) = server.as_object() else { return false };
    let url_ok = |u: &Value| u.as_str().is_some_and(|u| ["stun:", "turn:", "turns:"].iter().any(|s| u.starts_with(s)));
    let urls_ok = match object.get("urls") {
        Some(Value::Array(urls)) => !urls.is_empty() && urls.iter().all(url_ok),
        Some(url) => url_ok(url),
        None => false,
    };
    let known = object.keys().all(|k| matches!(k.as_str(), "urls" | "username" | "credential"));
    let strings = ["username", "credential"].iter().all(|k| object.get(*k).is_none_or(Value::is_string));
    urls_ok && known && strings
}

/// `LINGSHI_INTERVIEW_CUTOFF_MINUTES` (120), `LINGSHI_INTERVIEW_REMINDER_MINUTES` (60) and
/// `LINGSHI_ICE_SERVERS` (a JSON `RTCIceServer[]`; none by default).
pub fn interviews(get: &impl Fn(&str) -> Option<String>) -> Result<InterviewSettings, ConfigError> {
    let defaults = InterviewSettings::default();
    let ice_servers = match get("LINGSHI_ICE_SERVERS") {
        None => defaults.ice_servers.clone(),
        Some(text) => serde_json::from_str::<Value>(&text)
            .ok()
            .filter(|v| v.as_array().is_some_and(|servers| servers.iter().all(is_ice_server)))
            .ok_or_else(|| {
                invalid(
                    "LINGSHI_ICE_SERVERS",
                    r#"must be a JSON array of RTCIceServer, e.g. [{"urls":"stun:stun.example.org:3478"}]"#,
                )
            })?,
    };
    Ok(InterviewSettings {
        cutoff: minutes(get, "LINGSHI_INTERVIEW_CUTOFF_MINUTES", 0..=10_080, defaults.cutoff)?,
        reminder_before: minutes(get, "LINGSHI_INTERVIEW_REMINDER_MINUTES", 0..=10_080, defaults.reminder_before)?,
        ice_servers,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(pairs: &[(&str, &str)]) -> Result<InterviewSettings, ConfigError> {
        let pairs: Vec<(String, String)> = pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        interviews(&|name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()))
    }

    #[test]
    fn defaults_are_two_hours_one_hour_and_no_ice_server() {
        let settings = read(&[]).expect("defaults");
        assert_eq!(settings.cutoff, chrono::Duration::hours(2));
        assert_eq!(settings.reminder_before, chrono::Duration::hours(1));
        assert_eq!(settings.ice_servers, serde_json::json!([]));
    }

    #[test]
    fn ice_servers_and_minutes_are_read_and_checked() {
        let turn = r#"[{"urls":["turn:turn.example.org:3478","turns:turn.example.org:5349"],"username":"u","credential":"p"},{"urls":"stun:stun.example.org"}]"#;
        let settings = read(&[("LINGSHI_ICE_SERVERS", turn), ("LINGSHI_INTERVIEW_CUTOFF_MINUTES", "30")]).expect("ok");
        assert_eq!(settings.ice_servers.as_array().map(Vec::len), Some(2));
        assert_eq!(settings.cutoff, chrono::Duration::minutes(30));
        for bad in [r#"{"urls":"stun:x"}"#, r#"[{"urls":"http://x"}]"#, r#"[{"url":"stun:x"}]"#, "not json", "[{}]"] {
            let error = read(&[("LINGSHI_ICE_SERVERS", bad)]).expect_err(bad);
            assert_eq!(error.variable, "LINGSHI_ICE_SERVERS");
        }
        let error = read(&[("LINGSHI_INTERVIEW_REMINDER_MINUTES", "-5")]).expect_err("negative");
        assert_eq!(error.variable, "LINGSHI_INTERVIEW_REMINDER_MINUTES");
    }
}
