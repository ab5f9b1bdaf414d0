//! Verification of consular legalizations (查验领事认证): staff register what the mission
//! issued, one by one or by CSV with a report per row; anyone checks a number and its check
//! code, rate-limited per client, with one answer for a wrong number and a wrong code.

use crate::error::{AppError, FieldError, FieldErrors};
use crate::service::rate_limits::RateLimit;
use crate::state::AppState;
use chrono::{Duration, Utc};
use lingshi_domain::legalization::{CertificateNo, CheckCode, Legalization, parse_legalization};
use lingshi_storage::StorageError;
use lingshi_storage::legalizations::{self, Registered};
use lingshi_storage::staff::Staff;

/// Public checks: ten per client in 15 minutes.
const CHECKS: RateLimit =
    RateLimit { kind: "legalization_check", allowed: 10, window: Duration::minutes(15), refusal: "too_many_checks" };
/// Rows accepted in one CSV import.
pub const MAX_IMPORT_ROWS: usize = 5000;

/// The mission whose legalizations this officer registers: issuers and mission admins only.
fn mission_of(staff: &Staff) -> Result<&str, AppError> {
    use lingshi_domain::order::StaffRole;
    if !matches!(staff.role, StaffRole::Issuer | StaffRole::MissionAdmin) {
        return Err(AppError::Forbidden("not_your_role"));
    }
    crate::service::staff::own_mission(staff)
}

fn to_field_errors(errors: Vec<(&'static str, lingshi_domain::ValidationError)>) -> FieldErrors {
    FieldErrors(errors.into_iter().map(|(field, error)| FieldError { field, code: error.code() }).collect())
}

async fn store(state: &AppState, staff: &Staff, legalization: &Legalization) -> Result<(), AppError> {
    let mission = mission_of(staff)?;
    let mut tx = state.db.begin().await?;
    legalizations::register(&mut tx, &state.vault, mission, legalization, &staff.id, Utc::now()).await.map_err(
        |e| match e {
            StorageError::Conflict(_) => AppError::from(FieldErrors::single("certificate_no", "certificate_duplicate")),
            other => other.into(),
        },
    )?;
    tx.commit().await?;
    Ok(())
}

/// Registers one legalization for the officer's mission.
pub async fn register(state: &AppState, staff: &Staff, fields: [&str; 5]) -> Result<(), AppError> {
    let legalization = parse_legalization(fields, Utc::now().date_naive()).map_err(to_field_errors)?;
    store(state, staff, &legalization).await
}

/// What happened to one row of an import.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RowReport {
    /// 1-based, counting the header as row 1, as a spreadsheet shows it.
    pub row: usize,
    pub certificate_no: String,
    /// Empty when registered; otherwise `field: code` for each problem.
    pub errors: Vec<(String, String)>,
}

/// Imports a CSV with the header `certificate_no,check_code,document_type,issued_on,holder_name`.
/// Every valid row is registered; every other row is reported with its problems. A file that
/// is not such a CSV at all is refused whole.
pub async fn import_csv(state: &AppState, staff: &Staff, text: &str) -> Result<Vec<RowReport>, AppError> {
    mission_of(staff)?;
    const HEADER: [&str; 5] = ["certificate_no", "check_code", "document_type", "issued_on", "holder_name"];
    let mut reader = csv::ReaderBuilder::new().flexible(true).trim(csv::Trim::All).from_reader(text.as_bytes());
    let header = reader.headers().map_err(|_| FieldErrors::single("file", "csv_malformed"))?;
    if header.iter().map(|h| h.trim_start_matches('\u{feff}')).collect::<Vec<_>>() != HEADER {
        return Err(FieldErrors::single("file", "csv_header").into());
    }
    let today = Utc::now().date_naive();
    let mut reports = Vec::new();
    for (index, record) in reader.records().enumerate() {
        if index >= MAX_IMPORT_ROWS {
            return Err(FieldErrors::single("file", "csv_too_many_rows").into());
        }
        let row = index + 2;
        let record = match record {
            Ok(record) if record.len() == HEADER.len() => record,
            _ => {
                reports.push(RowReport {
                    row,
                    certificate_no: String::new(),
                    errors: vec![("row".into(), "csv_row_shape".into())],
                });
                continue;
            }
        };
        let fields = [&record[0], &record[1], &record[2], &record[3], &record[4]];
        let outcome = match parse_legalization(fields, today) {
            Ok(legalization) => store(state, staff, &legalization).await.map_err(|e| e.fields().to_vec()),
            Err(errors) => Err(to_field_errors(errors).0),
        };
        let errors = match outcome {
            Ok(()) => Vec::new(),
            Err(fields) => fields.into_iter().map(|f| (f.field.to_owned(), f.code.to_owned())).collect(),
        };
        reports.push(RowReport { row, certificate_no: record[0].to_owned(), errors });
    }
    Ok(reports)
}

/// What the public learns from a check.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CheckAnswer {
    pub genuine: bool,
    pub certificate: Option<Registered>,
}

/// Checks a number and code for `client`; refused with 429 after too many checks.
pub async fn check(state: &AppState, client: &[u8], number: &str, code: &str) -> Result<CheckAnswer, AppError> {
    let now = Utc::now();
    CHECKS.ensure_allowed(&state.db, client, now).await?;
    let number = CertificateNo::parse(number);
    let code = CheckCode::parse(code);
    let (number, code) = match (number, code) {
        (Ok(number), Ok(code)) => (number, code),
        (number, code) => {
            let errors = [("certificate_no", number.err()), ("check_code", code.err())];
            return Err(FieldErrors::collect(errors.iter().map(|(f, e)| (*f, e.as_ref()))).into());
        }
    };
    CHECKS.record(&state.db, client, now).await?;
    let found = legalizations::check(&state.db, &state.vault, number.as_str(), &code).await?;
    Ok(CheckAnswer { genuine: found.is_some(), certificate: found })
}
