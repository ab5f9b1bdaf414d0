//! Fuzzes the contact parsers: no input may panic, and whatever is accepted must parse
//! again to the same value (normalisation is idempotent).
#![no_main]

use libfuzzer_sys::fuzz_target;
use lingshi_domain::{CnMobile, ContactAddress, Email, Password};

fuzz_target!(|input: &str| {
    if let Ok(address) = ContactAddress::parse(input) {
        assert_eq!(ContactAddress::parse(address.as_str()).as_ref(), Ok(&address));
        let _ = address.masked();
    }
    if let Ok(mobile) = CnMobile::parse(input) {
        assert_eq!(mobile.as_str().len(), 11);
    }
    if let Ok(email) = Email::parse(input) {
        assert!(email.as_str().len() <= 254);
    }
    let _ = Password::parse(input);
});
