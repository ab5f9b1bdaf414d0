//! Applications from the applicant's side (SPEC §3, §4, §8): start a draft, fill its steps in
//! the guide's order, submit it, follow it, withdraw it, ask for a fingerprint appointment.
//!
//! Every change goes through [`change`]: the order is locked, checked to be the caller's,
//! changed, saved with its version bumped and its timeline extended, in one transaction.

use crate::error::{AppError, FieldError, FieldErrors};
use crate::state::AppState;
use chrono::{DateTime, Utc};
use lingshi_domain::application::{
    ApplicationType, Circumstances, Material, Need, RouteAnswers, Service, Step, Whereabouts, materials,
    parent_must_sign, route,
};
use lingshi_domain::application_form::{
    Annotations, Declaration, Delivery, Details, DetailsContext, Form, Payment, Pickup,
};
use lingshi_domain::mission::Mission;
use lingshi_domain::order::{Actor, OrderAction, OrderFacts, OrderState, StaffRole, transition};
use lingshi_storage::StorageError;
use lingshi_storage::accounts::Account;
use lingshi_storage::audit::{self, AuditActor, AuditEntry};
use lingshi_storage::orders::{self, NewOrder, Order, OrderFile};
use lingshi_storage::staff::Staff;
use serde_json::Value;

/// The field under which a document number is indexed for staff search.
pub const DOCUMENT_INDEX_FIELD: &str = "orders.document_number";
/// The field under which an applicant's name (Chinese, or pinyin without spaces) is indexed.
pub const NAME_INDEX_FIELD: &str = "orders.name";

/// A name as the search index keys it: without spaces, upper-case.
pub fn name_key(name: &str) -> String {
    name.chars().filter(|c| !c.is_whitespace() && *c != '·').flat_map(char::to_uppercase).collect()
}
/// Attempts at a fresh order number before giving up (collisions are one in a billion).
const NUMBER_ATTEMPTS: usize = 5;

impl From<Vec<lingshi_domain::application_form::FieldError>> for FieldErrors {
    fn from(errors: Vec<lingshi_domain::application_form::FieldError>) -> Self {
        Self(errors.into_iter().map(|e| FieldError { field: e.field, code: e.error.code() }).collect())
    }
}

/// What starting an application takes: the statement accepted, the mission, where the
/// applicant lives and is now, whom it is for, and (for passports and travel documents) the routing
/// answers and the application type chosen among those they offer.
#[derive(Debug, Clone)]
pub struct Start {
    pub service: Service,
    pub statement_accepted: bool,
    pub mission_id: String,
    pub residence_country: String,
    /// Where the applicant is now; empty when it is where they live.
    pub present_country: String,
    pub on_behalf: bool,
    pub route: Option<RouteAnswers>,
    pub application_type: Option<String>,
}

/// An order and what follows from it, as both the pages and the API show it.
pub struct Loaded {
    pub order: Order,
    pub form: Form,
    pub service: Service,
    pub kind: Option<ApplicationType>,
    pub mission: Mission,
    pub files: Vec<OrderFile>,
    pub payments: Vec<lingshi_storage::order_work::Payment>,
    pub supplements: Vec<lingshi_storage::order_work::Supplement>,
}

