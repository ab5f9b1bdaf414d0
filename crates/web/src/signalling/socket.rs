//! A party's WebSocket in an order's room: the applicant at
//! `/api/v1/orders/{id}/interview/signal`, the mission's officers at
//! `/api/v1/staff/orders/{id}/interview/signal`. Who may join is checked once, on the
//! upgrade, with the session as everywhere (another's order is 404); each frame then is read
//! by [`protocol::Message::read`] and relayed to the other side, never back to its own.

use super::protocol::{MAX_FRAME, Message, Refusal, Role};
use crate::auth::{CurrentAccount, CurrentStaff};
use crate::error::AppError;
use crate::service::interviews::booking;
use crate::service::orders::{self, Principal};
use crate::state::AppState;
use axum::extract::ws::{Message as Frame, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use lingshi_storage::signals::Signal;
use serde_json::json;
use tokio::sync::broadcast::error::RecvError;

/// The room of order `id`, if `principal` may join it: theirs, with an interview booked.
async fn room(state: &AppState, principal: Principal<'_>, id: &str) -> Result<String, AppError> {
    let loaded = orders::load_as(state, principal, id).await?;
    booking::live(&loaded).ok_or(AppError::Conflict("no_interview_booked"))?;
    Ok(loaded.order.id)
}

/// A page of another site may not open a socket with the visitor's cookies.
fn refuse_other_origins(headers: &HeaderMap) -> Result<(), AppError> {
    if crate::middleware::from_another_origin(headers) { Err(AppError::Forbidden("cross_origin")) } else { Ok(()) }
}

/// The applicant joins their order's room.
#[utoipa::path(get, path = "/api/v1/orders/{id}/interview/signal", params(crate::api::path_params::Id),
    responses((status = 101, description = "WebSocket: the signalling protocol of docs/INTERVIEWS.md"), (status = 404), (status = 409)))]
pub async fn applicant(
    State(state): State<AppState>,
    current: CurrentAccount,
    Path(id): Path<String>,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Result<Response, AppError> {
    refuse_other_origins(&headers)?;
    let room = room(&state, Principal::Applicant(&current.account), &id).await?;
    Ok(join(state, upgrade, room, Role::Applicant))
}

/// An officer of the order's mission joins its room.
#[utoipa::path(get, path = "/api/v1/staff/orders/{id}/interview/signal", params(crate::api::path_params::Id),
    responses((status = 101, description = "WebSocket: the signalling protocol of docs/INTERVIEWS.md"), (status = 404), (status = 409)))]
pub async fn officer(
    State(state): State<AppState>,
    current: CurrentStaff,
    Path(id): Path<String>,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Result<Response, AppError> {
    refuse_other_origins(&headers)?;
    let room = room(&state, Principal::Staff(&current.staff), &id).await?;
    Ok(join(state, upgrade, room, Role::Officer))
}

fn join(state: AppState, upgrade: WebSocketUpgrade, room: String, role: Role) -> Response {
    upgrade
        .max_message_size(MAX_FRAME)
        .max_frame_size(MAX_FRAME)
        .on_upgrade(move |socket| serve(state, socket, room, role))
}

/// Whether the officer started the call of `room` (an offer is relayed only then).
async fn call_started(state: &AppState, room: &str) -> bool {
    let bookings = lingshi_storage::interviews::for_order(&state.db, &state.vault, room).await.unwrap_or_default();
    bookings.iter().any(|b| b.state == lingshi_domain::interview::BookingState::Booked && b.call_started_at.is_some())
}

/// Whether a relayed frame should reach `role`: not its own, not its own side's.
fn for_me(signal: &Signal, me: &str, role: Role) -> bool {
    signal.sender != me && !signal.sender.starts_with(&format!("{}:", side(role)))
}

fn side(role: Role) -> &'static str {
    match role {
        Role::Applicant => "applicant",
        Role::Officer => "officer",
    }
}

async fn serve(state: AppState, mut socket: WebSocket, room: String, role: Role) {
    let me = format!("{}:{}", side(role), uuid::Uuid::new_v4());
    let mut inbox = state.signals.subscribe(&room);
    let welcome = json!({"type": "welcome", "role": role, "ice_servers": state.settings.interviews.ice_servers});
    if socket.send(Frame::Text(welcome.to_string().into())).await.is_err() {
        return;
    }
    loop {
        tokio::select! {
            frame = socket.recv() => {
                let text = match frame {
                    Some(Ok(Frame::Text(text))) => text,
                    Some(Ok(Frame::Close(_)) | Err(_)) | None => break,
                    Some(Ok(_)) => continue,
                };
                let read = Message::read(text.as_str(), role);
                let read = match read {
                    Ok(Message::Offer { .. }) if !call_started(&state, &room).await => Err(Refusal::CallNotStarted),
                    other => other,
                };
                let reply = match read {
                    Ok(message) => {
                        let signal = Signal { room: room.clone(), sender: me.clone(), body: message.relayed(role) };
                        match super::publish(&state, signal).await {
                            Ok(()) => None,
                            Err(error) => {
                                tracing::warn!(error.cause = %error.diagnostic(), "signal not relayed");
                                Some("signal_not_relayed")
                            }
                        }
                    }
                    Err(refusal) => Some(refusal.code()),
                };
                if let Some(code) = reply {
                    let error = json!({"type": "error", "code": code});
                    if socket.send(Frame::Text(error.to_string().into())).await.is_err() {
                        break;
                    }
                }
            }
            relayed = inbox.recv() => match relayed {
                Ok(signal) if for_me(&signal, &me, role) => {
                    if socket.send(Frame::Text(signal.body.into())).await.is_err() {
                        break;
                    }
                }
                Ok(_) | Err(RecvError::Lagged(_)) => {}
                Err(RecvError::Closed) => break,
            },
        }
    }
    drop(inbox);
    state.signals.leave(&room);
}
