//! What the applicant is told about their interview, by the channel they registered with:
//! booked, offered by staff, moved, cancelled (each mail with its calendar entry), the
//! reminder before it, a missed interview and one to repeat (book again). A job composes each
//! when it runs, from the booking as it then stands: a reminder for a booking since moved or
//! cancelled is not sent.

use super::ics;
use crate::i18n::Locale;
use crate::state::AppState;
use chrono::Utc;
use lingshi_domain::interview::BookingState;
use lingshi_storage::interviews::{self as stored, Booking};

/// The job that tells the applicant.
pub const NOTICE: &str = "interview_notice";
/// The job that marks a booking nobody recorded as missed.
pub const NO_SHOW: &str = "interview_no_show";

/// Which notice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeKind {
    Booked,
    Offered,
    Moved,
    Cancelled,
    Reminder,
    Missed,
    Repeat,
}

impl NoticeKind {
    const ALL: [NoticeKind; 7] = [
        NoticeKind::Booked,
        NoticeKind::Offered,
        NoticeKind::Moved,
        NoticeKind::Cancelled,
        NoticeKind::Reminder,
        NoticeKind::Missed,
        NoticeKind::Repeat,
    ];

    pub fn code(self) -> &'static str {
        match self {
            NoticeKind::Booked => "booked",
            NoticeKind::Offered => "offered",
            NoticeKind::Moved => "moved",
            NoticeKind::Cancelled => "cancelled",
            NoticeKind::Reminder => "reminder",
            NoticeKind::Missed => "missed",
            NoticeKind::Repeat => "repeat",
        }
    }

    fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    /// Whether the booking must still stand for the notice to go out.
    fn needs_live_booking(self) -> bool {
        matches!(self, NoticeKind::Booked | NoticeKind::Offered | NoticeKind::Moved | NoticeKind::Reminder)
    }

    /// The calendar entry it carries: a confirmed one, a cancelled one, or none.
    fn calendar(self) -> Option<bool> {
        match self {
            NoticeKind::Booked | NoticeKind::Offered | NoticeKind::Moved => Some(false),
            NoticeKind::Cancelled | NoticeKind::Missed | NoticeKind::Repeat => Some(true),
            NoticeKind::Reminder => None,
        }
    }
}

/// The calendar entry of `booking`, the `position`-th booking of its order (so each change
/// carries a higher sequence than the one before).
fn entry_of(state: &AppState, booking: &Booking, (number, position): (&str, usize), cancelled: bool) -> String {
    let link = interview_link(state, &booking.order_id);
    let summary = format!("视频面审 Video interview {number}");
    let description = format!(
        "请在预约时间打开此页面，使馆工作人员将主动发起视频面审。\nOpen this page at the time: the officer calls you. {link}"
    );
    let sequence = i64::try_from(position).unwrap_or(0) * 2 + i64::from(cancelled);
    let entry = ics::Entry {
        uid: &booking.order_id,
        sequence,
        starts_at: booking.starts_at,
        ends_at: booking.ends_at,
        summary: &summary,
        description: &description,
        url: &link,
        cancelled,
        alarm_before: state.settings.interviews.reminder_before,
    };
    ics::calendar(&entry, Utc::now())
}

/// The page where the applicant books and waits for the call.
pub fn interview_link(state: &AppState, order_id: &str) -> String {
    let base = state.settings.public_url.as_deref().unwrap_or(&state.settings.payments.notify_base);
    format!("{base}/orders/{order_id}/interview")
}

/// Runs a notice job: composes the message in the applicant's language and puts it in the
/// outbox.
pub async fn run_notice(state: &AppState, payload: &serde_json::Value) -> Result<(), String> {
    let storage = |e: lingshi_storage::StorageError| e.diagnostic();
    let kind = payload["kind"].as_str().and_then(NoticeKind::from_code).ok_or("unknown notice kind")?;
    let id = payload["booking"].as_str().ok_or("no booking in the payload")?;
    let Some(booking) = stored::find_booking(&state.db, &state.vault, id).await.map_err(storage)? else {
        return Ok(());
    };
    if kind.needs_live_booking() && booking.state != BookingState::Booked {
        return Ok(());
    }
    let Some(order) =
        lingshi_storage::orders::find(&state.db, &state.vault, &booking.order_id).await.map_err(storage)?
    else {
        return Ok(());
    };
    let Some(submitter) = order.submitter_id.as_deref() else { return Ok(()) };
    let Some(account) = lingshi_storage::accounts::find(&state.db, submitter).await.map_err(storage)? else {
        return Ok(());
    };
    let Ok(address) = lingshi_domain::ContactAddress::parse(&account.login) else { return Ok(()) };
    let mission = state.directory.find(&state.db, &order.mission_id).await.map_err(storage)?;
    let locale = Locale::from_tag(&account.locale).unwrap_or_default();
    let when = mission.as_ref().map(|m| super::mission_time(m, booking.starts_at, locale)).unwrap_or_default();
    let text = |key: &str| {
        state
            .catalogs
            .text(locale, &format!("notice_interview_{}_{key}", kind.code()))
            .replace("{number}", &order.number)
            .replace("{time}", &when)
            .replace("{link}", &interview_link(state, &order.id))
    };
    let mut message = crate::service::codes::message_to(&address, text("subject"), text("body"));
    if let Some(cancelled) = kind.calendar() {
        let bookings = stored::for_order(&state.db, &state.vault, &order.id).await.map_err(storage)?;
        let position = bookings.iter().position(|b| b.id == booking.id).unwrap_or(0) + 1;
        message.calendar = Some(entry_of(state, &booking, (&order.number, position), cancelled));
    }
    let mut tx = state.db.begin().await.map_err(storage)?;
    crate::service::inbox::notify(&mut tx, state, (&account, Some(&order.id)), &message).await.map_err(storage)?;
    tx.commit().await.map_err(storage)?;
    state.jobs_waiting.notify_one();
    Ok(())
}
