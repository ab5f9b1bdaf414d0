//! The order as the API and the pages show it: typed views that borrow from the loaded order
//! and are serialized straight into the answer (an order read is the platform's commonest
//! request; building it as a tree of JSON maps first cost a fifth of its time under load).

use crate::error::AppError;
use crate::i18n::{Catalogs, Locale};
use crate::service::orders::{self, Loaded};
use crate::service::photo::{localized_report, read_stored_report};
use crate::state::AppState;
use chrono::{DateTime, Utc};
use lingshi_domain::actions::Action;
use lingshi_domain::application::{ApplicationType, Step};
use lingshi_domain::application_form::Form;
use lingshi_domain::materials::Need;
use lingshi_domain::mission::Money;
use lingshi_domain::order::Actor;
use lingshi_storage::orders::{Order, OrderFile};
use serde::Serialize;
use serde_json::Value;

/// An order as "My orders" lists it, and the head of its whole view.
#[derive(Serialize)]
pub struct Summary<'a> {
    id: &'a str,
    number: &'a str,
    service: &'a str,
    service_name: String,
    application_type: Option<&'a str>,
    application_type_name: Option<String>,
    state: &'static str,
    state_name: String,
    /// Who the order is for, in one line: 张三 (ZHANG SAN).
    applicant: Option<String>,
    on_behalf: bool,
    unread: bool,
    created_at: String,
    updated_at: String,
    submitted_at: Option<String>,
}

impl<'a> Summary<'a> {
    pub fn of(catalogs: &Catalogs, locale: Locale, order: &'a Order, form: &Form) -> Self {
        let kind = order.application_type.as_deref().and_then(ApplicationType::from_code);
        Self {
            id: &order.id,
            number: &order.number,
            service: &order.service,
            service_name: catalogs.text(locale, &format!("service_{}", order.service)).to_owned(),
            application_type: order.application_type.as_deref(),
            application_type_name: kind.map(|k| crate::api::orders::type_name(catalogs, locale, k)),
            state: order.state.code(),
            state_name: catalogs.text(locale, &format!("state_{}", order.state.code())).to_owned(),
            applicant: form.details.as_ref().map(|d| {
                format!("{} ({} {})", d.chinese_name(), d.surname_pinyin.as_str(), d.given_name_pinyin.as_str())
            }),
            on_behalf: order.on_behalf,
            unread: order.unread,
            created_at: order.created_at.to_rfc3339(),
            updated_at: order.updated_at.to_rfc3339(),
            submitted_at: order.submitted_at.map(|t| t.to_rfc3339()),
        }
    }
}

/// An order's [`Summary`] as a JSON value, for lists that add to each row.
pub fn summary_value(catalogs: &Catalogs, locale: Locale, order: &Order, form: &Form) -> Result<Value, AppError> {
    serde_json::to_value(Summary::of(catalogs, locale, order, form)).map_err(AppError::internal)
}

/// The whole order as one viewer sees it, with the actions offered to that viewer now.
#[derive(Serialize)]
pub struct OrderView<'a> {
    #[serde(flatten)]
    summary: Summary<'a>,
    mission: MissionName<'a>,
    version: i32,
    time_zone: &'a str,
    steps: Vec<StepView>,
    next_step: Option<&'static str>,
    form: &'a Form,
    materials: Vec<MaterialView<'a>>,
    photo: Option<PhotoView<'a>>,
    zone_check: Value,
    forecast: Value,
    signature: Option<FileView<'a>>,
    parent_must_sign: bool,
    face_state: Option<&'a str>,
    payment_method: Option<&'a str>,
    fee: Option<FeeView>,
    actions: Vec<&'static str>,
    may_withdraw: bool,
    fingerprint_requested_at: Option<String>,
    timeline: Vec<EventView<'a>>,
    supplements: Vec<SupplementView<'a>>,
    payments: Vec<PaymentView<'a>>,
    paid_minor: i64,
    paid: String,
    online: Value,
    walk_in: bool,
    supplement_mail: Option<String>,
}

