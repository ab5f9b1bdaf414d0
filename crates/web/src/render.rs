//! Server-rendered pages: the templates (embedded in the binary, HTML auto-escaped) and
//! the context every page gets (its language, the message catalog, who is signed in).

use crate::error::AppError;
use crate::i18n::Locale;
use crate::state::AppState;
use axum::response::Html;
use minijinja::Environment;
use serde_json::{Value, json};

/// Every template, by name.
const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../templates/base.html")),
    ("staff_my_orders.html", include_str!("../templates/staff_my_orders.html")),
    ("home.html", include_str!("../templates/home.html")),
    ("error.html", include_str!("../templates/error.html")),
    ("register.html", include_str!("../templates/register.html")),
    ("register_confirm.html", include_str!("../templates/register_confirm.html")),
    ("login.html", include_str!("../templates/login.html")),
    ("password_forgot.html", include_str!("../templates/password_forgot.html")),
    ("password_reset.html", include_str!("../templates/password_reset.html")),
    ("account.html", include_str!("../templates/account.html")),
    ("account_notifications.html", include_str!("../templates/account_notifications.html")),
    ("verify.html", include_str!("../templates/verify.html")),
    ("account_delete.html", include_str!("../templates/account_delete.html")),
    ("verify_face.html", include_str!("../templates/verify_face.html")),
    ("missions.html", include_str!("../templates/missions.html")),
    ("mission.html", include_str!("../templates/mission.html")),
    ("staff_login.html", include_str!("../templates/staff_login.html")),
    ("staff_home.html", include_str!("../templates/staff_home.html")),
    ("staff_queue.html", include_str!("../templates/staff_queue.html")),
    ("staff_order.html", include_str!("../templates/staff_order.html")),
    ("staff_dashboard.html", include_str!("../templates/staff_dashboard.html")),
    ("staff_members.html", include_str!("../templates/staff_members.html")),
    ("staff_walk_in.html", include_str!("../templates/staff_walk_in.html")),
    ("legalization.html", include_str!("../templates/legalization.html")),
    ("translate.html", include_str!("../templates/translate.html")),
    ("offline.html", include_str!("../templates/offline.html")),
    ("messages.html", include_str!("../templates/messages.html")),
    ("download.html", include_str!("../templates/download.html")),
    ("notices.html", include_str!("../templates/notices.html")),
    ("pension_form.html", include_str!("../templates/pension_form.html")),
    ("pension.html", include_str!("../templates/pension.html")),
    ("staff_pensions.html", include_str!("../templates/staff_pensions.html")),
    ("staff_notices.html", include_str!("../templates/staff_notices.html")),
    ("staff_legalizations.html", include_str!("../templates/staff_legalizations.html")),
    ("photo_check.html", include_str!("../templates/photo_check.html")),
    ("macros.html", include_str!("../templates/macros.html")),
    ("apply.html", include_str!("../templates/apply.html")),
    ("orders.html", include_str!("../templates/orders.html")),
    ("order.html", include_str!("../templates/order.html")),
    ("online_payments.html", include_str!("../templates/online_payments.html")),
    ("pay.html", include_str!("../templates/pay.html")),
    ("interview.html", include_str!("../templates/interview.html")),
    ("staff_interviews.html", include_str!("../templates/staff_interviews.html")),
    ("staff_interview.html", include_str!("../templates/staff_interview.html")),
    ("order_step.html", include_str!("../templates/order_step.html")),
    ("step_details.html", include_str!("../templates/step_details.html")),
    ("step_annotations.html", include_str!("../templates/step_annotations.html")),
    ("step_photo.html", include_str!("../templates/step_photo.html")),
    ("step_declaration.html", include_str!("../templates/step_declaration.html")),
    ("step_materials.html", include_str!("../templates/step_materials.html")),
    ("step_delivery.html", include_str!("../templates/step_delivery.html")),
    ("step_review.html", include_str!("../templates/step_review.html")),
    ("step_face.html", include_str!("../templates/step_face.html")),
    ("step_pickup.html", include_str!("../templates/step_pickup.html")),
    ("step_payment.html", include_str!("../templates/step_payment.html")),
];

/// The compiled templates.
pub struct Templates {
    env: Environment<'static>,
}

