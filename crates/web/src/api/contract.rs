//! What the OpenAPI document says of every operation besides its own annotation, decided in
//! one place: who may call it (the security schemes: an applicant's bearer token or session
//! cookie, a staff session cookie, or anyone), and the refusals any operation can answer —
//! each in the one error shape, [`crate::error::ErrorBody`]; a name for each operation; and
//! the links from an operation that creates something to the operations on what it created.

use crate::auth::{APPLICANT_COOKIE, STAFF_COOKIE};
use utoipa::Modify;
use utoipa::openapi::link::LinkBuilder;
use utoipa::openapi::path::Operation;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, Http, HttpAuthScheme, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{Content, Ref, RefOr, Response};

/// Operations anyone may call: signing up, in and out (signing out without a session is
/// simply done), the missions directory, the public checks, online translation, and the
/// notifications payment providers and pension departments send (signed, not signed in).
const PUBLIC: [(&str, &str); 16] = [
    ("post", "/api/v1/registrations"),
    ("post", "/api/v1/registrations/confirm"),
    ("post", "/api/v1/sessions"),
    ("delete", "/api/v1/sessions/current"),
    ("post", "/api/v1/password-resets"),
    ("post", "/api/v1/password-resets/confirm"),
    ("get", "/api/v1/missions"),
    ("get", "/api/v1/missions/{id}"),
    ("get", "/api/v1/missions/{id}/notices"),
    ("post", "/api/v1/photo-checks"),
    ("post", "/api/v1/application-types"),
    ("get", "/api/v1/pinyin-suggestions"),
    ("post", "/api/v1/legalization-checks"),
    ("post", "/api/v1/translations"),
    ("post", "/api/v1/payments/{provider}/notifications"),
    ("post", "/api/v1/pension/callbacks"),
];

/// Who may call an operation.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Access {
    Anyone,
    Applicant,
    Staff,
}

fn access(method: &str, path: &str) -> Access {
    if PUBLIC.contains(&(method, path)) {
        Access::Anyone
    } else if path.starts_with("/api/v1/staff/") {
        Access::Staff
    } else {
        Access::Applicant
    }
}

/// The refusals an operation can answer whatever it does, with what each means: from the
/// middleware and extractors every request passes (a malformed request, a body too large or
/// of the wrong type, load shed or a deadline passed, an internal failure), from the session
/// check, and from the same-origin rule on writes.
fn refusals(method: &str, access: Access) -> Vec<(&'static str, &'static str)> {
    let mut statuses = vec![
        ("400", "The request could not be read (malformed path, query or body)."),
        ("404", "Not found, or not the caller's to see."),
        ("413", "The body is too large."),
        ("415", "The body is not of a type this operation takes."),
        ("422", "One or more fields are invalid; each is named in `fields`."),
        ("429", "Too many requests; `Retry-After` says when to try again."),
        ("500", "An internal failure; nothing more is said."),
        ("503", "Overloaded, or the request ran past its deadline; `Retry-After` says when to try again."),
    ];
    if access != Access::Anyone {
        statuses.push(("401", "No valid session."));
    }
    if access != Access::Anyone || method != "get" {
        statuses.push(("403", "Not allowed: another mission's, the wrong role, or a write from another origin."));
    }
    if method != "get" {
        statuses.push(("409", "Conflicts with the current state of what it changes."));
    }
    statuses
}

fn error_response(description: &str) -> Response {
    let mut response = Response::new(description);
    response
        .content
        .insert("application/json".into(), RefOr::T(Content::new(Some(Ref::from_schema_name("ErrorBody")))));
    response
}

/// Every operation's security and refusals.
pub struct Contract;

