//! Fuzzes the identity-document parsers: no input may panic, and an accepted number must
//! parse again to itself.
#![no_main]

use chrono::NaiveDate;
use libfuzzer_sys::fuzz_target;
use lingshi_domain::{HomeReturnPermitNo, IdentityDocument, PassportNo, ResidentId, TaiwanPermitNo, TravelDocNo};

fuzz_target!(|input: &str| {
    let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap_or_default();
    if let Ok(id) = ResidentId::parse(input, today) {
        assert_eq!(ResidentId::parse(id.as_str(), today).as_ref(), Ok(&id));
        assert!(id.birth_date() <= today);
        let _ = (id.sex(), id.masked());
    }
    if let Ok(passport) = PassportNo::parse_ordinary(input) {
        assert_eq!(PassportNo::parse(passport.as_str()).as_ref(), Ok(&passport));
        let _ = passport.masked();
    }
    let _ = TravelDocNo::parse(input).map(|n| n.masked());
    let _ = HomeReturnPermitNo::parse(input).map(|n| n.masked());
    let _ = TaiwanPermitNo::parse(input).map(|n| n.masked());
    for kind in ["resident_id", "passport", ""] {
        let _ = IdentityDocument::parse(kind, input, today).map(|d| d.masked());
    }
});