impl Loaded {
    /// The steps of this order's service.
    pub fn steps(&self) -> &'static [Step] {
        self.service.steps()
    }

    /// The first step not yet completed, if any.
    pub fn next_step(&self) -> Option<Step> {
        self.steps().get(usize::try_from(self.order.progress).unwrap_or(0)).copied()
    }

    pub fn age(&self) -> Option<u32> {
        self.form.details.as_ref().and_then(|d| d.age(Utc::now().date_naive()))
    }

    /// The materials listed for this order (empty for emergency documents).
    pub fn materials(&self) -> Vec<(Material, Need)> {
        let Some(kind) = self.kind else { return Vec::new() };
        materials(&Circumstances {
            kind,
            under_16: self.age().is_some_and(|age| age < 16),
            annotated: self.form.annotations.as_ref().is_some_and(Annotations::annotated),
            foreign_name: self.form.details.as_ref().is_some_and(|d| d.foreign_name),
        })
    }

    pub fn files_in(&self, slot: &str) -> impl Iterator<Item = &OrderFile> {
        self.files.iter().filter(move |f| f.slot == slot)
    }

    /// The files added to `asked`'s material since staff asked for it: what the applicant
    /// sends for that supplement, and may still remove before sending.
    pub fn supplement_files<'a>(
        &'a self,
        asked: &'a lingshi_storage::order_work::Supplement,
    ) -> impl Iterator<Item = &'a OrderFile> {
        self.files_in(&asked.material).filter(move |file| file.created_at >= asked.created_at)
    }

    /// Required materials with no file yet, in the guide's order.
    pub fn missing_materials(&self) -> Vec<Material> {
        self.materials()
            .into_iter()
            .filter(|(material, need)| *need == Need::Required && self.files_in(material.code()).next().is_none())
            .map(|(material, _)| material)
            .collect()
    }

    pub fn parent_must_sign(&self) -> bool {
        self.kind.is_some_and(|kind| parent_must_sign(kind, self.age().unwrap_or(u32::MAX)))
    }

    /// Whether the applicant may withdraw now (the state machine decides).
    pub fn may_withdraw(&self) -> bool {
        transition(self.order.state, OrderAction::Withdraw, Actor::Applicant, self.facts()).is_ok()
    }

    pub fn facts(&self) -> OrderFacts {
        let due = self.order.fee_minor.unwrap_or(0);
        OrderFacts {
            service: self.service.kind(),
            fee_settled: lingshi_storage::order_work::net_paid(&self.payments) >= due,
        }
    }
}

fn form_of(order: &Order) -> Result<Form, AppError> {
    serde_json::from_value(order.form.clone()).map_err(AppError::internal)
}

async fn complete(state: &AppState, order: Order) -> Result<Loaded, AppError> {
    let form = form_of(&order)?;
    let service = Service::from_code(&order.service).ok_or_else(|| AppError::internal("unknown service"))?;
    let kind = order.application_type.as_deref().and_then(ApplicationType::from_code);
    let mission = lingshi_storage::missions::find(&state.db, &order.mission_id)
        .await?
        .ok_or_else(|| AppError::internal("order of an unknown mission"))?;
    let files = orders::files(&state.db, &order.id).await?;
    let payments = lingshi_storage::order_work::payments(&state.db, &state.vault, &order.id).await?;
    let supplements = lingshi_storage::order_work::supplements(&state.db, &state.vault, &order.id).await?;
    Ok(Loaded { order, form, service, kind, mission, files, payments, supplements })
}

/// Who is changing or reading an order.
#[derive(Clone, Copy)]
pub enum Principal<'a> {
    /// The account that submitted the order.
    Applicant(&'a Account),
    /// An officer of the order's mission (or a system administrator).
    Staff(&'a Staff),
}

impl Principal<'_> {
    /// The missions whose orders this principal may see: `None` for every mission.
    fn mission_scope(&self) -> Option<Option<&str>> {
        match self {
            Principal::Applicant(_) => None,
            Principal::Staff(staff) if staff.role == StaffRole::SystemAdmin => Some(None),
            Principal::Staff(staff) => Some(Some(staff.mission_id.as_deref().unwrap_or("\u{0}"))),
        }
    }

    /// Whether this principal may touch `order` (checked again inside the lock).
    fn owns(&self, order: &Order) -> bool {
        match self {
            Principal::Applicant(account) => {
                order.submitter_id.as_deref() == Some(account.id.as_str()) && order.state != OrderState::Deleted
            }
            Principal::Staff(_) => {
                let visible = !matches!(order.state, OrderState::Draft | OrderState::Deleted);
                visible && self.mission_scope().flatten().is_none_or(|mission| mission == order.mission_id)
            }
        }
    }

    pub fn actor(&self) -> Actor {
        match self {
            Principal::Applicant(_) => Actor::Applicant,
            Principal::Staff(staff) => Actor::Staff(staff.role),
        }
    }

    fn audit_actor(&self) -> AuditActor {
        match self {
            Principal::Applicant(account) => AuditActor { kind: "applicant", id: account.id.clone(), role: None },
            Principal::Staff(staff) => {
                AuditActor { kind: "staff", id: staff.id.clone(), role: Some(staff.role.code().to_owned()) }
            }
        }
    }
}

