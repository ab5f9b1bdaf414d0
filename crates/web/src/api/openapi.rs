//! The OpenAPI document of the JSON API, served at `/openapi.json`.

use crate::api::contract::Contract;
use crate::api::{
    accounts, claims, interviews, legalizations, me, messages, missions, notices, notifications, orders, payments,
    pensions, photo_checks, staff_interviews, staff_members, staff_orders, translations,
};
use crate::state::AppState;
use axum::routing::get;
use axum::{Json, Router};
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Lingshi API",
        description = "Consular services: accounts, real-name verification, missions, applications and orders."
    ),
    paths(
        accounts::start_registration,
        accounts::confirm_registration,
        accounts::create_session,
        accounts::end_session,
        accounts::start_reset,
        accounts::confirm_reset,
        me::me,
        me::submit_identity,
        me::submit_face,
        me::skip_face,
        me::export,
        me::delete_account,
        missions::list,
        missions::show,
        photo_checks::create,
        orders::application_types,
        orders::pinyin_suggestion,
        orders::create,
        orders::list,
        orders::show,
        orders::delete_draft,
        orders::save_step,
        orders::upload,
        orders::download,
        orders::remove_file,
        payments::create,
        payments::refresh,
        payments::abandon,
        payments::notification,
        orders::crop_photo,
        orders::verify_face,
        orders::skip_face,
        orders::submit,
        orders::withdraw,
        orders::request_fingerprints,
        orders::provide_supplement,
        staff_orders::queue,
        staff_orders::show,
        staff_orders::act,
        staff_orders::audit_trail,
        staff_orders::download,
        staff_orders::audit_csv,
        staff_orders::dashboard,
        staff_orders::register_walk_in,
        staff_orders::upload_for_walk_in,
        interviews::show,
        interviews::book,
        interviews::cancel,
        crate::signalling::socket::applicant,
        staff_interviews::patterns,
        staff_interviews::publish,
        staff_interviews::withdraw,
        staff_interviews::set_exceptions,
        staff_interviews::calendar,
        staff_interviews::show,
        staff_interviews::offer,
        staff_interviews::cancel,
        staff_interviews::start_call,
        staff_interviews::snapshot,
        staff_interviews::outcome,
        crate::signalling::socket::officer,
        staff_members::list,
        staff_members::add,
        staff_members::disable,
        staff_members::enable,
        claims::claim,
        claims::release,
        claims::reassign,
        claims::mine,
        staff_members::four_eyes,
        staff_members::set_four_eyes,
        legalizations::check,
        legalizations::register,
        legalizations::list,
        legalizations::import,
        notices::published,
        notices::all,
        notices::write,
        notices::set_published,
        pensions::start,
        pensions::mine,
        pensions::show,
        pensions::face,
        pensions::skip_face,
        pensions::callback,
        pensions::staff_list,
        pensions::repush,
        translations::translate,
        messages::list,
        messages::unread,
        messages::read_all,
        messages::read_one,
        notifications::show,
        notifications::choose,
        notifications::add_mobile,
        notifications::confirm_mobile,
        notifications::remove_mobile,
    ),
    components(schemas(crate::error::ErrorBody, crate::error::ErrorDetail, crate::error::FieldErrorDetail)),
    modifiers(&Contract)
)]
pub struct ApiDoc;

/// The document, as served and as `lingshi openapi` prints it.
pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

pub fn router() -> Router<AppState> {
    Router::new().route("/openapi.json", get(|| async { Json(document()) }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::de::DeserializeOwned;
    use serde_json::Value;

    /// The example of the request schema `name` reads into `T` (which refuses unknown
    /// fields), so an example cannot go stale.
    fn example_reads_as<T: DeserializeOwned>(document: &Value, name: &str) {
        let schema = &document["components"]["schemas"][name];
        let example = schema.get("examples").and_then(|all| all.get(0)).or_else(|| schema.get("example"));
        let example = example.unwrap_or_else(|| panic!("{name} has an example: {schema}"));
        if let Err(error) = serde_json::from_value::<T>(example.clone()) {
            panic!("{name}'s example does not read: {error}");
        }
    }

    #[test]
    fn every_request_example_is_one_its_operation_reads() {
        let document = serde_json::to_value(document()).expect("the document as JSON");
        example_reads_as::<accounts::AddressPasswordRequest>(&document, "AddressPasswordRequest");
        example_reads_as::<accounts::AddressRequest>(&document, "AddressRequest");
        example_reads_as::<accounts::CodeRequest>(&document, "CodeRequest");
        example_reads_as::<accounts::ResetRequest>(&document, "ResetRequest");
        example_reads_as::<me::IdentityRequest>(&document, "IdentityRequest");
        example_reads_as::<me::DeleteRequest>(&document, "DeleteRequest");
        example_reads_as::<orders::WithdrawRequest>(&document, "WithdrawRequest");
        example_reads_as::<interviews::BookingRequest>(&document, "BookingRequest");
        example_reads_as::<payments::PaymentRequest>(&document, "PaymentRequest");
        example_reads_as::<legalizations::CheckRequest>(&document, "CheckRequest");
        example_reads_as::<translations::TranslationRequest>(&document, "TranslationRequest");
        example_reads_as::<notifications::ViaRequest>(&document, "ViaRequest");
        example_reads_as::<notifications::MobileRequest>(&document, "MobileRequest");
        example_reads_as::<notifications::MobileCodeRequest>(&document, "MobileCodeRequest");
        // Two request types of one name would share one schema: the second would be lost.
        example_reads_as::<orders::StartRequest>(&document, "StartRequest");
    }
}
