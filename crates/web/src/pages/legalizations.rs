//! Pages for the verification of consular legalizations: the public check, and the staff
//! register with its CSV import.

use crate::auth::CurrentStaff;
use crate::error::AppError;
use crate::extract::{ClientKey, Lang, PageForm};
use crate::i18n::Locale;
use crate::pages::forms::rerender;
use crate::render::{field_messages, page, page_with};
use crate::service::legalizations;
use crate::state::AppState;
use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use serde_json::{Value, json};

pub fn router() -> Router<AppState> {
    Router::new().route("/legalization", crate::pages::forms::blank("legalization.html").post(check)).route(
        "/staff/legalizations",
        get(register_page)
            .post(register_or_import)
            .layer(DefaultBodyLimit::max(crate::api::legalizations::MAX_IMPORT_BYTES)),
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CheckForm {
    certificate_no: String,
    check_code: String,
}

async fn check(
    State(state): State<AppState>,
    Lang(locale): Lang,
    ClientKey(client): ClientKey,
    PageForm(form): PageForm<CheckForm>,
) -> Result<Response, AppError> {
    let values = json!({"certificate_no": form.certificate_no});
    match legalizations::check(&state, &client, &form.certificate_no, &form.check_code).await {
        Ok(answer) => {
            let mission = match &answer.certificate {
                Some(found) => state
                    .directory
                    .find(&state.db, &found.mission_id)
                    .await?
                    .map(|m| m.name.get(locale.tag()).to_owned()),
                None => None,
            };
            let context = json!({"answer": answer, "mission": mission, "values": values});
            Ok(page(&state, locale, "legalization.html", context)?.into_response())
        }
        Err(error) => rerender(&state, locale, "legalization.html", error, values),
    }
}

async fn staff_page(
    state: &AppState,
    locale: Locale,
    current: &CurrentStaff,
    extra: Value,
    status: StatusCode,
) -> Result<Response, AppError> {
    let mission = current.staff.mission_id.clone().unwrap_or_default();
    let registered = lingshi_storage::legalizations::list(&state.db, &mission, 50).await?;
    page_with(state, locale, "staff_legalizations.html", (json!({"registered": registered}), extra), status)
}

async fn register_page(
    State(state): State<AppState>,
    Lang(locale): Lang,
    current: CurrentStaff,
) -> Result<Response, AppError> {
    staff_page(&state, locale, &current, json!({}), StatusCode::OK).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RegisterForm {
    certificate_no: String,
    check_code: String,
    document_type: String,
    issued_on: String,
    holder_name: String,
    /// A pasted CSV: when present, the form imports it instead.
    csv: String,
}

async fn register_or_import(
    State(state): State<AppState>,
    Lang(locale): Lang,
    current: CurrentStaff,
    PageForm(form): PageForm<RegisterForm>,
) -> Result<Response, AppError> {
    if !form.csv.trim().is_empty() {
        return match legalizations::import_csv(&state, &current.staff, &form.csv).await {
            Ok(rows) => staff_page(&state, locale, &current, json!({"report": rows}), StatusCode::OK).await,
            Err(error) => {
                let extra = json!({"errors": field_messages(&state, locale, &error), "values": {"csv": form.csv}});
                staff_page(&state, locale, &current, extra, error.status()).await
            }
        };
    }
    let fields = [&*form.certificate_no, &*form.check_code, &*form.document_type, &*form.issued_on, &*form.holder_name];
    match legalizations::register(&state, &current.staff, fields).await {
        Ok(()) => {
            staff_page(&state, locale, &current, json!({"registered_one": form.certificate_no}), StatusCode::CREATED)
                .await
        }
        Err(error @ AppError::Invalid(_)) => {
            let values = json!({"certificate_no": form.certificate_no, "document_type": form.document_type,
                                "issued_on": form.issued_on, "holder_name": form.holder_name});
            let extra = json!({"errors": field_messages(&state, locale, &error), "values": values});
            staff_page(&state, locale, &current, extra, error.status()).await
        }
        Err(other) => Err(other),
    }
}