/// The order `id` if `account` submitted it; 404 otherwise, whether it exists or not.
pub async fn load(state: &AppState, account: &Account, id: &str) -> Result<Loaded, AppError> {
    load_as(state, Principal::Applicant(account), id).await
}

/// The order `id` if `principal` may see it; 404 otherwise, whether it exists or not.
pub async fn load_as(state: &AppState, principal: Principal<'_>, id: &str) -> Result<Loaded, AppError> {
    let order = match principal {
        Principal::Applicant(account) => orders::find_for_submitter(&state.db, &state.vault, id, &account.id).await?,
        Principal::Staff(_) => {
            let scope = principal.mission_scope().flatten();
            orders::find_for_mission(&state.db, &state.vault, id, scope).await?
        }
    };
    complete(state, order.filter(|o| principal.owns(o)).ok_or(AppError::NotFound)?).await
}

/// Every order `account` filed, for itself and for others, newest first.
pub async fn list(state: &AppState, account: &Account) -> Result<Vec<(Order, Form)>, AppError> {
    let all = orders::list_for_submitter(&state.db, &state.vault, &account.id).await?;
    all.into_iter().map(|order| form_of(&order).map(|form| (order, form))).collect()
}

fn ensure_may_apply(account: &Account) -> Result<(), AppError> {
    if account.identity_state.may_apply() { Ok(()) } else { Err(AppError::Forbidden("identity_unverified")) }
}

/// An order number an applicant can read out: mission country, date, six characters
/// without look-alikes (no 0/O, 1/I).
fn order_number(mission: &Mission, now: DateTime<Utc>) -> Result<String, AppError> {
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
    let mut random = [0u8; 6];
    ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut random).map_err(AppError::internal)?;
    let tail: String = random.iter().map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()])).collect();
    Ok(format!("{}{}{tail}", mission.country_code.to_ascii_uppercase(), now.format("%y%m%d")))
}

/// Where the applicant lives and is now, checked against the mission: each a known country
/// (or "another"), the one the service goes by inside the mission's district.
pub struct Place {
    pub mission: Option<Mission>,
    pub residence: String,
    pub present: String,
    pub problems: Vec<FieldError>,
}

/// Checks the start's mission and places. An absent `present_country` means the applicant
/// is where they live.
pub async fn checked_place(state: &AppState, start: &Start) -> Result<Place, AppError> {
    let mut problems = Vec::new();
    let mission = lingshi_storage::missions::find(&state.db, &start.mission_id).await?;
    let mut answer = |field: &'static str, text: &str| match text.trim() {
        "" => {
            problems.push(FieldError { field, code: "required" });
            None
        }
        text => {
            let parsed = lingshi_domain::country::parse_answer(text);
            if parsed.is_none() {
                problems.push(FieldError { field, code: "unknown_choice" });
            }
            parsed
        }
    };
    let residence = answer("residence_country", &start.residence_country);
    let present = match start.present_country.trim() {
        "" => residence,
        text => answer("present_country", text),
    };
    match (&mission, residence, present) {
        (None, _, _) => {
            let code = if start.mission_id.trim().is_empty() { "required" } else { "unknown_choice" };
            problems.push(FieldError { field: "mission_id", code });
        }
        (Some(mission), Some(residence), Some(present)) => {
            if let Err(refused) = (Whereabouts { residence, present }).check(start.service, mission) {
                problems.push(FieldError { field: refused.field, code: refused.error.code() });
            }
        }
        _ => {}
    }
    Ok(Place {
        mission,
        residence: residence.unwrap_or_default().to_owned(),
        present: present.unwrap_or_default().to_owned(),
        problems,
    })
}

