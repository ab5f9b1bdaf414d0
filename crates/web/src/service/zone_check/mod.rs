//! The current passport's data page, read and cross-checked: when an applicant who holds an
//! ordinary passport uploads its data page (material 1 of a renewal), the machine-readable
//! zone is read off it (the photo crate's zone reader with Tesseract, the domain's TD3
//! parser with its check digits and repairs) in the same heavy job as the upload's intake,
//! and the reading is stored with the file, sealed. The comparison with the form is made
//! when the order is shown, so it follows the applicant's later corrections. Nothing blocks:
//! a difference or an unreadable zone is a gentle warning for the applicant and a flag, with
//! both values, for the reviewer.

use image::DynamicImage;
use lingshi_domain::application::HeldDocument;
use lingshi_domain::materials::Material;
use lingshi_domain::mrz::{MrzProblem, Td3, cross_check};
use lingshi_photo::{OcrError, Tesseract, read_zone};
use serde_json::{Value, json};

use crate::i18n::{Catalogs, Locale};
use crate::service::orders::Loaded;

/// The slot whose uploads are read.
const READ_SLOT: Material = Material::CurrentDocumentPage;

/// What was read off a data page, as stored with the file.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Reading {
    /// A zone whose check digits all hold.
    Read { zone: Td3 },
    /// No zone could be read: none found, or its check digits fail.
    Unreadable { problem: MrzProblem },
    /// Not looked at: a PDF, or the OCR program is not available.
    NotChecked { reason: String },
}

/// The zone reader for an upload to `material` of `loaded`: the configured one, if the
/// material is the data page of an ordinary passport the applicant holds.
pub fn reader_for(tesseract: Option<&Tesseract>, loaded: &Loaded, material: Material) -> Option<Tesseract> {
    let holds_passport = loaded.form.route.is_some_and(|route| route.held == HeldDocument::OrdinaryPassport);
    (material == READ_SLOT && holds_passport).then(|| tesseract.cloned()).flatten()
}

/// Reads the zone off an upload's `pixels` (`None` for a PDF), as the JSON stored with it.
/// Heavy: run it off the async threads.
pub fn read(pixels: Option<&DynamicImage>, tesseract: &Tesseract) -> String {
    let reading = match pixels {
        None => Reading::NotChecked { reason: "pdf".into() },
        Some(pixels) => match read_zone(pixels, tesseract, |text| Td3::read(text).is_ok()) {
            Ok(text) => match Td3::read(&text) {
                Ok(zone) => Reading::Read { zone },
                Err(problem) => Reading::Unreadable { problem },
            },
            Err(OcrError::Unavailable(_)) => Reading::NotChecked { reason: "ocr_unavailable".into() },
            // A run that failed or overran says nothing about the page either.
            Err(error) => {
                tracing::warn!(%error, "the zone reader failed");
                Reading::NotChecked { reason: "ocr_failed".into() }
            }
        },
    };
    serde_json::to_string(&reading).unwrap_or_default()
}

/// The check of `loaded`'s newest data page that has a reading, for the order's view: its
/// status (`read`, `matches`, `differs`, `unreadable`, `not_checked`), whether it warns, a
/// sentence for the applicant, and the differences with both values.
pub fn view(loaded: &Loaded, catalogs: &Catalogs, locale: Locale) -> Value {
    let Some(reading) = loaded
        .files_in(READ_SLOT.code())
        .filter_map(|file| file.reading.as_deref())
        .last()
        .and_then(|stored| serde_json::from_str::<Reading>(stored).ok())
    else {
        return Value::Null;
    };
    let text = |key: &str| catalogs.text(locale, key).to_owned();
    match reading {
        Reading::Read { zone } => {
            let Some(details) = &loaded.form.details else {
                return json!({"status": "read", "warn": false, "message": text("zone_check_read")});
            };
            let mismatches: Vec<Value> = cross_check(&zone, details)
                .into_iter()
                .map(|m| {
                    json!({
                        "field": m.field.code(),
                        "field_name": text(&format!("field_{}", m.field.code())),
                        "on_page": m.on_page,
                        "typed": m.typed,
                        "message": catalogs.text(locale, "zone_check_differs_field")
                            .replace("{field}", catalogs.text(locale, &format!("field_{}", m.field.code()))),
                    })
                })
                .collect();
            let status = if mismatches.is_empty() { "matches" } else { "differs" };
            json!({"status": status, "warn": !mismatches.is_empty(), "message": text(&format!("zone_check_{status}")),
                   "mismatches": mismatches})
        }
        Reading::Unreadable { problem } => json!({
            "status": "unreadable", "warn": true, "problem": problem, "message": text("zone_check_unreadable"),
        }),
        Reading::NotChecked { reason } => json!({
            "status": "not_checked", "warn": false, "reason": reason,
            "message": text(&format!("zone_check_not_checked_{reason}")),
        }),
    }
}

#[cfg(test)]
mod tests;
