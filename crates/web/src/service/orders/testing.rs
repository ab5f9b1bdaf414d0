//! Orders as the use cases see them, built in memory for their unit tests: the Embassy in
//! Belgium as seeded, a draft of a given service and type, nothing stored.

use super::Loaded;
use chrono::Utc;
use lingshi_domain::application::{ApplicationType, Service};
use lingshi_domain::application_form::Form;
use lingshi_domain::order::OrderState;
use lingshi_storage::orders::{Order, OrderFile};

/// A draft of `service` (of type `kind`) at the Embassy in Belgium.
pub fn draft(service: Service, kind: Option<ApplicationType>) -> Loaded {
    let now = Utc::now();
    let mission = lingshi_storage::seed::missions().into_iter().next().unwrap_or_else(|| panic!("seeded missions"));
    let order = Order {
        id: "order-1".into(),
        number: "BE261130TEST22".into(),
        mission_id: mission.id.clone(),
        service: service.code().into(),
        application_type: kind.map(ApplicationType::code),
        state: OrderState::Draft,
        submitter_id: Some("account-1".into()),
        intake_staff_id: None,
        accepted_by: None,
        claimed_by: None,
        claimed_at: None,
        on_behalf: false,
        progress: 0,
        form: serde_json::Value::Null,
        document_index: None,
        name_index: None,
        pinyin_index: None,
        minor: false,
        face_state: None,
        photo_passed: None,
        payment_method: None,
        fee_minor: None,
        fee_currency: None,
        fingerprint_requested_at: None,
        unread: false,
        version: 1,
        created_at: now,
        updated_at: now,
        submitted_at: None,
    };
    Loaded::unlisted(order, Form::default(), service, kind, std::sync::Arc::new(mission))
}

/// A file in `slot`, added at `at`.
pub fn file(slot: &str, at: chrono::DateTime<Utc>) -> OrderFile {
    OrderFile {
        id: format!("file-{slot}-{}", at.timestamp_nanos_opt().unwrap_or_default()),
        slot: slot.into(),
        blob_key: "blob".into(),
        content_kind: "pdf".into(),
        size_bytes: 10,
        report: None,
        reading: None,
        created_at: at,
    }
}

/// A renewal of an ordinary passport.
pub fn renewal() -> ApplicationType {
    ApplicationType::ALL[0]
}