/// Checks what starting an application takes (statement, mission and district, routing and
/// type) and returns the mission, the type and the initial form.
pub async fn checked_start(
    state: &AppState,
    start: &Start,
) -> Result<(Mission, Option<ApplicationType>, Form), AppError> {
    let Place { mission, residence, present, mut problems } = checked_place(state, start).await?;
    if !start.statement_accepted {
        problems.insert(0, FieldError { field: "statement_accepted", code: "statement_required" });
    }
    let kind = match start.service {
        Service::EmergencyTravelDocument => None,
        Service::PassportOrTravelDocument => {
            let answers = start.route.ok_or(AppError::Invalid(FieldErrors::single("route", "route_unanswered")))?;
            let offered = route(answers).map_err(|refusal| FieldErrors::single("route", refusal.code()))?;
            let chosen = start.application_type.as_deref().and_then(ApplicationType::from_code);
            match chosen.filter(|kind| offered.contains(kind)) {
                Some(kind) => Some(kind),
                None => {
                    problems.push(FieldError { field: "application_type", code: "unknown_choice" });
                    None
                }
            }
        }
    };
    if !problems.is_empty() {
        return Err(FieldErrors(problems).into());
    }
    let mission = mission.ok_or(AppError::NotFound)?;
    let form = Form { residence_country: residence, present_country: present, route: start.route, ..Form::default() };
    Ok((mission, kind, form))
}

/// Starts a draft. With an idempotency key, a repeated request returns the first draft.
pub async fn start(
    state: &AppState,
    account: &Account,
    start: &Start,
    idempotency_key: Option<&str>,
) -> Result<Loaded, AppError> {
    ensure_may_apply(account)?;
    if let Some(key) = idempotency_key {
        let mut tx = state.db.begin().await?;
        let existing = orders::idempotent_order(&mut tx, &account.id, key).await?;
        drop(tx);
        if let Some(existing) = existing {
            return load(state, account, &existing).await;
        }
    }
    let (mission, kind, form) = checked_start(state, start).await?;
    let origin = Origin {
        service: start.service,
        submitter_id: Some(&account.id),
        intake_staff_id: None,
        on_behalf: start.on_behalf,
    };
    let (mut tx, id, now) = insert_order(state, &mission, &origin, kind, &form).await?;
    orders::add_event(&mut tx, &state.vault, &id, OrderState::Draft, "created", None, now).await?;
    if let Some(key) = idempotency_key {
        orders::remember_idempotency_key(&mut tx, &account.id, key, &id, now).await.map_err(conflict)?;
    }
    tx.commit().await?;
    load(state, account, &id).await
}

/// Where a new order comes from.
pub struct Origin<'a> {
    pub service: Service,
    /// The account filing it, or `None` for a walk-in.
    pub submitter_id: Option<&'a str>,
    /// The officer registering a walk-in.
    pub intake_staff_id: Option<&'a str>,
    pub on_behalf: bool,
}

/// Inserts a draft under a fresh order number (retrying the rare collision in a new
/// transaction) and sets its type; returns the open transaction, for the caller to add to
/// and commit, with the order's id and the time used.
pub async fn insert_order(
    state: &AppState,
    mission: &Mission,
    origin: &Origin<'_>,
    kind: Option<ApplicationType>,
    form: &Form,
) -> Result<(lingshi_storage::Tx, String, DateTime<Utc>), AppError> {
    let form_json = serde_json::to_value(form).map_err(AppError::internal)?;
    let now = Utc::now();
    for _ in 0..NUMBER_ATTEMPTS {
        let mut tx = state.db.begin().await?;
        let number = order_number(mission, now)?;
        let new = NewOrder {
            number: &number,
            mission_id: &mission.id,
            service: origin.service.code(),
            submitter_id: origin.submitter_id,
            intake_staff_id: origin.intake_staff_id,
            on_behalf: origin.on_behalf,
            form: &form_json,
        };
        let id = match orders::create(&mut tx, &state.vault, &new, now).await {
            Ok(id) => id,
            Err(StorageError::Conflict("orders.number")) => continue,
            Err(other) => return Err(other.into()),
        };
        if let Some(kind) = kind {
            let mut order = orders::lock(&mut tx, &state.vault, &id).await?.ok_or(AppError::NotFound)?;
            order.application_type = Some(kind.code());
            orders::save(&mut tx, &state.vault, &order, now).await?;
        }
        return Ok((tx, id, now));
    }
    Err(AppError::internal("no free order number"))
}

