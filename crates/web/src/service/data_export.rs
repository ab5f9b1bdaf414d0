//! Everything the platform holds about an applicant, for the applicant (GDPR articles 15 and
//! 20): one zip with `data.json` — the account, its real-name identity, every order it filed
//! (for itself and for others) as the order page shows it, every pension certification, every
//! message of 我的消息 — and each file decrypted (photos, signatures, materials, face
//! captures), named in `data.json`.

use crate::api::me::AccountView;
use crate::error::AppError;
use crate::i18n::Locale;
use crate::service::orders;
use crate::state::AppState;
use lingshi_domain::order::Actor;
use lingshi_storage::accounts::{self, Account};
use serde_json::{Value, json};
use std::io::Write;
use zip::write::SimpleFileOptions;

/// The zip of `account`'s data, its texts in `locale`.
pub async fn export(state: &AppState, account: &Account, locale: Locale) -> Result<Vec<u8>, AppError> {
    let mut archive = Archive::new();
    let identity = accounts::identity(&state.db, &state.vault, &account.id).await?;
    let face_capture = match accounts::face_capture_key(&state.db, &account.id).await? {
        Some(key) => {
            let bytes = state.blobs.get(&state.vault, crate::service::identity::CAPTURE_KIND, &key).await?;
            Some(archive.add("files/account/face_capture.jpg", &bytes)?)
        }
        None => None,
    };
    let mut order_views = Vec::new();
    for (order, _) in orders::list(state, account).await? {
        let loaded = orders::load(state, account, &order.id).await?;
        let mut view = crate::api::order_view::order_value(state, &loaded, locale, Actor::Applicant).await?;
        let mut files = Vec::new();
        for file in &loaded.files {
            let (_, bytes) = crate::service::order_files::read(state, &loaded, &file.id).await?;
            let extension = if file.content_kind == "jpeg" { "jpg" } else { file.content_kind.as_str() };
            let name = format!("files/orders/{}/{}-{}.{extension}", order.number, file.slot, file.id);
            files.push(json!({"slot": file.slot, "path": archive.add(&name, &bytes)?}));
        }
        crate::render::merge(&mut view, json!({"exported_files": files}));
        order_views.push(view);
    }
    let pensions = lingshi_storage::pensions::for_account(&state.db, &state.vault, &account.id).await?;
    let messages = lingshi_storage::inbox::list(&state.db, &state.vault, &account.id).await?;
    let notify = crate::service::notify_settings::settings(state, account).await?;
    let data = json!({
        "exported_at": chrono::Utc::now().to_rfc3339(),
        "account": AccountView::from(account),
        "identity": identity.map(|i| json!({
            "name": i.name, "document_kind": i.document_kind, "document_number": i.document_number,
            "verified_at": account.verified_at.map(|at| at.to_rfc3339()),
            "face_capture": face_capture,
        })),
        "orders": order_views,
        "pensions": crate::api::pensions::views(state, &pensions, locale).await?,
        "messages": messages.iter().map(crate::api::messages::view).collect::<Vec<_>>(),
        "notifications": {"via": notify.via, "mobile": notify.mobile},
    });
    archive.add("data.json", &serde_json::to_vec_pretty(&data).map_err(AppError::internal)?)?;
    archive.finish()
}

/// A zip being written in memory.
struct Archive(zip::ZipWriter<std::io::Cursor<Vec<u8>>>);

impl Archive {
    fn new() -> Self {
        Self(zip::ZipWriter::new(std::io::Cursor::new(Vec::new())))
    }

    /// Adds `bytes` as `name`; returns the name, for `data.json` to point at.
    fn add(&mut self, name: &str, bytes: &[u8]) -> Result<Value, AppError> {
        let stored = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
        self.0.start_file(name, stored).map_err(AppError::internal)?;
        self.0.write_all(bytes).map_err(AppError::internal)?;
        Ok(Value::String(name.to_owned()))
    }

    fn finish(self) -> Result<Vec<u8>, AppError> {
        Ok(self.0.finish().map_err(AppError::internal)?.into_inner())
    }
}

/// The export as a download: a zip named after the day, never cached.
pub async fn download(
    state: &AppState,
    account: &Account,
    locale: Locale,
) -> Result<axum::response::Response, AppError> {
    use axum::http::header;
    use axum::response::IntoResponse;
    let zip = export(state, account, locale).await?;
    let name = format!("attachment; filename=\"lingshi-data-{}.zip\"", chrono::Utc::now().format("%Y-%m-%d"));
    let headers = [
        (header::CONTENT_TYPE, "application/zip".to_owned()),
        (header::CONTENT_DISPOSITION, name),
        (header::CACHE_CONTROL, "private, no-store".to_owned()),
    ];
    Ok((headers, zip).into_response())
}
