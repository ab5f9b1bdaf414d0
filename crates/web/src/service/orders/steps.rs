//! Filling a draft's steps in the guide's order: each step's answers validated and saved,
//! the draft moved on; what staff search by indexed from the personal details.

use super::{DOCUMENT_INDEX_FIELD, FileChange, Loaded, NAME_INDEX_FIELD, change, name_key};
use crate::error::{AppError, FieldError, FieldErrors};
use crate::state::AppState;
use chrono::Utc;
use lingshi_domain::application::{Service, Step};
use lingshi_domain::application_form::{Annotations, Declaration, Delivery, Payment, Pickup};
use lingshi_domain::details::{Details, DetailsContext, ValidDetails};
use lingshi_domain::order::OrderState;
use lingshi_storage::accounts::Account;
use lingshi_storage::orders::{Order, OrderFile};
use lingshi_storage::rekey::OrderIndexes;
use serde_json::Value;

/// Refuses changes to anything but a draft.
pub fn ensure_draft(loaded: &Loaded) -> Result<(), AppError> {
    if loaded.order.state == OrderState::Draft { Ok(()) } else { Err(AppError::Conflict("order_not_draft")) }
}

/// The position of `step` in the order's steps, if the step may be saved now: every step
/// before it must be complete.
pub fn open_step(loaded: &Loaded, step: Step) -> Result<usize, AppError> {
    let position = loaded.steps().iter().position(|s| *s == step).ok_or(AppError::NotFound)?;
    if position > usize::try_from(loaded.order.progress).unwrap_or(0) {
        return Err(AppError::Conflict("step_out_of_order"));
    }
    Ok(position)
}

pub fn advance(loaded: &mut Loaded, position: usize) {
    let next = i32::try_from(position + 1).unwrap_or(i32::MAX);
    loaded.order.progress = loaded.order.progress.max(next);
}

fn parse<T: serde::de::DeserializeOwned>(body: Value) -> Result<T, AppError> {
    serde_json::from_value(body).map_err(|_| AppError::BadRequest("unexpected_json"))
}

/// Saves one step's answers (`body` is that step's JSON) and moves the draft on.
pub async fn save_step(
    state: &AppState,
    account: &Account,
    id: &str,
    step: Step,
    body: Value,
) -> Result<Loaded, AppError> {
    let vault = state.vault.clone();
    change(state, account, id, FileChange::None, |loaded| {
        ensure_draft(loaded)?;
        let position = open_step(loaded, step)?;
        let today = Utc::now().date_naive();
        match step {
            Step::Details => {
                let input: Details = parse(body)?;
                let context = DetailsContext {
                    kind: loaded.kind,
                    held: loaded.form.route.map(|r| r.held),
                    today,
                    home_region: Some(loaded.mission.country_code.clone()),
                };
                let details = input.validate(&context).map_err(FieldErrors::from)?;
                index_applicant(&mut loaded.order, &details, &vault, today);
                loaded.form.details = Some(details);
            }
            Step::Annotations => {
                let input: Annotations = parse(body)?;
                loaded.form.annotations = Some(input.validate().map_err(FieldErrors::from)?);
            }
            Step::Photo => {
                let photo = loaded.files_in("photo").next().ok_or(FieldErrors::single("photo", "photo_missing"))?;
                loaded.order.photo_passed = Some(photo_passed(photo));
            }
            Step::Declaration => {
                let input: Declaration = parse(body)?;
                let declaration = input.validate(loaded.parent_must_sign()).map_err(FieldErrors::from)?;
                if loaded.files_in("signature").next().is_none() {
                    return Err(FieldErrors::single("signature", "signature_missing").into());
                }
                loaded.form.declaration = Some(declaration);
            }
            Step::Materials => ensure_materials(loaded)?,
            Step::Delivery => {
                let input: Delivery = parse(body)?;
                loaded.form.delivery = Some(input.validate(&loaded.mission).map_err(FieldErrors::from)?);
            }
            Step::Review => {
                let confirmed = body.get("confirmed").and_then(Value::as_bool).unwrap_or(false);
                if !confirmed {
                    return Err(FieldErrors::single("confirmed", "review_unconfirmed").into());
                }
                loaded.form.review_confirmed = true;
            }
            Step::Face => return Err(AppError::Conflict("face_step_by_capture")),
            Step::Pickup => {
                let input: Pickup = parse(body)?;
                loaded.form.pickup = Some(input.validate(today).map_err(FieldErrors::from)?);
            }
            Step::Payment => {
                let input: Payment = parse(body)?;
                let emergency = loaded.service == Service::EmergencyTravelDocument;
                let wechat = state.settings.payments.offers(lingshi_integrations::payments::Provider::WechatPay);
                loaded.form.payment = Some(input.validate(emergency, wechat).map_err(FieldErrors::from)?);
            }
        }
        advance(loaded, position);
        Ok(None)
    })
    .await
}