fn conflict(error: StorageError) -> AppError {
    match error {
        StorageError::Conflict(_) => AppError::Conflict("concurrent_change"),
        other => other.into(),
    }
}

/// What a change did, for the timeline and the audit log, and what it records besides.
pub struct Outcome {
    pub event: &'static str,
    /// The mission's reply, or the applicant's reason: shown on the timeline.
    pub note: Option<String>,
    pub records: Vec<Record>,
}

impl Outcome {
    pub fn event(event: &'static str, note: Option<String>) -> Self {
        Self { event, note, records: Vec::new() }
    }
}

/// Rows written alongside a change.
pub enum Record {
    /// A payment (`payment`) or refund (`refund`) taken by staff.
    Money { kind: &'static str, method: String, amount_minor: i64, currency: String, reference: Option<String> },
    /// Items asked of the applicant: material code, reason, due date.
    Supplements(Vec<(String, String, Option<chrono::NaiveDate>)>),
    /// The applicant answered the open supplement requests.
    SupplementsAnswered,
}

impl Record {
    async fn write(
        &self,
        tx: &mut lingshi_storage::Tx,
        state: &AppState,
        principal: Principal<'_>,
        order_id: &str,
        now: DateTime<Utc>,
    ) -> Result<(), AppError> {
        let staff_id = match principal {
            Principal::Staff(staff) => staff.id.as_str(),
            Principal::Applicant(_) => "",
        };
        match self {
            Record::Money { kind, method, amount_minor, currency, reference } => {
                let new = lingshi_storage::order_work::NewPayment {
                    order_id,
                    kind,
                    method,
                    amount_minor: *amount_minor,
                    currency,
                    reference: reference.as_deref(),
                    staff_id,
                };
                lingshi_storage::order_work::record_payment(tx, &state.vault, &new, now).await?;
            }
            Record::Supplements(items) => {
                for (material, reason, due) in items {
                    let item = (material.as_str(), reason.as_str(), *due);
                    lingshi_storage::order_work::request_supplement(tx, &state.vault, order_id, item, staff_id, now)
                        .await?;
                }
            }
            Record::SupplementsAnswered => lingshi_storage::order_work::answer_supplements(tx, order_id, now).await?,
        }
        Ok(())
    }
}

/// A file attached or detached together with a change.
pub enum FileChange<'a> {
    None,
    /// A file already in the blob store, attached to the order (replacing the slot's
    /// earlier files when `replace`).
    Attach {
        file: orders::NewFile<'a>,
        replace: bool,
    },
    /// The order's file with this id, detached.
    Detach(&'a str),
}

/// Locks order `id`, checks it is `account`'s, applies `apply` to it, attaches or detaches
/// `file`, and saves it with its timeline entry, in one transaction. `apply` sees the order
/// as it is inside the lock. Returns the order as saved.
pub async fn change(
    state: &AppState,
    account: &Account,
    id: &str,
    file: FileChange<'_>,
    apply: impl FnOnce(&mut Loaded) -> Result<Option<Outcome>, AppError>,
) -> Result<Loaded, AppError> {
    change_as(state, Principal::Applicant(account), id, None, file, apply).await
}

/// [`change`] for any principal. With `expected_version`, the change is refused when the
/// order moved on since the caller looked at it (two officers, two tabs). A state change,
/// and anything staff do, appends an audit row in the same transaction; a state change by
/// staff marks the order unread and notifies the applicant through the outbox.
pub async fn change_as(
    state: &AppState,
    principal: Principal<'_>,
    id: &str,
    expected_version: Option<i32>,
    file: FileChange<'_>,
    apply: impl FnOnce(&mut Loaded) -> Result<Option<Outcome>, AppError>,
) -> Result<Loaded, AppError> {
    let before = load_as(state, principal, id).await?;
    let now = Utc::now();
    let mut tx = state.db.begin().await?;
    let order =
        orders::lock(&mut tx, &state.vault, id).await?.filter(|o| principal.owns(o)).ok_or(AppError::NotFound)?;
    if expected_version.is_some_and(|v| v != order.version) {
        return Err(AppError::Conflict("concurrent_change"));
    }
    let previous_state = order.state;
    let mut loaded = Loaded { form: form_of(&order)?, order, ..before };
    let outcome = apply(&mut loaded)?;
    match file {
        FileChange::None => {}
        FileChange::Attach { file, replace } => {
            orders::put_file(&mut tx, id, &file, replace, now).await?;
        }
        FileChange::Detach(file_id) => orders::remove_file(&mut tx, id, file_id).await?,
    }
    let state_changed = loaded.order.state != previous_state;
    let by_staff = matches!(principal, Principal::Staff(_));
    if state_changed && by_staff {
        loaded.order.unread = true;
    }
    loaded.order.form = serde_json::to_value(&loaded.form).map_err(AppError::internal)?;
    loaded.order.version = orders::save(&mut tx, &state.vault, &loaded.order, now).await.map_err(conflict)?;
    if let Some(outcome) = &outcome {
        let order = &loaded.order;
        orders::add_event(&mut tx, &state.vault, &order.id, order.state, outcome.event, outcome.note.as_deref(), now)
            .await?;
        for record in &outcome.records {
            record.write(&mut tx, state, principal, &order.id, now).await?;
        }
        if state_changed || by_staff {
            let actor = principal.audit_actor();
            let entry = AuditEntry {
                mission_id: Some(&order.mission_id),
                actor: &actor,
                action: outcome.event,
                order_id: Some(&order.id),
                before_state: Some(previous_state.code()),
                after_state: Some(order.state.code()),
                reason: outcome.note.as_deref(),
            };
            audit::append(&mut tx, &state.vault, &entry, now).await?;
        }
        if state_changed && by_staff {
            notify_applicant(&mut tx, state, order).await?;
        }
    }
    tx.commit().await?;
    loaded.files = orders::files(&state.db, id).await?;
    loaded.payments = lingshi_storage::order_work::payments(&state.db, &state.vault, id).await?;
    loaded.supplements = lingshi_storage::order_work::supplements(&state.db, &state.vault, id).await?;
    Ok(loaded)
}

/// Tells the submitter, by the channel they registered with, that their order changed. The
/// message names the order number and its new state, nothing personal.
async fn notify_applicant(tx: &mut lingshi_storage::Tx, state: &AppState, order: &Order) -> Result<(), AppError> {
    let Some(submitter) = order.submitter_id.as_deref() else { return Ok(()) };
    let Some(account) = lingshi_storage::accounts::find(&state.db, submitter).await? else {
        return Ok(());
    };
    let Ok(address) = lingshi_domain::ContactAddress::parse(&account.login) else { return Ok(()) };
    let locale = crate::i18n::Locale::from_tag(&account.locale).unwrap_or_default();
    let catalogs = &state.catalogs;
    let state_key = format!("state_{}", order.state.code());
    let state_name = catalogs.text(locale, &state_key);
    let subject = catalogs.text(locale, "notice_order_subject").replace("{number}", &order.number);
    let body =
        catalogs.text(locale, "notice_order_body").replace("{number}", &order.number).replace("{state}", state_name);
    crate::service::codes::enqueue_message(tx, state, &address, subject, body).await?;
    Ok(())
}

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
                let context = DetailsContext { kind: loaded.kind, held: loaded.form.route.map(|r| r.held), today };
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
                loaded.form.payment = Some(input.validate(emergency).map_err(FieldErrors::from)?);
            }
        }
        advance(loaded, position);
        Ok(None)
    })
    .await
}

