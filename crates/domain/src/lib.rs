//! Lingshi's domain core: the rules of consular services with no I/O.
//!
//! Everything an applicant or an officer types is parsed here into a validated type
//! (`CnMobile`, `Email`, `ResidentId`, `PassportNo`, `PinyinName`…) or refused with a
//! [`ValidationError`] whose stable `code()` the web layer translates. The order state
//! machine of SPEC §8 lives in [`order`]; the missions directory's value types in [`mission`].

pub mod actions;
pub mod application;
pub mod application_form;
pub mod contact;
pub mod country;
pub mod details;
pub mod documents;
pub mod error;
pub mod fees;
pub mod forecast;
pub mod four_eyes;
pub mod interview;
pub mod legalization;
pub mod locale;
pub mod materials;
pub mod mission;
pub mod mrz;
pub mod normalize;
pub mod order;
pub mod password;
pub mod payment;
pub mod pension;
pub mod person;
pub mod phone;
pub mod pinyin_name;
pub mod place_name;
pub mod region;
pub mod resident_id;
pub mod verification;

pub use contact::{CnMobile, ContactAddress, Email, NotifyVia};
pub use documents::{HomeReturnPermitNo, IdentityDocument, PassportNo, TaiwanPermitNo, TravelDocNo};
pub use error::ValidationError;
pub use password::Password;
pub use person::PersonName;
pub use pinyin_name::{PinyinField, PinyinMode, suggest_pinyin};
pub use resident_id::{ResidentId, Sex};
pub use verification::IdentityState;