impl Templates {
    /// Compiles every template; a syntax error is a startup failure, caught by tests.
    pub fn load() -> Result<Self, minijinja::Error> {
        let mut env = Environment::new();
        env.set_auto_escape_callback(|_| minijinja::AutoEscape::Html);
        // Forms read `values.x` and `errors.x` before anything was submitted.
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Chainable);
        // `{{ number | phone }}`: a stored telephone number in international form.
        env.add_filter("phone", |stored: String| lingshi_domain::phone::display(&stored));
        for (name, source) in TEMPLATES {
            env.add_template(name, source)?;
        }
        Ok(Self { env })
    }
}

/// Adds the fields of `extra` (an object) to `target` (an object), `extra`'s winning.
pub fn merge(target: &mut Value, extra: Value) {
    if let (Some(target), Value::Object(more)) = (target.as_object_mut(), extra) {
        target.extend(more);
    }
}

/// The catalog texts shown in Chinese beside their translation: the material names and the
/// nationality declaration.
fn kept_in_chinese(catalogs: &crate::i18n::Catalogs) -> serde_json::Map<String, Value> {
    catalogs
        .all(Locale::Zh)
        .iter()
        .filter(|(key, _)| key.starts_with("label_") || *key == "declaration_text")
        .map(|(key, text)| (key.clone(), Value::String(text.clone())))
        .collect()
}

/// Renders `template` with `context` plus the common context: `lang`, the catalog `m`.
pub fn page(state: &AppState, locale: Locale, template: &str, context: Value) -> Result<Html<String>, AppError> {
    let mut full = json!({
        "lang": locale.tag(),
        "languages": Locale::ALL.map(|l| json!({"tag": l.tag(), "name": l.native_name()})),
        "m": state.catalogs.all(locale),
        // What must stay in Chinese (the declaration's legal wording, the guide's material
        // names) is shown in Chinese beside its translation to a reader of another script.
        "zh": matches!(locale, Locale::En | Locale::Fr | Locale::Nl).then(|| kept_in_chinese(&state.catalogs)),
    });
    merge(&mut full, context);
    let template = state.templates.env.get_template(template).map_err(AppError::internal)?;
    template.render(minijinja::value::Serde(&full)).map(Html).map_err(AppError::internal)
}

/// A page whose context is `base` with `extra` merged in (messages, values typed, a result),
/// answered with `status`.
pub fn page_with(
    state: &AppState,
    locale: Locale,
    template: &str,
    (mut base, extra): (Value, Value),
    status: axum::http::StatusCode,
) -> Result<axum::response::Response, AppError> {
    use axum::response::IntoResponse;
    merge(&mut base, extra);
    Ok((status, page(state, locale, template, base)?).into_response())
}

/// Field errors of a failed submission as `{field: message}`, for forms to show beside
/// each field.
pub fn field_messages(state: &AppState, locale: Locale, error: &AppError) -> Value {
    let map: serde_json::Map<String, Value> = error
        .fields()
        .iter()
        .map(|f| (f.field.to_owned(), Value::String(state.catalogs.field_error(locale, f.field, f.code))))
        .collect();
    Value::Object(map)
}

/// The page shown for an error outside the API.
pub fn error_page(state: &AppState, locale: Locale, error: &AppError) -> Html<String> {
    let context = json!({"status": error.status().as_u16(), "message": state.catalogs.error(locale, error.code())});
    page(state, locale, "error.html", context).unwrap_or_else(|_| Html(String::from("Error")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_renders_without_context() {
        let templates = Templates::load().expect("templates compile");
        let catalogs = crate::i18n::Catalogs::load();
        // A step's screen is rendered inside order_step.html, which imports its macros.
        for (name, _) in TEMPLATES.iter().filter(|(name, _)| !name.starts_with("step_")) {
            let context = json!({"lang": "en", "m": catalogs.all(Locale::En), "step": "details"});
            let rendered = templates.env.get_template(name).and_then(|t| t.render(minijinja::value::Serde(&context)));
            assert!(rendered.is_ok(), "{name}: {rendered:?}");
        }
        for step in lingshi_domain::application::Step::ALL {
            let context = json!({"lang": "en", "m": catalogs.all(Locale::En), "step": step.code()});
            let rendered =
                templates.env.get_template("order_step.html").and_then(|t| t.render(minijinja::value::Serde(&context)));
            assert!(rendered.is_ok(), "{step:?}: {rendered:?}");
        }
    }
}