/// Sets what the queue filters and searches on from the applicant's details: the minor
/// flag and the keyed indexes of the document number and the name.
pub fn index_applicant(order: &mut Order, details: &Details, vault: &lingshi_storage::Vault, today: chrono::NaiveDate) {
    order.minor = details.age(today).is_some_and(|age| age < 18);
    order.document_index = [&details.document_number, &details.resident_id]
        .into_iter()
        .find(|n| !n.is_empty())
        .map(|number| vault.blind_index(DOCUMENT_INDEX_FIELD, number));
    order.name_index = Some(vault.blind_index(NAME_INDEX_FIELD, &name_key(&details.chinese_name())));
    let pinyin = format!("{}{}", details.surname_pinyin, details.given_name_pinyin);
    order.pinyin_index = Some(vault.blind_index(NAME_INDEX_FIELD, &name_key(&pinyin)));
}

fn photo_passed(photo: &OrderFile) -> bool {
    crate::service::photo::stored_report_passes(photo.report.as_deref()).unwrap_or(false)
}

/// Refuses when a required material has no file, naming each one missing.
fn ensure_materials(loaded: &Loaded) -> Result<(), AppError> {
    let missing = loaded.missing_materials();
    if missing.is_empty() {
        return Ok(());
    }
    Err(FieldErrors(missing.into_iter().map(|m| FieldError { field: m.code(), code: "material_missing" }).collect())
        .into())
}