#[derive(Serialize)]
struct MissionName<'a> {
    id: &'a str,
    name: &'a str,
}

#[derive(Serialize)]
struct StepView {
    step: &'static str,
    name: String,
    done: bool,
    open: bool,
}

#[derive(Serialize)]
struct FileView<'a> {
    id: &'a str,
    kind: &'a str,
    size: i64,
    created_at: String,
    /// The time in the mission's zone, as the page shows it.
    created_local: String,
}

#[derive(Serialize)]
struct MaterialView<'a> {
    number: usize,
    item: &'static str,
    /// "1、…": the guide's numbering.
    name: String,
    need: Need,
    files: Vec<FileView<'a>>,
}

#[derive(Serialize)]
struct PhotoView<'a> {
    file: FileView<'a>,
    report: Value,
}

#[derive(Serialize)]
struct FeeView {
    minor: i64,
    currency: String,
    display: String,
}

#[derive(Serialize)]
struct EventView<'a> {
    at: String,
    at_local: String,
    state: &'static str,
    event: &'a str,
    text: String,
    note: Option<&'a str>,
}

#[derive(Serialize)]
struct SupplementView<'a> {
    item: &'a str,
    name: String,
    reason: &'a str,
    due_on: Option<String>,
    answered: bool,
    files: Vec<FileView<'a>>,
}

#[derive(Serialize)]
struct PaymentView<'a> {
    kind: &'a str,
    method: &'a str,
    amount: String,
    at: String,
    at_local: String,
}

/// Builds [`OrderView`]s of one loaded order in one language.
struct Viewer<'a> {
    loaded: &'a Loaded,
    catalogs: &'a Catalogs,
    locale: Locale,
}

impl<'a> Viewer<'a> {
    fn text(&self, key: &str) -> String {
        self.catalogs.text(self.locale, key).to_owned()
    }

    fn local(&self, at: DateTime<Utc>) -> String {
        crate::pages::missions::mission_time(&self.loaded.mission, at, self.locale)
    }

    fn file(&self, file: &'a OrderFile) -> FileView<'a> {
        FileView {
            id: &file.id,
            kind: &file.content_kind,
            size: file.size_bytes,
            created_at: file.created_at.to_rfc3339(),
            created_local: self.local(file.created_at),
        }
    }

    fn files(&self, files: impl Iterator<Item = &'a OrderFile>) -> Vec<FileView<'a>> {
        files.map(|f| self.file(f)).collect()
    }

    fn steps(&self) -> Vec<StepView> {
        let progress = usize::try_from(self.loaded.order.progress).unwrap_or(0);
        let steps = self.loaded.steps().iter().enumerate();
        steps
            .map(|(i, step)| StepView {
                step: step.code(),
                name: self.text(&format!("step_{}", step.code())),
                done: i < progress,
                open: i <= progress,
            })
            .collect()
    }

    fn materials(&self) -> Vec<MaterialView<'a>> {
        let listed = self.loaded.materials().into_iter().enumerate();
        listed
            .map(|(i, (material, need))| MaterialView {
                number: i + 1,
                item: material.code(),
                name: format!("{}、{}", i + 1, self.text(&format!("label_{}", material.code()))),
                need,
                files: self.files(self.loaded.files_in(material.code())),
            })
            .collect()
    }

    fn photo(&self) -> Option<PhotoView<'a>> {
        self.loaded.files_in("photo").next().map(|f| {
            let report = read_stored_report(f.report.as_deref()).unwrap_or(Value::Null);
            PhotoView { file: self.file(f), report: localized_report(&report, self.catalogs, self.locale) }
        })
    }