/// Sets what the queue filters and searches on from the applicant's details: the minor
/// flag and the keyed indexes of the document number and the name.
pub fn index_applicant(
    order: &mut Order,
    details: &ValidDetails,
    vault: &lingshi_storage::Vault,
    today: chrono::NaiveDate,
) {
    order.minor = details.age(today) < 18;
    let indexes = applicant_indexes(details, vault);
    order.document_index = indexes.document;
    order.name_index = indexes.name;
    order.pinyin_index = indexes.pinyin;
}

/// The keyed indexes staff search an order by: its applicant's document number, Chinese name
/// and pinyin.
pub fn applicant_indexes(details: &ValidDetails, vault: &lingshi_storage::Vault) -> OrderIndexes {
    let pinyin = format!("{}{}", details.surname_pinyin.as_str(), details.given_name_pinyin.as_str());
    OrderIndexes {
        document: details.identity_number().map(|number| vault.blind_index(DOCUMENT_INDEX_FIELD, number)),
        name: Some(vault.blind_index(NAME_INDEX_FIELD, &name_key(&details.chinese_name()))),
        pinyin: Some(vault.blind_index(NAME_INDEX_FIELD, &name_key(&pinyin))),
    }
}

fn photo_passed(photo: &OrderFile) -> bool {
    crate::service::photo::stored_report_passes(photo.report.as_deref()).unwrap_or(false)
}

/// Refuses when a required material has no file, naming each one missing.
pub(super) fn ensure_materials(loaded: &Loaded) -> Result<(), AppError> {
    let missing = loaded.missing_materials();
    if missing.is_empty() {
        return Ok(());
    }
    Err(FieldErrors(missing.into_iter().map(|m| FieldError { field: m.code(), code: "material_missing" }).collect())
        .into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::orders::testing::{draft, renewal};

    #[test]
    fn steps_open_in_the_guides_order_and_progress_never_moves_back() {
        let mut loaded = draft(Service::PassportOrTravelDocument, Some(renewal()));
        assert_eq!(open_step(&loaded, Step::Details).ok(), Some(0));
        assert!(matches!(open_step(&loaded, Step::Photo), Err(AppError::Conflict("step_out_of_order"))));
        assert!(matches!(open_step(&loaded, Step::Pickup), Err(AppError::NotFound)), "not a passport step");
        advance(&mut loaded, 2);
        assert_eq!(open_step(&loaded, Step::Declaration).ok(), Some(3));
        advance(&mut loaded, 0);
        assert_eq!(loaded.order.progress, 3, "saving an earlier step again keeps the later ones done");
        loaded.order.state = OrderState::UnderReview;
        assert!(matches!(ensure_draft(&loaded), Err(AppError::Conflict("order_not_draft"))));
    }

    #[test]
    fn the_applicant_is_indexed_by_document_name_and_pinyin_and_flagged_when_minor() {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 30).expect("date");
        let input = Details {
            surname_zh: "张".into(),
            given_name_zh: "三".into(),
            surname_pinyin: "ZHANG".into(),
            given_name_pinyin: "SAN".into(),
            sex: "male".into(),
            birth_date: "2012-05-01".into(),
            birth_place: "北京".into(),
            document_number: "E12345678".into(),
            address: "Rue Neuve 1, Bruxelles".into(),
            phone: "+32 470 00 00 00".into(),
            occupation: "学生".into(),
            emergency_contact_name: "李四".into(),
            emergency_contact_phone: "+32 470 00 00 01".into(),
            father_name: "张大".into(),
            father_document: "E11111111".into(),
            mother_name: "李二".into(),
            mother_document: "E22222222".into(),
            ..Details::default()
        };
        let context = DetailsContext { kind: Some(renewal()), held: None, today, home_region: None };
        let details = input.validate(&context).expect("valid");
        let vault = lingshi_storage::Vault::new(&lingshi_storage::MasterKey::generate().expect("key"));
        let mut order = draft(Service::PassportOrTravelDocument, Some(renewal())).order;
        index_applicant(&mut order, &details, &vault, today);
        assert!(order.minor, "14 years old");
        assert_eq!(order.document_index, Some(vault.blind_index(DOCUMENT_INDEX_FIELD, "E12345678")));
        assert_eq!(order.name_index, Some(vault.blind_index(NAME_INDEX_FIELD, "张三")));
        assert_eq!(order.pinyin_index, Some(vault.blind_index(NAME_INDEX_FIELD, "ZHANGSAN")));
    }
}