/// Submits a completed draft, paying offline. Everything is checked again: a step edited
/// after later ones may have changed what is required. With an idempotency key, a repeated
/// request answers with the order the first one submitted.
pub async fn submit(
    state: &AppState,
    account: &Account,
    id: &str,
    idempotency_key: Option<&str>,
) -> Result<Loaded, AppError> {
    if let Some(key) = idempotency_key {
        let mut tx = state.db.begin().await?;
        let earlier = orders::idempotent_order(&mut tx, &account.id, key).await?;
        drop(tx);
        if let Some(earlier) = earlier {
            return load(state, account, &earlier).await;
        }
    }
    let loaded = change(state, account, id, FileChange::None, |loaded| {
        ensure_draft(loaded)?;
        if let Some(step) = loaded.next_step() {
            return Err(FieldErrors::single("step", step_incomplete_code(step)).into());
        }
        if loaded.service == Service::PassportOrTravelDocument {
            ensure_materials(loaded)?;
            if loaded.files_in("photo").next().is_none() {
                return Err(FieldErrors::single("photo", "photo_missing").into());
            }
            if loaded.files_in("signature").next().is_none() {
                return Err(FieldErrors::single("signature", "signature_missing").into());
            }
        }
        let next = transition(loaded.order.state, OrderAction::SubmitPayingOffline, Actor::Applicant, loaded.facts())
            .map_err(|e| AppError::Conflict(e.code()))?;
        let fee = fee_of(loaded);
        loaded.order.state = next;
        loaded.order.payment_method = Some("offline".into());
        loaded.order.fee_minor = fee.as_ref().map(|f| f.minor);
        loaded.order.fee_currency = fee.map(|f| f.currency);
        loaded.order.submitted_at = Some(Utc::now());
        Ok(Some(Outcome::event("submitted", None)))
    })
    .await?;
    if let Some(key) = idempotency_key {
        let mut tx = state.db.begin().await?;
        orders::remember_idempotency_key(&mut tx, &account.id, key, id, Utc::now()).await.map_err(conflict)?;
        tx.commit().await?;
    }
    Ok(loaded)
}

fn step_incomplete_code(step: Step) -> &'static str {
    match step {
        Step::Details => "step_incomplete_details",
        Step::Annotations => "step_incomplete_annotations",
        Step::Photo => "step_incomplete_photo",
        Step::Declaration => "step_incomplete_declaration",
        Step::Materials => "step_incomplete_materials",
        Step::Delivery => "step_incomplete_delivery",
        Step::Review => "step_incomplete_review",
        Step::Face => "step_incomplete_face",
        Step::Pickup => "step_incomplete_pickup",
        Step::Payment => "step_incomplete_payment",
    }
}