    fn timeline(&self) -> Vec<EventView<'a>> {
        let events = self.loaded.events.iter();
        events
            .map(|e| EventView {
                at: e.at.to_rfc3339(),
                at_local: self.local(e.at),
                state: e.state.code(),
                event: &e.event,
                text: self.text(&format!("event_{}", e.event)),
                note: e.note.as_deref(),
            })
            .collect()
    }

    fn supplements(&self) -> Vec<SupplementView<'a>> {
        let items = self.loaded.supplements.iter();
        items
            .map(|item| SupplementView {
                item: &item.material,
                name: self.text(&format!("label_{}", item.material)),
                reason: &item.reason,
                due_on: item.due_on.map(|d| d.to_string()),
                answered: item.answered_at.is_some(),
                files: self.files(self.loaded.supplement_files(item)),
            })
            .collect()
    }

    fn money(&self, minor: i64, currency: &str) -> String {
        Money { minor, currency: currency.to_owned() }.display_in(self.locale.tag())
    }

    fn payments(&self) -> Vec<PaymentView<'a>> {
        let payments = self.loaded.payments.iter();
        payments
            .map(|p| PaymentView {
                kind: &p.kind,
                method: &p.method,
                amount: self.money(p.amount_minor, &p.currency),
                at: p.at.to_rfc3339(),
                at_local: self.local(p.at),
            })
            .collect()
    }

    fn fee(&self) -> Option<FeeView> {
        let order = &self.loaded.order;
        let fee = match (order.fee_minor, &order.fee_currency) {
            (Some(minor), Some(currency)) => Some(Money { minor, currency: currency.clone() }),
            _ => orders::fee_of(self.loaded),
        };
        fee.map(|f| FeeView { display: f.display_in(self.locale.tag()), minor: f.minor, currency: f.currency })
    }
}

/// The whole order as `viewer` sees it, with the actions offered to `viewer` now.
pub async fn order_view<'a>(
    state: &'a AppState,
    loaded: &'a Loaded,
    locale: Locale,
    viewer: Actor,
) -> Result<OrderView<'a>, AppError> {
    let catalogs = &state.catalogs;
    let view = Viewer { loaded, catalogs, locale };
    let order = &loaded.order;
    let actions = loaded.actions(viewer);
    let paid_minor = lingshi_storage::order_work::net_paid(&loaded.payments);
    let paid_currency = order.fee_currency.as_deref().unwrap_or(&loaded.mission.currency);
    Ok(OrderView {
        summary: Summary::of(catalogs, locale, order, &loaded.form),
        mission: MissionName { id: &loaded.mission.id, name: loaded.mission.name.get(locale.tag()) },
        version: order.version,
        time_zone: &loaded.mission.time_zone,
        steps: view.steps(),
        next_step: loaded.next_step().map(Step::code),
        form: &loaded.form,
        materials: view.materials(),
        photo: view.photo(),
        zone_check: crate::service::zone_check::view(loaded, catalogs, locale),
        forecast: crate::service::forecast::view(state, loaded, locale).await?,
        signature: loaded.files_in("signature").next().map(|f| view.file(f)),
        parent_must_sign: loaded.parent_must_sign(),
        face_state: order.face_state.as_deref(),
        payment_method: order.payment_method.as_deref(),
        fee: view.fee(),
        may_withdraw: actions.contains(&Action::Withdraw),
        actions: actions.iter().map(|a| a.code()).collect(),
        fingerprint_requested_at: order.fingerprint_requested_at.map(|t| t.to_rfc3339()),
        timeline: view.timeline(),
        supplements: view.supplements(),
        payments: view.payments(),
        paid_minor,
        paid: view.money(paid_minor, paid_currency),
        online: crate::api::payments::online_view(loaded, locale),
        walk_in: order.intake_staff_id.is_some(),
        supplement_mail: state
            .settings
            .supplement_mail
            .as_deref()
            .and_then(|base| crate::service::inbound_mail::supplement_address(base, &order.number)),
    })
}

/// [`order_view`] as a JSON value, for pages and views that add to it.
pub async fn order_value(state: &AppState, loaded: &Loaded, locale: Locale, viewer: Actor) -> Result<Value, AppError> {
    serde_json::to_value(order_view(state, loaded, locale, viewer).await?).map_err(AppError::internal)
}
