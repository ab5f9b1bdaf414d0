//! Consular information: mission staff write notices in Markdown, per language, and publish
//! or withdraw them; anyone reads a mission's published notices, rendered safely.

use crate::error::{AppError, FieldError, FieldErrors};
use crate::state::AppState;
use chrono::Utc;
use lingshi_domain::application_form::short_text;
use lingshi_storage::notices::{self, Notice, NoticeContent};
use lingshi_storage::staff::Staff;
use serde_json::{Value, json};

/// Longest notice body, in characters.
pub const MAX_BODY_CHARS: usize = 20_000;

/// Writes a notice (unpublished) for the officer's mission; returns its id.
pub async fn write(
    state: &AppState,
    staff: &Staff,
    language: &str,
    title: &str,
    body: &str,
) -> Result<String, AppError> {
    let mission = crate::service::staff::own_mission(staff)?;
    let mut problems = Vec::new();
    // One of the interface's languages, by its own tag exactly.
    let language = match crate::i18n::Locale::ALL.iter().find(|l| l.tag() == language.trim()) {
        Some(locale) => locale.tag(),
        None => {
            problems.push(FieldError { field: "language", code: "unknown_choice" });
            ""
        }
    };
    let title = short_text(title, 100).map_err(|e| problems.push(FieldError { field: "title", code: e.code() })).ok();
    let body_chars = body.trim().chars().count();
    if body_chars == 0 {
        problems.push(FieldError { field: "body", code: "required" });
    } else if body_chars > MAX_BODY_CHARS {
        problems.push(FieldError { field: "body", code: "too_long" });
    }
    if !problems.is_empty() {
        return Err(FieldErrors(problems).into());
    }
    let title = title.unwrap_or_default();
    let content = NoticeContent { language, title: &title, body: body.trim() };
    let mut tx = state.db.begin().await?;
    let id = notices::create(&mut tx, mission, &content, &staff.id, Utc::now()).await?;
    crate::service::staff::audit_mission_act(&mut tx, state, staff, "notice_written", &title).await?;
    tx.commit().await?;
    Ok(id)
}

/// Whether the path's last word asks to `publish` (true) or `unpublish` (false); 404 else.
pub fn publishing(change: &str) -> Result<bool, AppError> {
    match change {
        "publish" => Ok(true),
        "unpublish" => Ok(false),
        _ => Err(AppError::NotFound),
    }
}

/// Publishes or withdraws one of the officer's mission's notices (404 for another's).
pub async fn set_published(state: &AppState, staff: &Staff, id: &str, published: bool) -> Result<(), AppError> {
    let mission = crate::service::staff::own_mission(staff)?;
    let mut tx = state.db.begin().await?;
    notices::set_published(&mut tx, id, mission, published, Utc::now()).await?;
    crate::service::staff::audit_mission_act(
        &mut tx,
        state,
        staff,
        if published { "notice_published" } else { "notice_withdrawn" },
        id,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A notice as readers see it: its Markdown rendered to safe HTML.
pub fn view(notice: &Notice) -> Value {
    json!({
        "id": notice.id, "language": notice.language, "title": notice.title,
        "html": crate::markdown::to_safe_html(&notice.body), "published": notice.published,
        "updated_at": notice.updated_at.to_rfc3339(),
    })
}

/// A mission's published notices in `language` first, then the others.
pub async fn published(state: &AppState, mission_id: &str, language: &str) -> Result<Vec<Value>, AppError> {
    let mut all = notices::list(&state.db, mission_id, true).await?;
    all.sort_by_key(|n| n.language != language);
    Ok(all.iter().map(view).collect())
}
