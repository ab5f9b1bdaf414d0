//! The path parameters of the API's operations, declared once each for the OpenAPI document
//! (an operation whose path names `{id}` must say what `id` is, or no generated client can
//! call it).

use utoipa::IntoParams;

/// An order, a certification, a mission or a notice, by its id.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct Id {
    /// The resource's id, as the API returned it.
    pub id: String,
}

/// A file of an order.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct OrderFile {
    /// The order's id.
    pub id: String,
    /// The file's id from the order view (to read or remove it); to upload, the slot:
    /// `photo`, `signature`, or a material's code (`current_document_page`, `loss_statement`…).
    pub file: String,
}

/// A step of an application.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct OrderStep {
    /// The order's id.
    pub id: String,
    /// `details`, `annotations`, `photo`, `declaration`, `materials`, `delivery`, `review`,
    /// `pickup` or `payment`.
    pub step: String,
}

/// A change to a notice.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct NoticeChange {
    /// The notice's id.
    pub id: String,
    /// `publish` or `unpublish`.
    pub change: String,
}

/// A staff member, by username.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct Username {
    pub username: String,
}