impl Modify for Contract {
    fn modify(&self, api: &mut utoipa::openapi::OpenApi) {
        let components = api.components.get_or_insert_with(Default::default);
        components.add_security_scheme("applicant_bearer", SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)));
        let cookie = |name: &str| SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(name)));
        components.add_security_scheme("applicant_cookie", cookie(APPLICANT_COOKIE));
        components.add_security_scheme("staff_cookie", cookie(STAFF_COOKIE));
        let requirement = |scheme: &str| SecurityRequirement::new(scheme, Vec::<String>::new());
        for (path, item) in api.paths.paths.iter_mut() {
            let operations = [
                ("get", &mut item.get),
                ("put", &mut item.put),
                ("post", &mut item.post),
                ("delete", &mut item.delete),
            ];
            for (method, operation) in operations {
                let Some(operation) = operation.as_mut() else { continue };
                let access = access(method, path);
                operation.operation_id = Some(operation_id(method, path));
                operation.security = match access {
                    Access::Anyone => Some(vec![SecurityRequirement::default()]),
                    Access::Applicant => Some(vec![requirement("applicant_bearer"), requirement("applicant_cookie")]),
                    Access::Staff => Some(vec![requirement("staff_cookie")]),
                };
                document_refusals(operation, method, access);
            }
        }
        link_created_resources(api);
    }
}

/// What creates what: the creating path (its POST answers 201), the path under which the
/// created thing is named, and where the name is in the answer (a JSON pointer).
const CREATES: [(&str, &str, &str); 6] = [
    ("/api/v1/orders", "/api/v1/orders/{id}", "/id"),
    ("/api/v1/pensions", "/api/v1/pensions/{id}", "/id"),
    ("/api/v1/staff/walk-ins", "/api/v1/staff/orders/{id}", "/id"),
    ("/api/v1/staff/interview-patterns", "/api/v1/staff/interview-patterns/{id}", "/id"),
    ("/api/v1/staff/notices", "/api/v1/staff/notices/{id}", "/id"),
    ("/api/v1/staff/members", "/api/v1/staff/members/{username}", "/member/username"),
];

/// Links each creating operation's 201 answer to every operation under the created thing's
/// path, passing the name it answered: a client (or a stateful fuzzer) follows them from one
/// step to the next.
fn link_created_resources(api: &mut utoipa::openapi::OpenApi) {
    for (creator, named, pointer) in CREATES {
        let parameter = named.rsplit('/').next().unwrap_or_default().trim_matches(|c| c == '{' || c == '}');
        let targets: Vec<String> = api
            .paths
            .paths
            .iter()
            .filter(|(path, _)| path.as_str() == named || path.starts_with(&format!("{named}/")))
            .flat_map(|(_, item)| [&item.get, &item.put, &item.post, &item.delete])
            .filter_map(|operation| operation.as_ref().and_then(|o| o.operation_id.clone()))
            .collect();
        let created = api.paths.paths.get_mut(creator).and_then(|item| item.post.as_mut());
        let Some(RefOr::T(answer)) = created.and_then(|operation| operation.responses.responses.get_mut("201")) else {
            continue;
        };
        for target in targets {
            let link =
                LinkBuilder::new().operation_id(&target).parameter(parameter, format!("$response.body#{pointer}"));
            answer.links.insert(target, RefOr::T(link.build()));
        }
    }
}

/// A name for the operation that no other has, from its method and path
/// (`get /api/v1/orders/{id}` is `get_orders_id`): handlers' own names repeat (`list`, `show`).
fn operation_id(method: &str, path: &str) -> String {
    let words: Vec<&str> = path
        .trim_start_matches("/api/v1/")
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|word| !word.is_empty())
        .collect();
    format!("{method}_{}", words.join("_"))
}

/// Adds the refusals `operation` can answer, gives those its annotation already names (a
/// bare status) the error shape, and every response without a description its status's
/// reason phrase (OpenAPI requires one).
fn document_refusals(operation: &mut Operation, method: &str, access: Access) {
    let responses = &mut operation.responses.responses;
    for (status, description) in refusals(method, access) {
        responses.entry(status.to_owned()).or_insert_with(|| RefOr::T(error_response(description)));
    }
    for (status, response) in responses.iter_mut() {
        let RefOr::T(response) = response else { continue };
        if (status.starts_with('4') || status.starts_with('5')) && response.content.is_empty() {
            response.content = error_response("").content;
        }
        if response.description.is_empty() {
            let reason = status.parse().ok().and_then(|code| axum::http::StatusCode::from_u16(code).ok());
            response.description = reason.and_then(|s| s.canonical_reason()).unwrap_or("Answer").to_owned();
        }
    }
}