/// The fee from the mission's table: the document's, plus the annotation's if annotated.
pub fn fee_of(loaded: &Loaded) -> Option<lingshi_domain::mission::Money> {
    let document = match (loaded.service, loaded.kind.map(|k| k.product)) {
        (Service::EmergencyTravelDocument, _) => "emergency_travel_document",
        (_, Some(lingshi_domain::application::Product::TravelDocument)) => "travel_document",
        _ => "passport",
    };
    let annotated = loaded.form.annotations.as_ref().is_some_and(Annotations::annotated);
    let amount = |service: &str| loaded.mission.fees.iter().find(|f| f.service == service).map(|f| f.amount.clone());
    let mut total = amount(document)?;
    if annotated && let Some(extra) = amount("annotation").filter(|a| a.currency == total.currency) {
        total.minor += extra.minor;
    }
    Some(total)
}

/// Withdraws a submitted order before acceptance (never an emergency travel document).
pub async fn withdraw(
    state: &AppState,
    account: &Account,
    id: &str,
    reason: Option<String>,
) -> Result<Loaded, AppError> {
    let reason = reason
        .map(|r| lingshi_domain::application_form::short_text(&r, 200))
        .transpose()
        .map_err(|e| FieldErrors::single("reason", e.code()))?;
    change(state, account, id, FileChange::None, |loaded| {
        loaded.order.state = transition(loaded.order.state, OrderAction::Withdraw, Actor::Applicant, loaded.facts())
            .map_err(|e| AppError::Conflict(e.code()))?;
        Ok(Some(Outcome::event("withdrawn", reason)))
    })
    .await
}

/// Sends what the mission asked for: the order returns to review (the files were uploaded to
/// the listed items beforehand, as on the materials screen).
pub async fn provide_supplement(state: &AppState, account: &Account, id: &str) -> Result<Loaded, AppError> {
    change(state, account, id, FileChange::None, |loaded| {
        loaded.order.state =
            transition(loaded.order.state, OrderAction::ProvideSupplement, Actor::Applicant, loaded.facts())
                .map_err(|e| AppError::Conflict(e.code()))?;
        let unanswered: Vec<FieldError> = loaded
            .supplements
            .iter()
            .filter(|asked| asked.answered_at.is_none())
            .filter(|asked| loaded.supplement_files(asked).next().is_none())
            .filter_map(|asked| Material::from_code(&asked.material))
            .map(|material| FieldError { field: material.code(), code: "material_missing" })
            .collect();
        if !unanswered.is_empty() {
            return Err(FieldErrors(unanswered).into());
        }
        Ok(Some(Outcome { event: "supplement_provided", note: None, records: vec![Record::SupplementsAnswered] }))
    })
    .await
}

/// Deletes a draft.
pub async fn delete_draft(state: &AppState, account: &Account, id: &str) -> Result<(), AppError> {
    change(state, account, id, FileChange::None, |loaded| {
        loaded.order.state = transition(loaded.order.state, OrderAction::DeleteDraft, Actor::Applicant, loaded.facts())
            .map_err(|e| AppError::Conflict(e.code()))?;
        Ok(Some(Outcome::event("deleted", None)))
    })
    .await
    .map(|_| ())
}

/// Asks for an appointment to record fingerprints at the mission (FAQ 8): possible once the
/// order is submitted and not yet finished; asking again changes nothing.
pub async fn request_fingerprints(state: &AppState, account: &Account, id: &str) -> Result<Loaded, AppError> {
    change(state, account, id, FileChange::None, |loaded| {
        let state = loaded.order.state;
        if state == OrderState::Draft || state.is_terminal() {
            return Err(AppError::Conflict("fingerprints_not_now"));
        }
        if loaded.order.fingerprint_requested_at.is_some() {
            return Ok(None);
        }
        loaded.order.fingerprint_requested_at = Some(Utc::now());
        Ok(Some(Outcome::event("fingerprints_requested", None)))
    })
    .await
}
