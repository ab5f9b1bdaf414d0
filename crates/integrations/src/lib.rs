//! Lingshi's adapters to the outside world. Each integration is a trait, a real adapter
//! speaking the published protocol, and (where no provider is configured) a development
//! sink that is labelled as such.
//!
//! - [`mail`]: outgoing mail over SMTP (lettre), or `.eml` files in development.
//! - [`sms`]: text messages; without a gateway, the staff-visible development outbox.
//! - [`smpp`]: text messages through the mission's SMS gateway over SMPP 3.4;
//!   [`smsc_simulator`] (feature `testing`) is a gateway on loopback for the tests.
//! - [`face`]: the face step of real-name verification.
//! - [`pension`]: the social-security departments that certify pensioners, over signed JSON;
//!   [`pension_simulator`] is one on loopback, for the demo and the tests.
//! - [`inbound`]: mail applicants send with supplementary materials.
//! - [`translate`]: online translation through a LibreTranslate server;
//!   [`translate_simulator`] is one on loopback, for the demo and the tests.

pub mod bounce;
pub mod dkim;
pub mod face;
pub mod inbound;
pub mod mail;
pub mod payments;
pub mod pension;
pub mod pension_simulator;
pub mod smpp;
pub mod sms;
#[cfg(feature = "testing")]
pub mod smsc_simulator;
#[cfg(feature = "testing")]
pub mod testing;
pub mod translate;
pub mod translate_simulator;

/// What kind of failure a call to an outside party met, by kind only: an HTTP error's text
/// could quote the URL or the body, which may hold personal data.
pub(crate) fn failure_kind(error: &reqwest::Error) -> &'static str {
    if error.is_timeout() {
        "timeout"
    } else if error.is_connect() {
        "connection"
    } else {
        "transport"
    }
}
