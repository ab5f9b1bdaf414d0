//! The passport-photo check as a use case: intake, face detection and the specification's
//! rules, off the async threads, and the report in the reader's language. Advisory only:
//! the applicant sees what fails and may go on (FAQ 5).

use crate::error::{AppError, FieldErrors};
use crate::i18n::{Catalogs, Locale};
use crate::service::heavy_work;
use crate::service::rate_limits::RateLimit;
use crate::state::AppState;
use chrono::{Duration, Utc};
use lingshi_photo::{IntakeLimits, Report, assess, decode};
use serde_json::{Value, json};

/// Checks `bytes` as a passport photo.
pub fn check_bytes(bytes: &[u8], limits: IntakeLimits) -> Result<Report, AppError> {
    let (_, pixels) = decode(bytes, limits).map_err(|e| FieldErrors::single("photo", e.code()))?;
    assess(&pixels).map_err(AppError::internal)
}

/// Photo checks for anyone, without an account: each costs tens of milliseconds of a core,
/// so one client gets 30 in 10 minutes (a citizen tries a handful of photos).
const PUBLIC_CHECKS: RateLimit =
    RateLimit { kind: "photo_check", allowed: 30, window: Duration::minutes(10), refusal: "too_many_photo_checks" };

/// [`check_bytes`] for `client`, within its allowance, as heavy work (one per core at a time).
pub async fn check_upload(state: &AppState, client: &[u8], bytes: Vec<u8>) -> Result<Report, AppError> {
    let now = Utc::now();
    PUBLIC_CHECKS.ensure_allowed(&state.db, client, now).await?;
    PUBLIC_CHECKS.record(&state.db, client, now).await?;
    let limits = state.settings.photo_limits;
    heavy_work::run(move || check_bytes(&bytes, limits)).await?
}

/// The report as stored with an order: language-neutral (rule codes, verdicts, values).
pub fn stored_report(report: &Report) -> Value {
    let rules: Vec<Value> = report
        .results
        .iter()
        .map(|r| {
            json!({
                "rule": r.rule.code(),
                "verdict": r.verdict,
                "measured": r.measured.map(|m| (m * 10.0).round() / 10.0),
                "unit": r.unit,
            })
        })
        .collect();
    json!({"passes": report.passes(), "rules": rules, "suggested_crop": report.suggested_crop, "outline": report.outline})
}

/// A file's stored report read back (`None` when it has none, or it cannot be read).
pub fn read_stored_report(stored: Option<&str>) -> Option<Value> {
    stored.and_then(|report| serde_json::from_str(report).ok())
}

/// Whether a stored report says the photo meets every rule (`None` without a report).
pub fn stored_report_passes(stored: Option<&str>) -> Option<bool> {
    read_stored_report(stored)?["passes"].as_bool()
}

/// A stored report with what the specification asks of each rule and the name of the unit
/// of its measure, in `locale`.
pub fn localized_report(stored: &Value, catalogs: &Catalogs, locale: Locale) -> Value {
    let mut view = stored.clone();
    if let Some(rules) = view["rules"].as_array_mut() {
        for rule in rules {
            let code = rule["rule"].as_str().unwrap_or_default().to_owned();
            rule["requirement"] = Value::String(catalogs.text(locale, &format!("photo_rule_{code}")).to_owned());
            let unit = rule["unit"].as_str().unwrap_or_default().replace('/', "_per_");
            rule["unit_name"] = Value::String(catalogs.text(locale, &format!("photo_unit_{unit}")).to_owned());
            if rule["verdict"] == "fail" {
                rule["advice"] =
                    Value::String(catalogs.text(locale, &advice_key(&code, rule["measured"].as_f64())).to_owned());
            }
        }
    }
    view
}

/// The catalog key of what to do about a failed rule: which way a ranged measure is off
/// (`photo_fix_head_height_low`: the head is too small), else the rule's one advice.
fn advice_key(code: &str, measured: Option<f64>) -> String {
    let side = lingshi_photo::Rule::from_code(code)
        .zip(measured)
        .and_then(|(rule, measured)| rule.off_towards_high(measured))
        .map_or("", |above| if above { "_high" } else { "_low" });
    format!("photo_fix_{code}{side}")
}

/// The report as the API and the CLI show it: each rule with its verdict, the value
/// measured and what the specification asks, in `locale`.
pub fn report_view(report: &Report, catalogs: &Catalogs, locale: Locale) -> Value {
    localized_report(&stored_report(report), catalogs, locale)
}
